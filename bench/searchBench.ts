/**
 * Search figures (../shared/design/PERFORMANCE.md), on the cache that sync filled and the
 * unencrypted reference (ref.db) that the sqlite3 CLI loaded with the same rows:
 *
 * - the first page (100 rows, newest first) of 20 fixed queries, timed in process through
 *   SearchService, beside hand-written SQL for the same matches timed inside one sqlite3 process
 *   (`.timer on`), and beside `rg` over the same records as JSON lines;
 * - a grid page at a deep offset (row 0.9 x size), beside the same raw SQL;
 * - facets and histogram of a query matching about a third of the entries, beside raw GROUP BYs.
 *
 * Before anything is timed, the raw SQL must give exactly what Custos gives (counts, first-page
 * ids, facet values, histogram buckets); a difference fails the benchmark.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCacheDb } from '../main/store/cache';
import { SearchService } from '../main/search/service';
import { printGrid, timeCommand, type Row } from './lib';

/** One query of the fixed set: what a user types in Custos, in raw SQL, and for rg. */
interface BenchQuery {
  kind: string;
  query: string;
  /** A condition over `entries e` in ref.db that selects the same rows. */
  sql: string;
  /** The rg command line after `rg` (shell words), `{file}` standing for events.jsonl. */
  rg: string;
}

const T = (iso: string) => Date.parse(iso);
const fts = (match: string) =>
  `e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH '${match.replace(/'/g, "''")}')`;

const H0 = T('2026-08-14T00:00:00Z');
const H6 = T('2026-08-14T06:01:00Z'); // [.. TO 06:00] takes the whole minute 06:00

/** The fixed set: field, phrase, boolean, wildcard, time range, broad text, JSON path, facet. */
export const QUERIES: readonly BenchQuery[] = [
  {
    kind: 'field',
    query: 'actor:u-1187',
    sql: "e.actor = 'u-1187' COLLATE NOCASE",
    rg: `'"actor":\\{"id":"u-1187"' {file}`,
  },
  {
    kind: 'field',
    query: 'outcome:failure',
    sql: "e.outcome = 'failure' COLLATE NOCASE",
    rg: `'"outcome":"failure"' {file}`,
  },
  {
    kind: 'field',
    query: 'action:customer.export',
    sql: "e.action = 'customer.export' COLLATE NOCASE",
    rg: `'"action":"customer\\.export"' {file}`,
  },
  {
    kind: 'field',
    query: 'ip:198.51.100.247',
    sql: "e.ip = '198.51.100.247' COLLATE NOCASE",
    rg: `'"ip":"198\\.51\\.100\\.247"' {file}`,
  },
  {
    kind: 'phrase',
    query: '"DSR-2026-0147"',
    sql: fts('"DSR-2026-0147"'),
    rg: `DSR-2026-0147 {file}`,
  },
  {
    kind: 'phrase',
    query: '"invalid password"',
    sql: fts('"invalid password"'),
    rg: `'invalid password' {file}`,
  },
  {
    kind: 'phrase',
    query: '"damaged in transit"',
    sql: fts('"damaged in transit"'),
    rg: `'damaged in transit' {file}`,
  },
  {
    kind: 'boolean',
    query: 'category:security AND action:(user.role.change OR permission.grant)',
    sql: "e.category = 'security' COLLATE NOCASE AND e.action COLLATE NOCASE IN ('user.role.change', 'permission.grant')",
    rg: `'"category":"security","action":"(user\\.role\\.change|permission\\.grant)"' {file}`,
  },
  {
    kind: 'boolean',
    query: 'login -outcome:success',
    sql: `${fts('login')} AND e.outcome IS NOT 'success'`,
    rg: `-iw login {file} | rg -v '"outcome":"success"'`,
  },
  {
    kind: 'boolean',
    query: 'action:(dsr.open OR dsr.close) AND "DSR-2026-0147"',
    sql: `${fts('"DSR-2026-0147"')} AND e.action COLLATE NOCASE IN ('dsr.open', 'dsr.close')`,
    rg: `'"action":"dsr\\.(open|close)".*DSR-2026-0147' {file}`,
  },
  {
    kind: 'wildcard',
    query: 'actor:u-10*',
    sql: "e.actor LIKE 'u-10%'",
    rg: `'"actor":\\{"id":"u-10' {file}`,
  },
  {
    kind: 'wildcard',
    query: 'action:*.export',
    sql: "e.action LIKE '%.export'",
    rg: `'"action":"[^"]*\\.export"' {file}`,
  },
  {
    kind: 'time range',
    query: 'time:[2026-08-14T00:00 TO 2026-08-14T06:00]',
    sql: `e.time >= ${H0} AND e.time < ${H6}`,
    rg: `'"time":"2026-08-14T0([0-5]|6:00)' {file}`,
  },
  {
    kind: 'time range',
    query: 'action:user.login AND time:[2026-07-22 TO 2026-07-23]',
    sql: `e.action = 'user.login' COLLATE NOCASE AND e.time >= ${T('2026-07-22T00:00:00Z')} AND e.time < ${T('2026-07-24T00:00:00Z')}`,
    rg: `'"time":"2026-07-2[23]T.*"action":"user\\.login"' {file}`,
  },
  {
    kind: 'time range',
    query: 'source:comms.relay AND actor:u-1187 AND time:[2026-08-14T00:00 TO 2026-08-14T06:00]',
    sql: `e.source = 'comms.relay' COLLATE NOCASE AND e.actor = 'u-1187' COLLATE NOCASE AND e.time >= ${H0} AND e.time < ${H6}`,
    rg: `'"time":"2026-08-14T0([0-5]|6:00)[^"]*","source":"comms\\.relay".*"actor":\\{"id":"u-1187"' {file}`,
  },
  {
    kind: 'broad text',
    query: 'login',
    sql: fts('login'),
    rg: `-iw login {file}`,
  },
  {
    kind: 'path',
    query: 'attributes.changeTicket:CHG*',
    sql: "json_extract((SELECT data FROM entry_data WHERE id = e.id), '$.attributes.changeTicket') LIKE 'CHG%'",
    rg: `'"changeTicket":"CHG' {file}`,
  },
  {
    kind: 'severity',
    query: 'severity:>=medium',
    sql: "e.severity COLLATE NOCASE IN ('medium', 'high', 'critical')",
    rg: `'"severity":"(medium|high|critical)"' {file}`,
  },
  {
    kind: 'facet',
    query: 'category:data AND actor:u-1004',
    sql: "e.category = 'data' COLLATE NOCASE AND e.actor = 'u-1004' COLLATE NOCASE",
    rg: `'"category":"data".*"actor":\\{"id":"u-1004"' {file}`,
  },
  {
    kind: 'facet',
    query: 'subject:cust-204518 AND category:communication',
    sql: "e.subject = 'cust-204518' COLLATE NOCASE AND e.category = 'communication' COLLATE NOCASE",
    rg: `'"category":"communication".*"subject":\\{"id":"cust-204518"' {file}`,
  },
];

