/**
 * Search: hostile queries, the query plans of the hot queries, the migration that indexes an
 * existing cache, saved searches and history, exports, and `custos search`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/bytes';
import { canonicalJson } from '../../shared/entry/json';
import { parseTlogProof } from '../../shared/tlog/proofFile';
import { parseCheckpointText } from '../../shared/tlog/checkpoint';
import { createTreeHasher } from '../../shared/tlog/hasher';
import { verifyInclusion } from '../../shared/tlog/merkle';
import { verifyCheckpoint } from '../../shared/tlog/policy';
import { nodeCrypto } from '../../main/crypto/nodeCrypto';
import { openCacheDb } from '../../main/store/cache';
import { SCHEMA_VERSION } from '../../main/store/migrations/index';
import { INDEXED_COLUMNS } from '../../main/store/migrations/0002-search';
import { exportResults } from '../../main/search/export';
import { SearchService } from '../../main/search/service';
import { readLogKey, readTrust } from '../../main/tlog/keys';
import { sealEntries } from '../../main/tlog/seal';
import { FolderStorage } from '../../main/tlog/storage';
import { QueryError } from '../../shared/query/parse';
import { newLogKey } from '../helpers/cache';
import { custos, event, tempDir } from '../helpers/cli';
import { searchableCache } from '../helpers/search';

/** Actors that look like SQL, FTS5 or LIKE syntax, a spreadsheet formula, or markup. */
const ODD_ACTORS = [
  '\u001b[31mred\u001b[0m',
  'a_b',
  'axb',
  '50%off',
  '50xoff',
  "o'brien",
  'x"y',
  '=HYPERLINK("http://evil.example/","click")',
  '<script>alert(1)</script>',
  'Robert"); DROP TABLE entries;--',
  'NEAR(alpha beta)',
];
const N = 2500;

let dir: string;
let log: { key: string; pub: string };
let c: Awaited<ReturnType<typeof searchableCache>>;

function entries(): Uint8Array[] {
  return Array.from({ length: N }, (_, i) => {
    const odd = i >= N - ODD_ACTORS.length ? ODD_ACTORS[i - (N - ODD_ACTORS.length)] : null;
    const extra = odd
      ? { actor: { id: odd, type: 'user' }, reason: `odd actor ${odd}` }
      : i % 100 === 0
        ? { severity: 'high', reason: 'record cleanup requested by café owner' }
        : {};
    return utf8(canonicalJson({ kind: 'custos.audit/v1', ...event(i, extra) } as never));
  });
}

beforeAll(async () => {
  dir = tempDir('custos-search-');
  log = await newLogKey(dir, 'log', 'search.example/log');
  await sealEntries(new FolderStorage(join(dir, 'store')), await readLogKey(log.key), entries());
  c = await searchableCache(dir, join(dir, 'store'), log.pub);
}, 60_000);
afterAll(() => c?.cache.close());

const schema = () =>
  c.cache.db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();

describe('hostile queries', () => {
  it.each([
    ['actor:a_b', 1],
    ['actor:a?b', 2],
    ['actor:50%*', 1],
    ['actor:50?off', 2],
    [`actor:"o'brien"`, 1],
    ["actor:o'brien", 1],
    ['actor:"x\\"y"', 1],
    ['actor:"Robert\\"); DROP TABLE entries;--"', 1],
    ['actor:*DROP*', 1],
    ['"DROP TABLE entries"', 1],
    ["actor:\"' OR '1'='1\"", 0],
    ['NEAR(alpha beta)', 1],
    ['"NEAR(alpha beta)"', 1],
    ['alpha:beta', 0],
    ['text:record', 0],
    ['^record', 25],
    ['a\u0000b:c', 0],
    ['"record cleanup" -"café"', 0],
    ['cafe', 25],
    ['"<script>alert(1)</script>"', 1],
    ['actor:"=HYPERLINK(\\"http://evil.example/\\",\\"click\\")"', 1],
  ])('%s gives a correct result (%i)', (query, expected) => {
    const before = schema();
    expect(c.search.count(query)).toBe(expected);
    expect(c.search.page({ query, limit: 10 }).rows.length).toBe(Math.min(10, expected));
    expect(schema()).toEqual(before);
  });

  const refused: Array<[string, number]> = [
    ['"unbalanced', 1],
    ['(actor:a OR b', 14],
    ['a OR b)', 7],
    ['((((((', 7],
    ['a OR OR b', 6],
    ['actor:', 7],
    ['"!!!"', 1],
    ['*', 1],
    ['time:[2026-02-30 TO *]', 1],
    ['time:>yesterday', 1],
    ['index:abc', 1],
    ['severity:>=urgent', 1],
    ['foo AND', 8],
    ['a'.repeat(5000), 4097],
    ['('.repeat(40) + 'a' + ')'.repeat(40), 34],
    ["x' OR 1=1; DROP TABLE entries; --", 33],
    ['record + cleanup', 8],
    ['\\(', 1],
  ];
  it.each(
    refused.map(([q, column]) => [
      q.length > 60 ? `${q.slice(0, 20)}… (${q.length} characters)` : q,
      q,
      column,
    ]),
  )('%s is refused with a QueryError naming the column', (_, query, column) => {
    let error: unknown;
    try {
      c.search.count(query);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).column).toBe(column);
    expect((error as QueryError).message).toMatch(/ at column \d+$/);
  });

  it('never passes the query text into the SQL', () => {
    const q = `actor:"Robert'); DROP TABLE entries;--" OR "x' OR 1=1" OR attributes.a:b*`;
    const compiled = c.search.compile(q);
    expect(compiled.where).not.toMatch(/Robert|DROP|1=1|attributes/);
    expect(compiled.params).toContain("Robert'); DROP TABLE entries;--");
  });
});

