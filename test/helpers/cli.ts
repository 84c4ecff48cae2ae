import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../main/cli/main';
import type { Output } from '../../main/cli/output';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `custos <args>` in this process, capturing what it prints. */
export async function custos(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out: Output = {
    line: (t) => (stdout += `${t}\n`),
    raw: (t) => (stdout += t),
    write: async (t) => {
      stdout += t;
    },
    json: (v) => (stdout += `${JSON.stringify(v)}\n`),
    error: (t) => (stderr += `${t}\n`),
    progress: () => ({ update() {}, done() {} }),
  };
  const code = await runCli(args, out);
  return { code, stdout, stderr };
}

export function tempDir(prefix = 'custos-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A simple valid custos.audit/v1 event. */
export function event(i: number, extra: Record<string, unknown> = {}) {
  return {
    id: `ev-${i}`,
    time: new Date(Date.UTC(2026, 6, 1) + i * 60_000).toISOString(),
    source: 'test.platform',
    category: 'access',
    action: 'user.login',
    outcome: i % 17 === 0 ? 'failure' : 'success',
    actor: { id: `u-${i % 37}`, type: 'user', name: `User ${i % 37}` },
    severity: 'info',
    ...extra,
  };
}

/** Writes `count` events (starting at `from`) as JSON lines and returns the file path. */
export function writeEvents(dir: string, name: string, from: number, count: number): string {
  const path = join(dir, name);
  const lines = Array.from({ length: count }, (_, k) => JSON.stringify(event(from + k)));
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}
