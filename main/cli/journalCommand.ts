/**
 * `custos journal`: the officer's activity journal of a cache: list the newest entries, verify it
 * (tiles, signature, listing copy, anchor file, and checkpoints of it kept elsewhere given with
 * --checkpoint), or export it as a tlog-tiles folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { canonicalJson } from '../../shared/entry/json';
import { Journal, JournalError, type JournalEntry } from '../journal/journal';
import { openStore } from './cacheCommands';
import { nonNegativeInteger, parseCommandArgs, required } from './args';
import { EXIT_OK, EXIT_USAGE, EXIT_VERIFY_FAILED, UsageError } from './errors';
import { printable, type Output } from './output';

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function detail(e: JournalEntry): string {
  if (e.damaged) return `(damaged: ${e.damaged})`;
  const parts = Object.entries(e.details).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : canonicalJson(v)}`,
  );
  if (e.target) parts.unshift(`${e.target.type}:${e.target.id}`);
  return parts.join(' ');
}

function table(entries: JournalEntry[]): string[] {
  const cols: Array<[string, (e: JournalEntry) => string]> = [
    ['index', (e) => String(e.index)],
    ['time', (e) => new Date(e.time).toISOString()],
    ['officer', (e) => short(printable(e.officer), 24)],
    ['action', (e) => short(printable(e.action), 32)],
    ['detail', (e) => short(printable(detail(e)), 80)],
  ];
  const cells = entries.map((e) => cols.map(([, f]) => f(e)));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const fmt = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [fmt(cols.map(([h]) => h)), ...cells.map(fmt)];
}

export async function journalCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    cache: { type: 'string' },
    'key-file': { type: 'string' },
    verify: { type: 'boolean' },
    json: { type: 'boolean' },
    limit: { type: 'string' },
    export: { type: 'string' },
    checkpoint: { type: 'string', multiple: true },
  });
  const cachePath = required(values.cache, '--cache');
  if (values.verify && values.export !== undefined)
    throw new UsageError('choose one of --verify and --export');
  if (values.limit !== undefined && (values.verify || values.export !== undefined))
    throw new UsageError('--limit goes with listing, not with --verify or --export');
  const limit = nonNegativeInteger(values.limit, '--limit', 20);
  if (limit < 1 || limit > 1000) throw new UsageError('--limit must be from 1 to 1000');
  const exportDir = values.export !== undefined ? required(values.export, '--export') : undefined;
  if (values.checkpoint && !values.verify) throw new UsageError('--checkpoint goes with --verify');
  const kept = [];
  for (const file of values.checkpoint ?? []) {
    const info = await stat(file).catch((e: Error) => {
      throw new UsageError(`cannot read checkpoint file ${file}: ${e.message}`);
    });
    if (info.size > 64 * 1024)
      throw new UsageError(`${file} is ${info.size} bytes, too large to be a checkpoint`);
    kept.push({ note: await readFile(file, 'utf8'), label: `the checkpoint in ${file}` });
  }

  const store = await openStore(cachePath, values['key-file']);
  try {
    const journal = Journal.open(store, cachePath);

    if (values.verify) {
      const r = await journal.verify({ kept });
      if (values.json) out.json(r);
      else {
        out.line(`journal:  ${r.origin ?? '(none yet)'}`);
        out.line(`entries:  ${r.size}`);
        out.line(
          `anchor:   ${r.anchorPath}${r.anchorSize !== null ? ` (${r.anchorSize} entries)` : ' (none)'}`,
        );
        for (const w of r.warnings) out.line(`WARNING   ${w}`);
        for (const p of r.problems) out.line(`PROBLEM   ${p}`);
        out.line(
          r.ok
            ? 'result:   OK, the journal verifies'
            : `result:   FAILED, ${r.problems.length} problem(s)`,
        );
      }
      if (!r.ok) out.error(`custos journal: ${r.problems[0]}`);
      return r.ok ? EXIT_OK : EXIT_VERIFY_FAILED;
    }

    if (exportDir !== undefined) {
      let r;
      try {
        r = await journal.exportTo(exportDir);
      } catch (e) {
        if (e instanceof JournalError) {
          out.error(`custos journal: ${e.message}`);
          return EXIT_USAGE;
        }
        throw e;
      }
      if (values.json) out.json(r);
      else {
        out.line(`exported ${r.size} entries of ${r.origin} to ${r.dir}`);
        out.line(`verify it: npx custos verify --store ${r.dir} --trust ${r.publicKeyPath}`);
      }
      return EXIT_OK;
    }

    let entries: JournalEntry[];
    let size: number;
    try {
      entries = journal.list({ limit });
      size = journal.size;
    } catch (e) {
      // The stored journal cannot be read as a journal: a verification matter, not a usage one.
      if (e instanceof JournalError) {
        out.error(`custos journal: ${e.message}`);
        return EXIT_VERIFY_FAILED;
      }
      throw e;
    }
    if (values.json) out.json({ origin: journal.origin, size, entries });
    else if (entries.length === 0) out.line('the journal is empty');
    else {
      for (const l of table(entries)) out.line(l);
      out.line(`${entries.length} of ${size} entries, newest first (${journal.origin})`);
    }
    return EXIT_OK;
  } finally {
    store.close();
  }
}
