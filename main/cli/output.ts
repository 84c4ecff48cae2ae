/** Where the command line writes: results on stdout, one-line errors and progress on stderr. */
export interface Progress {
  update(done: number, total?: number): void;
  done(): void;
}

export interface Output {
  line(text: string): void;
  raw(text: string): void;
  /** Like raw, but waits while the reader is behind (exports of millions of rows). */
  write(text: string): Promise<void>;
  json(value: unknown): void;
  error(text: string): void;
  progress(label: string, total?: number): Progress;
}

export function processOutput(
  stdout: NodeJS.WriteStream = process.stdout,
  stderr: NodeJS.WriteStream = process.stderr,
): Output {
  // A reader that stops early (`custos search --json | head`) is not an error.
  stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return {
    line: (text) => stdout.write(`${text}\n`),
    raw: (text) => stdout.write(text),
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stdout.write(text)) resolve();
        else {
          stdout.once('drain', resolve);
          stdout.once('error', reject);
        }
      }),
    json: (value) => stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    error: (text) => stderr.write(`${text}\n`),
    progress(label, initialTotal) {
      // A progress bar only where a person watches; scripts and CI logs get none.
      if (!stderr.isTTY) return { update() {}, done() {} };
      const started = Date.now();
      let last = 0;
      let shown = false;
      return {
        update(done, total = initialTotal) {
          const now = Date.now();
          if (now - last < 100) return;
          last = now;
          shown = true;
          const rate = done / Math.max((now - started) / 1000, 0.001);
          const pct = total ? Math.min(100, (100 * done) / total) : undefined;
          const width = 30;
          const bar =
            pct === undefined
              ? ''
              : `[${'#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.')}] ${pct.toFixed(0)}% `;
          const eta = total && rate > 0 ? ` ${Math.ceil((total - done) / rate)}s left` : '';
          stderr.write(
            `\r${label} ${bar}${done}${total ? `/${total}` : ''} (${Math.round(rate)}/s${eta})\x1b[K`,
          );
        },
        done() {
          if (shown) stderr.write('\r\x1b[K');
        },
      };
    },
  };
}

/**
 * Text from audit records, cases or the journal as a terminal shows it: printed, never
 * interpreted; control characters (escape sequences included) become visible `\u` escapes.
 */
export function printable(s: string): string {
  return s.replace(/\p{Cc}/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** A time as ISO 8601 UTC, or what to print when there is none. */
export function isoTime(t: number | null, none = '(no time)'): string {
  return t === null ? none : new Date(t).toISOString();
}