describe('query plans of the hot queries', () => {
  const plan = (
    query: string,
    order = 'e.time DESC, e.id DESC',
    extra = '',
    extraParams: number[] = [],
  ) => {
    const { where, params } = c.search.compile(query);
    return (
      c.cache.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT e.id FROM entries e WHERE (${where})${extra} ORDER BY ${order} LIMIT 100`,
        )
        .all(...params, ...extraParams) as Array<{ detail: string }>
    )
      .map((r) => r.detail)
      .join(' | ');
  };

  it.each([
    ['', /entries_time/],
    ['outcome:failure', /INDEX entries_outcome \(outcome=\?\)/],
    ['action:user.login', /INDEX entries_action \(action=\?\)/],
    ['severity:high', /INDEX entries_severity \(severity=\?\)/],
    ['time:[2026-07-01 TO 2026-07-02]', /INDEX entries_time \(time>\? AND time<\?\)/],
  ])('%s reads an index in time order', (query, index) => {
    const p = plan(query);
    expect(p).toMatch(index);
    expect(p).not.toMatch(/TEMP B-TREE/);
    expect(p).not.toMatch(/SCAN e( \||$)/);
  });

  it('continues a page from its cursor with an index range, not a scan', () => {
    expect(plan('action:user.login', undefined, ' AND (e.time, e.id) < (?, ?)', [5, 5])).toMatch(
      /entries_action \(action=\? AND time<\?\)/,
    );
    expect(plan('', undefined, ' AND (e.time, e.id) < (?, ?)', [5, 5])).toMatch(
      /entries_time \(time<\?\)|entries_time \(\(time,rowid\)<\(\?,\?\)\)/,
    );
  });

  it('finds a rare word through the full-text index, and a prefix of a field through its index', () => {
    expect(plan('"DROP TABLE entries"')).toMatch(/entries_fts VIRTUAL TABLE INDEX/);
    expect(plan('"DROP TABLE entries"')).toMatch(/INTEGER PRIMARY KEY/);
    expect(plan('action:user.*')).toMatch(/INDEX entries_action \(action>\? AND action<\?\)/);
  });

  it('finds a field with many values (no index of its own) through the full-text index', () => {
    for (const q of ['actor:u-1', 'ip:192.0.2.1', 'actor:u-1*', 'subject:s-1']) {
      expect(plan(q), q).toMatch(/entries_fts VIRTUAL TABLE INDEX/);
      expect(plan(q), q).not.toMatch(/SCAN e( \||$)/);
    }
  });

  it('walks the time index for a word that most entries have', () => {
    // "login" is in every generated entry: testing each row beats sorting all matches.
    expect(plan('login')).toMatch(/SCAN e USING COVERING INDEX entries_time/);
  });

  it('counts with an index only', () => {
    const { where, params } = c.search.compile('outcome:failure');
    const p = (
      c.cache.db
        .prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM entries e WHERE ${where}`)
        .all(...params) as Array<{ detail: string }>
    ).map((r) => r.detail);
    expect(p.join()).toMatch(/COVERING INDEX entries_outcome/);
  });
});

