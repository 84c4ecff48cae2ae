/** Benchmark helpers: timed child processes with peak memory, and the results table. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Timed {
  seconds: number;
  /** Peak resident set size of the child, in MB (sampled every 20 ms from /proc). */
  peakRssMb: number;
  stdout: string;
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs a command, failing loudly on a non-zero exit, and measures time and peak memory. */
export function timeCommand(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, rssKb(child.pid!))), 20);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0)
        reject(
          new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(0, 2000)}`),
        );
      else resolve({ seconds, peakRssMb: peak / 1024, stdout });
    });
  });
}

export interface Row {
  figure: string;
  custos: string;
  reference: string;
  ratio: string;
  goal: string;
}

/** Prints rows of cells under a header, columns padded to their widest cell. */
export function printGrid(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
}

export function printTable(rows: Row[]) {
  const cols: Array<keyof Row> = ['figure', 'custos', 'reference', 'ratio', 'goal'];
  printGrid(
    cols,
    rows.map((r) => cols.map((c) => r[c])),
  );
}

export const rate = (n: number, seconds: number) => n / seconds;
export const fmtRate = (r: number) => `${Math.round(r).toLocaleString('en-US')}/s`;
