/**
 * Exports a result set as CSV or JSON lines, page by page (keyset), so a million rows never sit in
 * memory and the cache stays usable in between. Each entry goes out byte for byte: JSON lines
 * embed the entry's canonical JSON verbatim, CSV puts it in the `entry` column. Optionally each
 * row carries the entry's inclusion proof (c2sp.org/tlog-proof) against the cache's latest
 * verified checkpoint.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fromUtf8Lossy, toBase64 } from '../../shared/bytes';
import type { Cursor, FullRow, SearchService, SortKey, SortOrder } from './service';

export type ExportFormat = 'csv' | 'jsonl';

export interface ExportOptions {
  query: string;
  format: ExportFormat;
  sort?: SortKey;
  order?: SortOrder;
  /** At most this many rows (all when absent). */
  limit?: number;
  /** The inclusion proof of an entry, as tlog-proof text; rows get a `proof` when given. */
  prove?: (log: string, index: number) => string;
}

const CSV_COLUMNS = [
  'log',
  'index',
  'time',
  'kind',
  'source',
  'category',
  'action',
  'outcome',
  'actor',
  'actor.type',
  'actor.role',
  'ip',
  'target',
  'target.type',
  'subject',
  'severity',
  'entry',
] as const;

const BATCH = 1000;

/**
 * A CSV cell. A spreadsheet would run a cell starting with = + - @ (or a tab or carriage return)
 * as a formula, so such a cell is prefixed with an apostrophe: audit text is data, never code.
 * The `entry` column is JSON and starts with `{`, so the evidence itself is never altered.
 */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function csvLine(r: FullRow, proof: string | undefined): string {
  const cells = [
    r.log,
    r.index,
    iso(r.time),
    r.kind,
    r.source,
    r.category,
    r.action,
    r.outcome,
    r.actor,
    r.actorType,
    r.actorRole,
    r.ip,
    r.target,
    r.targetType,
    r.subject,
    r.severity,
  ].map(csvCell);
  // The entry: its bytes as text, never prefixed (canonical JSON starts with '{').
  const entry = fromUtf8Lossy(r.data);
  cells.push(/[",\r\n]/.test(entry) ? `"${entry.replaceAll('"', '""')}"` : entry);
  if (proof !== undefined) cells.push(csvCell(proof));
  return cells.join(',') + '\r\n';
}

function jsonLine(r: FullRow, proof: string | undefined): string {
  const fields = {
    log: r.log,
    index: r.index,
    time: iso(r.time),
    kind: r.kind,
    source: r.source,
    category: r.category,
    action: r.action,
    outcome: r.outcome,
    actor: r.actor,
    'actor.type': r.actorType,
    'actor.role': r.actorRole,
    ip: r.ip,
    target: r.target,
    'target.type': r.targetType,
    subject: r.subject,
    severity: r.severity,
  };
  const head = JSON.stringify(fields).slice(0, -1);
  const tail = proof === undefined ? '' : `,"proof":${JSON.stringify(proof)}`;
  // A verified entry that is JSON is embedded as it is (its exact bytes); any other as base64.
  const entry =
    r.kind === 'invalid'
      ? `"entryBase64":"${toBase64(r.data)}"`
      : `"entry":${fromUtf8Lossy(r.data)}`;
  return `${head},${entry}${tail}}\n`;
}

/** Writes the export through `write`, waiting on it (backpressure); returns the row count. */
export async function exportResults(
  search: SearchService,
  opts: ExportOptions,
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  const line = opts.format === 'csv' ? csvLine : jsonLine;
  if (opts.format === 'csv')
    await write([...CSV_COLUMNS, ...(opts.prove ? ['proof'] : [])].join(',') + '\r\n');
  let after: Cursor | null = null;
  let done = 0;
  const max = opts.limit ?? Infinity;
  for (;;) {
    const want = Math.min(BATCH, max - done);
    if (want <= 0) break;
    const page = search.pageWithData({
      query: opts.query,
      sort: opts.sort,
      order: opts.order,
      limit: want,
      after,
    });
    let chunk = '';
    for (const r of page.rows) chunk += line(r, opts.prove?.(r.log, r.index));
    if (chunk) await write(chunk);
    done += page.rows.length;
    if (!page.next) break;
    after = page.next;
  }
  return done;
}

/**
 * Exports into a new file readable only by its owner (plain-text audit data leaves the encrypted
 * cache only where asked); an existing file is never overwritten. Returns the row count.
 */
export async function exportToFile(
  search: SearchService,
  opts: ExportOptions,
  path: string,
): Promise<number> {
  const file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  await once(file, 'open');
  try {
    return await exportResults(search, opts, async (chunk) => {
      if (!file.write(chunk)) await once(file, 'drain');
    });
  } finally {
    file.end();
    await once(file, 'finish');
  }
}