describe('an existing cache gains search', () => {
  it('indexes the entries a cache held before the search schema', async () => {
    const old = await searchableCache(dir, join(dir, 'store'), log.pub, 'old.db');
    const path = old.path;
    // Back to schema 1: the full-text index, the new indexes and tables gone.
    old.cache.db.exec(`
      ALTER TABLE entries ADD COLUMN data BLOB;
      UPDATE entries SET data = (SELECT data FROM entry_data d WHERE d.id = entries.id);
      DROP TABLE entry_data; DROP TABLE time_buckets; DROP TABLE sync_history; ALTER TABLE sources DROP COLUMN removed_at;
      DROP TABLE entries_fts; DROP TABLE saved_searches; DROP TABLE search_history;
      -- and everything later migrations made
      DROP TABLE IF EXISTS journal_store; DROP TABLE IF EXISTS journal_entries; DROP TABLE IF EXISTS reports;
      DROP TABLE IF EXISTS case_custody; DROP TABLE IF EXISTS case_evidence; DROP TABLE IF EXISTS case_notes;
      DROP TABLE IF EXISTS case_event_tags; DROP TABLE IF EXISTS case_events; DROP TABLE IF EXISTS cases;
      DROP INDEX entries_time; ${INDEXED_COLUMNS.map((col) => `DROP INDEX entries_${col};`).join(' ')}
      PRAGMA user_version = 1;`);
    old.cache.close();
    const db = openCacheDb(path, old.key);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const s = new SearchService(db);
      expect(s.count('"record cleanup"')).toBe(25);
      expect(s.count('actor:u-1')).toBe(c.search.count('actor:u-1'));
      // The hourly counts are rebuilt from the entries.
      expect(db.prepare('SELECT sum(n) AS n FROM time_buckets').get()).toEqual({ n: N });
      expect(
        new SearchService(db, Date.now, 0)
          .page({ query: '', offset: 2400, limit: 5 })
          .rows.map((r) => r.index),
      ).toEqual([99, 98, 97, 96, 95]);
    } finally {
      db.close();
    }
  });
});

describe('the histogram', () => {
  it('draws the histogram of everything from the hourly counts, as the entries give it', () => {
    // 2,500 entries a minute apart: about 42 hours, in buckets of 6 hours.
    const fromCounts = c.search.histogram('', { target: 10 });
    expect(fromCounts.bucketMs).toBe(21_600_000);
    expect(c.search.histogram('_exists_:time', { target: 10 })).toEqual(fromCounts);
    expect(fromCounts.buckets.reduce((n, b) => n + b.count, 0)).toBe(N);
  });
});

describe('saved searches and history', () => {
  it('saves, updates, lists and deletes searches by name, and refuses a bad query', () => {
    const s = c.search;
    s.saveSearch(
      'Night exports',
      'action:customer.export AND time:[2026-08-14 TO *]',
      'time-desc',
      1,
    );
    s.saveSearch('Failures', 'outcome:failure', 'time-desc', 2);
    s.saveSearch('Failures', 'outcome:failure AND actor:u-1', 'time-asc', 3);
    expect(
      s.savedSearches().map((x) => [x.name, x.query, x.sort, x.createdAt, x.updatedAt]),
    ).toEqual([
      ['Failures', 'outcome:failure AND actor:u-1', 'time-asc', 2, 3],
      ['Night exports', 'action:customer.export AND time:[2026-08-14 TO *]', 'time-desc', 1, 1],
    ]);
    expect(() => s.saveSearch('Broken', '(a OR')).toThrow(QueryError);
    expect(() => s.saveSearch('  ', 'a')).toThrow(/name of 1 to 200/);
    expect(s.deleteSavedSearch('Failures')).toBe(true);
    expect(s.deleteSavedSearch('Failures')).toBe(false);
    expect(s.savedSearches().map((x) => x.name)).toEqual(['Night exports']);
  });

  it('keeps the newest 500 searches, newest first', () => {
    for (let i = 0; i < 510; i++) c.search.remember(`actor:u-${i}`, i, 1000 + i);
    const h = c.search.history(1000);
    expect(h).toHaveLength(500);
    expect(h[0]).toEqual({ query: 'actor:u-509', ranAt: 1509, total: 509 });
    expect(h.at(-1)!.query).toBe('actor:u-10');
  });
});

describe('export', () => {
  it('streams every match in order, each entry byte for byte, across many pages', async () => {
    let out = '';
    let writes = 0;
    const n = await exportResults(
      c.search,
      { query: 'login', format: 'jsonl', sort: 'index', order: 'asc' },
      (chunk) => {
        out += chunk;
        writes++;
      },
    );
    expect(n).toBe(N);
    expect(writes).toBeGreaterThanOrEqual(3);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(N);
    const stored = c.cache.db
      .prepare('SELECT d.data FROM entries e JOIN entry_data d ON d.id = e.id ORDER BY e.idx')
      .all() as Array<{
      data: Buffer;
    }>;
    lines.forEach((line, i) => {
      const row = JSON.parse(line) as { index: number; entry: unknown };
      expect(row.index).toBe(i);
      // The entry is embedded verbatim: its bytes are a substring of the line.
      expect(line.endsWith(`,"entry":${stored[i].data.toString('utf8')}}`)).toBe(true);
    });
  });
});