/** The broad query of the facets figure (category:data is about a third of the demo). */
const FACET_QUERY = 'category:data';
const FACET_SQL = "category = 'data' COLLATE NOCASE";
const FACET_FIELDS = ['actor', 'action', 'outcome', 'source'];

const PAGE = 100;
const WARMUP = 1;
const RUNS = 5;
const DEEP_RUNS = 10;

/** The columns a page returns (as SearchService selects them). */
const COLS =
  'e.id, e.log_id, e.idx, e.time, e.kind, e.source, e.category, e.action, e.outcome, e.actor, e.actor_type, e.actor_role, e.ip, e.target, e.target_type, e.subject, e.severity';
const pageSql = (where: string, offset = 0) =>
  `SELECT ${COLS} FROM entries e WHERE ${where} ORDER BY e.time DESC, e.id DESC LIMIT ${PAGE}${offset ? ` OFFSET ${offset}` : ''}`;

/** Nearest-rank percentile of seconds. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}
const ms = (s: number) => `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
const round = (s: number) => Math.round(s * 1e6) / 1e6;
const stats = (xs: number[]) => ({
  p50: round(percentile(xs, 0.5)),
  p95: round(percentile(xs, 0.95)),
});

/** Runs SQL in the sqlite3 CLI on ref.db with Custos's connection settings; returns stdout. */
function sqlite3(db: string, script: string, work: string, name: string): string {
  const file = join(work, name);
  writeFileSync(file, `PRAGMA cache_size = -65536;\nPRAGMA temp_store = MEMORY;\n${script}\n`);
  const r = spawnSync('sqlite3', ['-bail', db], {
    input: `.read ${file}\n`,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0)
    throw new Error(`sqlite3 ${name} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return r.stdout;
}

/**
 * Times statements in one sqlite3 process. `.timer` prints wall time in whole milliseconds (and
 * CPU time in microseconds); below 2 ms, where rounding would swamp the figure, the CPU time
 * (user + sys: the process is busy for all of a warm query) is taken instead.
 */
function timeSqlite3(db: string, statements: string[], work: string, name: string) {
  const out = sqlite3(
    db,
    `.output /dev/null\n.timer on\n${statements.map((s) => `${s};`).join('\n')}`,
    work,
    name,
  );
  const times = [...out.matchAll(/^Run Time: real ([\d.]+) user ([\d.]+) sys ([\d.]+)$/gm)].map(
    (m) => {
      const real = Number(m[1]);
      const cpu = Number(m[2]) + Number(m[3]);
      return real < 0.002 ? cpu : real;
    },
  );
  if (times.length !== statements.length)
    throw new Error(`sqlite3 ${name}: ${times.length} timings for ${statements.length} statements`);
  return times;
}

/** Results of several statements, as JSON arrays, from one sqlite3 process. */
function querySqlite3(db: string, statements: string[], work: string, name: string) {
  const sep = '@@custos-bench@@';
  const out = sqlite3(
    db,
    `.mode json\n${statements.map((s) => `${s};\n.print ${sep}`).join('\n')}`,
    work,
    name,
  );
  const parts = out.split(`${sep}\n`).slice(0, statements.length);
  return parts.map((p) => (p.trim() === '' ? [] : JSON.parse(p))) as Array<
    Array<Record<string, unknown>>
  >;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

async function timeRg(command: string): Promise<number> {
  // rg exits 1 when nothing matches, which is an answer, not a failure.
  const t = await timeCommand('sh', ['-c', `${command} > /dev/null; test $? -le 1`]);
  return t.seconds;
}

function same(a: unknown, b: unknown, what: string) {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  if (x !== y)
    throw new Error(
      `raw SQL and Custos disagree on ${what}:\n  custos ${x.slice(0, 1500)}\n  raw    ${y.slice(0, 1500)}`,
    );
}

export async function searchFigures(opts: {
  work: string;
  size: number;
  cache: string;
  key: Buffer;
}) {
  const { work, size, cache, key } = opts;
  const refDb = join(work, 'ref.db');
  const jsonl = join(work, 'events.jsonl');
  const db = openCacheDb(cache, key);
  try {
    const service = new SearchService(db);

    // --- Correctness first: the raw SQL must find exactly what Custos finds.
    const custosCounts = QUERIES.map((q) => service.count(q.query));
    const custosFirst = QUERIES.map((q) =>
      service.page({ query: q.query, limit: PAGE }).rows.map((r) => r.id),
    );
    const deepOffset = Math.floor(size * 0.9);
    const custosDeep = service
      .page({ query: '', offset: deepOffset, limit: PAGE })
      .rows.map((r) => r.id);
    const facets = service.facets(FACET_QUERY, FACET_FIELDS);
    const histogram = service.histogram(FACET_QUERY);
    const bucket = histogram.bucketMs;
    const facetSql = FACET_FIELDS.map(
      (f) =>
        `SELECT ${f} AS value, count(*) AS count FROM entries WHERE ${FACET_SQL} AND ${f} IS NOT NULL GROUP BY ${f} ORDER BY count DESC, value LIMIT 10`,
    );
    const histogramSql = [
      `SELECT min(time) AS lo, max(time) AS hi FROM entries WHERE ${FACET_SQL}`,
      `SELECT time / ${bucket} * ${bucket} AS start, count(*) AS count FROM entries WHERE ${FACET_SQL} GROUP BY start ORDER BY start`,
    ];
    const checks = querySqlite3(
      refDb,
      [
        ...QUERIES.flatMap((q) => [
          `SELECT count(*) AS n FROM entries e WHERE ${q.sql}`,
          `SELECT id FROM (${pageSql(q.sql)})`,
        ]),
        `SELECT id FROM (${pageSql('1', deepOffset)})`,
        ...facetSql,
        ...histogramSql,
      ],
      work,
      'search-check.sql',
    );
    QUERIES.forEach((q, i) => {
      same(custosCounts[i], checks[2 * i][0]?.n, `the count of ${q.query}`);
      same(
        custosFirst[i],
        checks[2 * i + 1].map((r) => r.id),
        `the first page of ${q.query}`,
      );
    });
    let k = 2 * QUERIES.length;
    same(
      custosDeep,
      checks[k++].map((r) => r.id),
      `the page at offset ${deepOffset}`,
    );
    for (const f of FACET_FIELDS) same(facets[f], checks[k++], `the ${f} facet of ${FACET_QUERY}`);
    k++; // the span: its buckets are compared next
    same(histogram.buckets, checks[k++], `the histogram of ${FACET_QUERY}`);
    const facetShare = service.count(FACET_QUERY) / size;

    // --- Custos, in process, warm.
    const custosRuns = QUERIES.map((q) => {
      const times: number[] = [];
      for (let r = 0; r < WARMUP + RUNS; r++) {
        const t = performance.now();
        service.page({ query: q.query, limit: PAGE });
        if (r >= WARMUP) times.push((performance.now() - t) / 1000);
      }
      return times;
    });
    const deepRuns: number[] = [];
    for (let r = 0; r < WARMUP + DEEP_RUNS; r++) {
      const t = performance.now();
      service.page({ query: '', offset: deepOffset, limit: PAGE });
      if (r >= WARMUP) deepRuns.push((performance.now() - t) / 1000);
    }
    const facetRuns: number[] = [];
    for (let r = 0; r < WARMUP + RUNS; r++) {
      const t = performance.now();
      service.facets(FACET_QUERY, FACET_FIELDS);
      service.histogram(FACET_QUERY);
      if (r >= WARMUP) facetRuns.push((performance.now() - t) / 1000);
    }

    // The plans Custos's first pages run with, for reading slow queries.
    const plans = QUERIES.map((q) => {
      const { where, params } = service.compile(q.query);
      return (
        db
          .prepare(
            `EXPLAIN QUERY PLAN SELECT ${COLS} FROM entries e WHERE (${where}) ORDER BY e.time DESC, e.id DESC LIMIT ? OFFSET ?`,
          )
          .all(...params, PAGE, 0) as Array<{ detail: string }>
      ).map((r) => r.detail);
    });

    // --- Raw SQL in one sqlite3 process, the same number of runs.
    const runsOf = (sql: string, n: number) => Array.from({ length: WARMUP + n }, () => sql);
    const statements = [
      ...QUERIES.flatMap((q) => runsOf(pageSql(q.sql), RUNS)),
      ...runsOf(pageSql('1', deepOffset), DEEP_RUNS),
      ...Array.from({ length: WARMUP + RUNS }, () => [...facetSql, ...histogramSql]).flat(),
    ];
    const raw = timeSqlite3(refDb, statements, work, 'search-time.sql');
    let at = 0;
    const take = (n: number) => raw.slice(at, (at += n));
    const rawRuns = QUERIES.map(() => take(WARMUP + RUNS).slice(WARMUP));
    const rawDeep = take(WARMUP + DEEP_RUNS).slice(WARMUP);
    const per = facetSql.length + histogramSql.length;
    const rawFacet = Array.from({ length: WARMUP + RUNS }, () =>
      take(per).reduce((a, b) => a + b, 0),
    ).slice(WARMUP);

    // --- rg over the JSON lines: what a user would do without Custos.
    const hasRg = spawnSync('sh', ['-c', 'command -v rg']).status === 0;
    const rgCommands = QUERIES.map((q) => `rg ${q.rg.replaceAll('{file}', shellQuote(jsonl))}`);
    const rgRuns: number[][] = [];
    const rgCounts: number[] = [];
    if (hasRg) {
      for (const command of rgCommands) {
        const counted = await timeCommand('sh', ['-c', `${command} | wc -l`]);
        rgCounts.push(Number(counted.stdout.trim()));
        const times: number[] = [];
        for (let r = 0; r < WARMUP + RUNS; r++) {
          const s = await timeRg(command);
          if (r >= WARMUP) times.push(s);
        }
        rgRuns.push(times);
      }
    }

    // --- Figures.
    const allCustos = custosRuns.flat();
    const allRaw = rawRuns.flat();
    const allRg = rgRuns.flat();
    const c = stats(allCustos);
    const rw = stats(allRaw);
    const deep = stats(deepRuns);
    const deepRaw = stats(rawDeep);
    const fc = stats(facetRuns);
    const fr = stats(rawFacet);
    const rgP50 = hasRg ? percentile(allRg, 0.5) : NaN;
    const rows: Row[] = [
      {
        figure: `search first page (${PAGE} rows, time desc), ${QUERIES.length} queries: p50`,
        custos: ms(c.p50),
        reference: `sqlite3 raw SQL ${ms(rw.p50)}`,
        ratio: (c.p50 / rw.p50).toFixed(2),
        goal: 'report',
      },
      {
        figure: `search first page, ${QUERIES.length} queries: p95`,
        custos: ms(c.p95),
        reference: `sqlite3 raw SQL ${ms(rw.p95)}`,
        ratio: (c.p95 / rw.p95).toFixed(2),
        goal: '<= 2',
      },
      {
        figure: `search first page vs rg over JSON lines: p50 (rg / custos)`,
        custos: ms(c.p50),
        reference: hasRg ? `rg ${ms(rgP50)}` : 'rg not installed: skipped',
        ratio: hasRg ? `${(rgP50 / c.p50).toFixed(0)}x` : '',
        goal: '>= 50x (at 1M)',
      },
      {
        figure: `grid page: ${PAGE} rows at offset ${deepOffset.toLocaleString('en-US')} (time desc), p95`,
        custos: `${ms(deep.p95)} (p50 ${ms(deep.p50)})`,
        reference: `sqlite3 raw SQL ${ms(deepRaw.p95)}`,
        ratio: (deep.p95 / deepRaw.p95).toFixed(2),
        goal: '<= 50 ms (at 1M)',
      },
      {
        figure: `facets (${FACET_FIELDS.length} fields) + histogram of ${FACET_QUERY} (${(facetShare * 100).toFixed(0)}% of entries), p50`,
        custos: ms(fc.p50),
        reference: `sqlite3 GROUP BY ${ms(fr.p50)}`,
        ratio: (fc.p50 / fr.p50).toFixed(2),
        goal: '<= 1.5',
      },
    ];

    const perQuery = QUERIES.map((q, i) => ({
      kind: q.kind,
      query: q.query,
      count: custosCounts[i],
      custos: stats(custosRuns[i]),
      raw: stats(rawRuns[i]),
      ratioP95: round(percentile(custosRuns[i], 0.95) / percentile(rawRuns[i], 0.95)),
      rawSql: q.sql,
      ...(hasRg
        ? {
            rg: { p50: round(percentile(rgRuns[i], 0.5)), lines: rgCounts[i] },
            rgOverCustosP50: round(percentile(rgRuns[i], 0.5) / percentile(custosRuns[i], 0.5)),
          }
        : {}),
      rgCommand: rgCommands[i],
      plan: plans[i],
    }));

    console.log('');
    console.log(`search: ${QUERIES.length} queries, first page of ${PAGE}, ${RUNS} warm runs each`);
    printGrid(
      [
        'query',
        'count',
        'custos p50',
        'p95',
        'raw p50',
        'p95',
        'ratio p95',
        ...(hasRg ? ['rg p50'] : []),
      ],
      perQuery.map((q) => [
        q.query,
        String(q.count),
        ms(q.custos.p50),
        ms(q.custos.p95),
        ms(q.raw.p50),
        ms(q.raw.p95),
        q.ratioP95.toFixed(2),
        ...(hasRg ? [ms(q.rg!.p50)] : []),
      ]),
    );
    if (!hasRg)
      console.log('rg is not installed (Debian package ripgrep): the rg column is skipped');

    return {
      rows,
      results: {
        search: {
          runsPerQuery: RUNS,
          warmup: WARMUP,
          firstPage: { custos: c, raw: rw, ratioP95: round(c.p95 / rw.p95) },
          rg: hasRg
            ? { p50: round(rgP50), ratioToCustosP50: round(rgP50 / c.p50) }
            : { skipped: 'rg is not installed (Debian package ripgrep)' },
          queries: perQuery,
          deepOffset: {
            offset: deepOffset,
            custos: deep,
            raw: deepRaw,
            ratioP95: round(deep.p95 / deepRaw.p95),
          },
          facetsHistogram: {
            query: FACET_QUERY,
            share: round(facetShare),
            fields: FACET_FIELDS,
            bucketMs: bucket,
            custos: fc,
            raw: fr,
            ratioP50: round(fc.p50 / fr.p50),
          },
        },
      },
    };
  } finally {
    db.close();
  }
}
