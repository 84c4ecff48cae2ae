/**
 * Sync and at-rest verification figures: `custos sync` from a local store into an empty encrypted
 * cache beside the sqlite3 CLI loading the same normalised rows into the same schema, unencrypted,
 * in one transaction (the storage limit); `custos verify --cache` beside sha256sum.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openCacheDb } from '../main/store/cache';
import { entryText } from '../shared/entry/fulltext';
import { fmtRate, rate, timeCommand, type Row } from './lib';

const csvField = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * Writes the cache's schema and its entries (with their full text) as CSV, for the sqlite3
 * reference load. FTS5's shadow tables (entries_fts_data, _idx, _config, ...) are left out: the
 * CREATE VIRTUAL TABLE creates them.
 */
async function exportReference(cachePath: string, key: Buffer, work: string) {
  const db = openCacheDb(cachePath, key);
  const schema = (
    db
      .prepare(
        `SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         AND name NOT LIKE 'entries\\_fts\\_%' ESCAPE '\\' ORDER BY rowid`,
      )
      .all() as Array<{ sql: string }>
  )
    // CSV cannot carry BLOBs, so the reference stores the leaf hash as hex text: the same tables,
    // columns and indexes, without STRICT (which would refuse text in a BLOB column).
    .map((r) => `${r.sql.replace(/\)\s*STRICT/g, ')')};`)
    .join('\n');
  writeFileSync(
    join(work, 'schema.sql'),
    schema + "\nINSERT INTO logs (id, origin, created_at) VALUES (1, 'demo', 0);\n",
  );
  const out = createWriteStream(join(work, 'rows.csv'));
  const cols = [
    'id',
    'log_id',
    'idx',
    'leaf_hash',
    'kind',
    'time',
    'source',
    'category',
    'action',
    'outcome',
    'actor',
    'actor_type',
    'actor_role',
    'ip',
    'target',
    'target_type',
    'subject',
    'severity',
  ];
  for (const r of db
    .prepare(
      `SELECT ${cols.map((c) => `e.${c}`).join(', ')}, d.data FROM entries e JOIN entry_data d ON d.id = e.id ORDER BY e.id`,
    )
    .raw()
    .iterate() as Iterable<unknown[]>) {
    r[3] = (r[3] as Buffer).toString('hex');
    r.push(entryText(r[r.length - 1] as Buffer));
    if (!out.write(r.map(csvField).join(',') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  db.close();
  // CSV has no NULL: an empty field is NULL in the cache (normalised fields are never empty).
  const NOT_NULL = new Set(['id', 'log_id', 'idx', 'leaf_hash', 'data', 'kind']);
  // The rows go through a staging table (CSV import cannot set an FTS5 rowid), then into entries
  // and the full-text index, all in one transaction like sync's.
  writeFileSync(
    join(work, 'load.sql'),
    [
      `.read ${join(work, 'schema.sql')}`,
      'PRAGMA journal_mode=WAL;',
      'PRAGMA synchronous=NORMAL;',
      'BEGIN;',
      // The entries' column types (so ids and times import as integers), no constraints.
      `CREATE TABLE staging AS SELECT ${cols.join(', ')}, CAST(NULL AS BLOB) AS data, '' AS text FROM entries WHERE 0;`,
      `.import --csv ${join(work, 'rows.csv')} staging`,
      `INSERT INTO entries (${cols.join(', ')}) SELECT ${cols.map((c) => (NOT_NULL.has(c) ? c : `NULLIF(${c}, '')`)).join(', ')} FROM staging;`,
      'INSERT INTO entry_data (id, data) SELECT id, data FROM staging;',
      'INSERT INTO entries_fts (rowid, text) SELECT id, text FROM staging;',
      'DROP TABLE staging;',
      'COMMIT;',
      '',
    ].join('\n'),
  );
  return cols;
}

export async function syncFigures(opts: {
  repo: string;
  work: string;
  store: string;
  size: number;
  shaRate: number;
}) {
  const { repo, work, store, size, shaRate } = opts;
  const key = randomBytes(32);
  const env = { CUSTOS_CACHE_KEY: key.toString('hex') };
  const cache = join(work, 'cache.db');
  // A throwaway key, beside the cache so that a kept benchmark directory (--keep) can be opened.
  writeFileSync(join(work, 'cache.key'), key.toString('hex') + '\n');
  const custos = (...args: string[]) =>
    timeCommand(process.execPath, [join(repo, 'bin/custos.mjs'), ...args], { env });

  const sync = await custos(
    'sync',
    '--cache',
    cache,
    '--from',
    store,
    '--trust',
    join(repo, 'resources/demo/demo.pub'),
  );
  const verify = await custos('verify', '--cache', cache);
  if (!/result: OK/.test(verify.stdout))
    throw new Error(`the benchmark cache does not verify:\n${verify.stdout}`);

  await exportReference(cache, key, work);
  const ref = await timeCommand('sh', [
    '-c',
    `sqlite3 ${join(work, 'ref.db')} < ${join(work, 'load.sql')}`,
  ]);
  const count = await timeCommand('sqlite3', [
    join(work, 'ref.db'),
    'SELECT count(*) FROM entries',
  ]);
  if (Number(count.stdout.trim()) !== size)
    throw new Error(`the reference loaded ${count.stdout.trim()} rows, not ${size}`);

  const syncRate = rate(size, sync.seconds);
  const refRate = rate(size, ref.seconds);
  const verifyRate = rate(size, verify.seconds);
  const rows: Row[] = [
    {
      figure: 'sync into an empty encrypted cache (everything verified and stored)',
      custos: fmtRate(syncRate),
      reference: `sqlite3 .import+FTS ${fmtRate(refRate)}`,
      ratio: (syncRate / refRate).toFixed(2),
      goal: '>= 0.7',
    },
    {
      figure: 'peak RSS of the sync process',
      custos: `${sync.peakRssMb.toFixed(0)} MB`,
      reference: '',
      ratio: '',
      goal: '<= 400 MB (at 10M)',
    },
    {
      figure: 're-verify the cache at rest (verify --cache)',
      custos: fmtRate(verifyRate),
      reference: `sha256sum ${fmtRate(shaRate)}`,
      ratio: (verifyRate / shaRate).toFixed(2),
      goal: '>= 0.5',
    },
  ];
  return {
    rows,
    /** The synced cache and its key, for the search figures. */
    cache,
    key,
    results: {
      sync: { seconds: sync.seconds, entriesPerSecond: syncRate, peakRssMb: sync.peakRssMb },
      sqlite3Import: { seconds: ref.seconds, entriesPerSecond: refRate },
      verifyCache: {
        seconds: verify.seconds,
        entriesPerSecond: verifyRate,
        peakRssMb: verify.peakRssMb,
      },
    },
  };
}