describe('custos search', () => {
  const run = (...args: string[]) => {
    process.env.CUSTOS_CACHE_KEY = c.key.toString('hex');
    try {
      return custos('search', '--cache', c.path, ...args);
    } finally {
      delete process.env.CUSTOS_CACHE_KEY;
    }
  };

  it('prints a table of the newest matches and how many there are', async () => {
    const r = await run('--limit', '3', 'outcome:failure');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time +index +action +outcome +actor +ip +target$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      /^2026-07-02T17:39:00\.000Z +2499 +user\.login +failure +NEAR\(alpha beta\)$/,
    );
    expect(lines[4]).toBe(
      '3 of 148 entries (more with --limit N, or export with --json/--csv --all)',
    );
  });

  it('shows control characters in audit text as escapes, never raw', async () => {
    const r = await run('--limit', '1', 'actor:*31mred*');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('\\u001b[31mred\\u001b[0m');
    expect(r.stdout).not.toContain('\x1b');
  });

  it('counts, facets and a histogram, as text and as JSON', async () => {
    expect((await run('--count', 'severity:>=high')).stdout).toBe('25\n');
    const f = await run('--facets', 'outcome,severity', 'login');
    expect(f.stdout).toMatch(
      /^outcome:\n +2352 +success\n +148 +failure\nseverity:\n +2475 +info\n +25 +high\n$/,
    );
    const j = JSON.parse((await run('--json', '--count', '--histogram', 'severity:high')).stdout);
    expect(j.count).toBe(25);
    expect(j.histogram.buckets.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(
      25,
    );
  });

  it('exports CSV with formula cells neutralised and the entry intact', async () => {
    const r = await run('--csv', 'actor:=HYPERLINK*');
    expect(r.code, r.stderr).toBe(0);
    const [header, row] = r.stdout.split('\r\n');
    expect(header).toBe(
      'log,index,time,kind,source,category,action,outcome,actor,actor.type,actor.role,ip,target,target.type,subject,severity,entry',
    );
    expect(row).toContain(`"'=HYPERLINK(""http://evil.example/"",""click"")"`);
    expect(row).toMatch(/,"\{""action"":""user.login"",""actor"":\{""id"":""=HYPERLINK/);
  });

  it('exports JSON lines with inclusion proofs that verify on their own', async () => {
    const r = await run(
      '--json',
      '--proofs',
      '--limit',
      '5',
      '--sort',
      'index',
      '--asc',
      '"record cleanup"',
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; proof: string; entry: unknown });
    expect(rows.map((x) => x.index)).toEqual([0, 100, 200, 300, 400]);
    const policy = await readTrust(log.pub);
    const hasher = createTreeHasher(nodeCrypto.sha256);
    for (const row of rows) {
      const proof = parseTlogProof(row.proof);
      verifyCheckpoint(nodeCrypto, proof.checkpoint, policy);
      const cp = parseCheckpointText(
        proof.checkpoint.slice(0, proof.checkpoint.indexOf('\n\n') + 1),
      );
      const leaf = hasher.leafHash(utf8(canonicalJson(row.entry as never)));
      expect(() =>
        verifyInclusion(hasher, proof.index, cp.size, leaf, proof.proof, cp.root),
      ).not.toThrow();
      expect(proof.index).toBe(row.index);
    }
  });

  it('writes an export to a new file readable only by its owner, and never over a file', async () => {
    const out = join(dir, 'export.jsonl');
    const r = await run('--json', '--all', '--out', out, 'severity:high');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`wrote 25 entries to ${out}\n`);
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(25);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const again = await run('--json', '--out', out, 'severity:high');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/EEXIST|exists/);
  });

  it('explains a bad query with a caret under the column, and bad options plainly', async () => {
    const r = await run('(actor:u-1 OR');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'custos search: the query ends where a term was expected at column 14\n  (actor:u-1 OR\n               ^\n',
    );
    expect((await run('--json', '--csv', 'a')).stderr).toMatch(/choose one of --json and --csv/);
    expect((await run('--facets', 'time', 'a')).stderr).toMatch(
      /"time" cannot be a facet; use source/,
    );
    expect((await run('--proofs', 'a')).stderr).toMatch(/add --json or --csv/);
    expect((await run('--limit', '0', 'a')).code).toBe(2);
    expect(existsSync(join(dir, 'nothing'))).toBe(false);
  });
});

describe('the search schema', () => {
  it('is what an unencrypted look at the file cannot read', () => {
    // The full-text index lives in the encrypted cache like everything else.
    const raw = readFileSync(c.path);
    expect(raw.includes(Buffer.from('record cleanup'))).toBe(false);
    expect(() => new Database(c.path).prepare('SELECT 1 FROM entries_fts').all()).toThrow();
  });
});
