/**
 * Search over the cache: result pages (keyset for scrolling, offset for jumping), counts, facets,
 * a time histogram, entry detail, saved searches and history. Every statement is parameterised;
 * queries are compiled by compile.ts.
 */
import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import type { NormalizedFields } from '../../shared/entry/normalize';
import { SEARCH_FIELDS, searchField } from '../../shared/query/fields';
import { parseQuery, QueryError } from '../../shared/query/parse';
import { TIME_BUCKET_MS } from '../store/migrations/0002-search';
import { compileQuery, type CompiledQuery, type SqlValue } from './compile';

export type SortKey = 'time' | 'index';
export type SortOrder = 'asc' | 'desc';

/** Where a page ended: the sort key (time, or log id for index order) and the tie-breaker. */
export interface Cursor {
  key: number | null;
  id: number;
}

/** A result: where the entry is, and its normalised fields. */
export type SearchRow = { id: number; log: string; index: number } & NormalizedFields;

export interface PageRequest {
  query: string;
  sort?: SortKey;
  order?: SortOrder;
  /** Rows per page, 1 to MAX_PAGE. */
  limit?: number;
  /** Continue after this row (from the previous page's `next`). */
  after?: Cursor | null;
  /** Or jump to this position in the result (the grid's scroll bar). */
  offset?: number;
}

/** A row with the entry's bytes, for exports. */
export interface FullRow extends SearchRow {
  data: Uint8Array;
}

export interface Page {
  rows: SearchRow[];
  /** The cursor for the next page, or null at the end. */
  next: Cursor | null;
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface Histogram {
  /** Bucket width in ms, chosen so that the span fits in about `target` buckets. */
  bucketMs: number;
  buckets: Array<{ start: number; count: number }>;
}

export interface SavedSearch {
  id: number;
  name: string;
  query: string;
  sort: string;
  createdAt: number;
  updatedAt: number;
}

export const MAX_PAGE = 1000;
export const MAX_FACET_VALUES = 100;
const HISTORY_KEEP = 500;
/** From this offset on, a jump through all entries in time order uses the hourly counts. */
const DEEP_OFFSET = 2000;
/** A full-text term with more matches than this is tested per row rather than driving a query. */
const BROAD_TERM = 2000;

const ROW_COLUMNS = `e.id, e.log_id, e.idx, e.time, e.kind, e.source, e.category, e.action, e.outcome,
  e.actor, e.actor_type, e.actor_role, e.ip, e.target, e.target_type, e.subject, e.severity`;

interface DbRow {
  id: number;
  log_id: number;
  idx: number;
  time: number | null;
  kind: string;
  source: string | null;
  category: string | null;
  action: string | null;
  outcome: string | null;
  actor: string | null;
  actor_type: string | null;
  actor_role: string | null;
  ip: string | null;
  target: string | null;
  target_type: string | null;
  subject: string | null;
  severity: string | null;
}

/** Bucket widths a person reads easily, smallest first. */
const BUCKETS_MS = [
  1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000,
  21_600_000, 43_200_000, 86_400_000, 604_800_000, 2_592_000_000, 31_536_000_000,
];

export class SearchService {
  private readonly origins = new Map<number, string>();
  /** Prepared statements by SQL: a query's SQL depends only on its shape. */
  private readonly statements = new Map<string, Statement>();
  /** Whether a full-text expression is broad, for the entries as they were (by the newest id). */
  private broad = { newest: -1, terms: new Map<string, boolean>() };

  constructor(
    private readonly db: Database,
    /** The clock for relative times (`now-7d`). */
    private readonly now: () => number = Date.now,
    /** From this offset on, a jump through all entries in time order uses the hourly counts. */
    private readonly deepOffset = DEEP_OFFSET,
  ) {}

  /** Parses and compiles a query; a QueryError names what is wrong and where. */
  compile(query: string): CompiledQuery {
    if (typeof query !== 'string') throw new QueryError('the query must be text', 1);
    const newest =
      (this.stmt('SELECT max(id) AS n FROM entries').get() as { n: number | null }).n ?? 0;
    if (newest !== this.broad.newest) this.broad = { newest, terms: new Map() };
    const terms = this.broad.terms;
    return compileQuery(parseQuery(query), {
      now: this.now(),
      isBroad: (fts) => {
        let broad = terms.get(fts);
        if (broad === undefined) {
          const { n } = this.stmt(
            'SELECT count(*) AS n FROM (SELECT 1 FROM entries_fts WHERE entries_fts MATCH ? LIMIT ?)',
          ).get(fts, BROAD_TERM + 1) as { n: number };
          terms.set(fts, (broad = n > BROAD_TERM));
        }
        return broad;
      },
    });
  }

  /** A prepared statement, reused: preparing costs as much as running a small query. */
  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      if (this.statements.size >= 256) this.statements.clear();
      this.statements.set(sql, (s = this.db.prepare(sql)));
    }
    return s;
  }

  private origin(logId: number): string {
    let o = this.origins.get(logId);
    if (o === undefined) {
      const r = this.db.prepare('SELECT origin FROM logs WHERE id = ?').get(logId) as
        { origin: string } | undefined;
      o = r?.origin ?? `log ${logId}`;
      this.origins.set(logId, o);
    }
    return o;
  }

  private toRow(r: DbRow): SearchRow {
    return {
      id: r.id,
      log: this.origin(r.log_id),
      index: r.idx,
      time: r.time,
      kind: r.kind,
      source: r.source,
      category: r.category,
      action: r.action,
      outcome: r.outcome,
      actor: r.actor,
      actorType: r.actor_type,
      actorRole: r.actor_role,
      ip: r.ip,
      target: r.target,
      targetType: r.target_type,
      subject: r.subject,
      severity: r.severity,
    };
  }

  /** One page of results, in time or log order. */
  page(req: PageRequest): Page {
    return this.fetch(req, false) as Page;
  }

  /** A page with each entry's bytes. */
  pageWithData(req: PageRequest): { rows: FullRow[]; next: Cursor | null } {
    return this.fetch(req, true) as { rows: FullRow[]; next: Cursor | null };
  }

  private fetch(req: PageRequest, withData: boolean): Page {
    const { where, params } = this.compile(req.query);
    const sort = req.sort ?? 'time';
    const order = req.order ?? 'desc';
    const limit = checkLimit(req.limit ?? 100);
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    const orderBy =
      sort === 'time' ? `e.time ${dir}, e.id ${dir}` : `e.log_id ${dir}, e.idx ${dir}`;
    const select = (extra: string, extraParams: SqlValue[], n: number, offset = 0) =>
      this.stmt(
        `SELECT ${ROW_COLUMNS}${withData ? ', (SELECT data FROM entry_data WHERE id = e.id) AS data' : ''} FROM entries e WHERE (${where})${extra} ORDER BY ${orderBy} LIMIT ? OFFSET ?`,
      ).all(...params, ...extraParams, n, offset) as DbRow[];

    let rows: DbRow[];
    if (req.after) {
      rows = [];
      for (const [cond, condParams] of keysetSteps(sort, order, req.after)) {
        rows.push(...select(` AND ${cond}`, condParams, limit - rows.length));
        if (rows.length >= limit) break;
      }
    } else {
      const offset = req.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0)
        throw new RangeError('offset must be a whole number, 0 or more');
      const jump =
        where === '1' && sort === 'time' && offset >= this.deepOffset
          ? this.jumpInTime(order, offset)
          : null;
      if (jump) {
        rows = select(` AND ${jump.cond}`, [jump.bound], limit, jump.offset);
        // Descending, the entries without a time come after the oldest one.
        if (rows.length < limit && jump.thenNulls)
          rows.push(...select(' AND e.time IS NULL', [], limit - rows.length, 0));
      } else rows = select('', [], limit, offset);
    }
    const last = rows[rows.length - 1];
    const next =
      rows.length === limit && last
        ? sort === 'time'
          ? { key: last.time, id: last.id }
          : { key: last.log_id, id: last.idx }
        : null;
    return {
      rows: rows.map((r) =>
        withData
          ? { ...this.toRow(r), data: (r as DbRow & { data: Uint8Array }).data }
          : this.toRow(r),
      ),
      next,
    };
  }

  count(query: string): number {
    const { where, params, fullText } = this.compile(query);
    if (fullText !== undefined)
      return (
        this.stmt('SELECT count(*) AS n FROM entries_fts WHERE entries_fts MATCH ?').get(
          fullText,
        ) as { n: number }
      ).n;
    return (
      this.stmt(`SELECT count(*) AS n FROM entries e WHERE ${where}`).get(...params) as {
        n: number;
      }
    ).n;
  }

  /**
   * The most frequent values of each field among the matches, most frequent first (ties by
   * value). The fields are counted together in one pass over the matches, not one pass each.
   */
  facets(query: string, fields: string[], limit = 10): Record<string, FacetValue[]> {
    const { where, params } = this.compile(query);
    const n = Math.min(Math.max(1, Math.floor(limit)), MAX_FACET_VALUES);
    const specs = fields.map((name) => {
      const f = searchField(name);
      if (!f || !['text', 'severity', 'log'].includes(f.type))
        throw new QueryError(
          `${JSON.stringify(name)} cannot be a facet: use one of ${facetFields().join(', ')}`,
          1,
        );
      return { name, column: f.column, counts: new Map<string | number, number>() };
    });
    const out: Record<string, FacetValue[]> = {};
    if (specs.length === 0) return out;
    const rows = this.stmt(
      `SELECT ${specs.map((f) => `e.${f.column}`).join(', ')} FROM entries e WHERE ${where}`,
    )
      .raw(true)
      .iterate(...params) as Iterable<Array<string | number | null>>;
    for (const row of rows)
      for (let i = 0; i < specs.length; i++) {
        const v = row[i];
        if (v !== null) specs[i].counts.set(v, (specs[i].counts.get(v) ?? 0) + 1);
      }
    for (const f of specs) {
      const values = [...f.counts]
        .map(([v, count]) => ({
          value: f.column === 'log_id' ? this.origin(v as number) : String(v),
          count,
        }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      out[f.name] = values.slice(0, n);
    }
    return out;
  }

  /**
   * Matches over time. The span is the query's own (first to last match) unless given; the
   * bucket width is the smallest readable one that gives at most `target` buckets.
   */
  histogram(query: string, opts: { from?: number; to?: number; target?: number } = {}): Histogram {
    const { where, params } = this.compile(query);
    const everything = where === '1';
    let { from, to } = opts;
    const ownSpan = from === undefined && to === undefined;
    if (from === undefined || to === undefined) {
      // Separately, min and max are each one step down the time index; together, a scan.
      const [lo, hi] = (['min', 'max'] as const).map(
        (f) =>
          (
            this.stmt(`SELECT ${f}(e.time) AS t FROM entries e WHERE ${where}`).get(...params) as {
              t: number | null;
            }
          ).t,
      );
      if (lo === null || hi === null) return { bucketMs: BUCKETS_MS[0], buckets: [] };
      from ??= lo;
      to ??= hi + 1;
    }
    const target = Math.min(Math.max(opts.target ?? 100, 1), 2000);
    const width = Math.max(1, to - from);
    const bucketMs = BUCKETS_MS.find((b) => width / b <= target) ?? BUCKETS_MS.at(-1)!;
    // Everything, over its own span, in buckets of whole hours: the hourly counts add up to it.
    const rows = (
      everything && ownSpan && bucketMs % TIME_BUCKET_MS === 0
        ? this.stmt(
            `SELECT start - (((start % ?) + ?) % ?) AS b, sum(n) AS n FROM time_buckets
             GROUP BY b ORDER BY b`,
          ).all(bucketMs, bucketMs, bucketMs)
        : this.stmt(
            `SELECT e.time - (((e.time % ?) + ?) % ?) AS b, count(*) AS n FROM entries e
             WHERE (${where}) AND e.time >= ? AND e.time < ? GROUP BY b ORDER BY b`,
          ).all(bucketMs, bucketMs, bucketMs, ...params, from, to)
    ) as Array<{ b: number; n: number }>;
    return { bucketMs, buckets: rows.map((r) => ({ start: r.b, count: r.n })) };
  }

  /**
   * Where row `offset` of every entry in time order is, from the hourly counts: a time bound and
   * the few rows to skip past it, instead of counting through every row before it. Null when the
   * row is among the entries without a time.
   */
  private jumpInTime(
    order: SortOrder,
    offset: number,
  ): { cond: string; bound: number; offset: number; thenNulls: boolean } | null {
    let skip = offset;
    if (order === 'asc') {
      const nulls = (
        this.stmt('SELECT count(*) AS n FROM entries WHERE time IS NULL').get() as { n: number }
      ).n;
      if (skip < nulls) return null;
      skip -= nulls;
    }
    const buckets = this.stmt(
      `SELECT start, n FROM time_buckets ORDER BY start ${order === 'desc' ? 'DESC' : 'ASC'}`,
    )
      .raw(true)
      .all() as Array<[number, number]>;
    for (const [start, n] of buckets) {
      if (skip < n)
        return order === 'desc'
          ? { cond: 'e.time < ?', bound: start + TIME_BUCKET_MS, offset: skip, thenNulls: true }
          : { cond: 'e.time >= ?', bound: start, offset: skip, thenNulls: false };
      skip -= n;
    }
    // Past every entry with a time: among those without one (descending), or past the end.
    return order === 'desc'
      ? { cond: 'e.time IS NULL AND -1 < ?', bound: 0, offset: skip, thenNulls: false }
      : { cond: 'e.time >= ?', bound: Number.MAX_SAFE_INTEGER, offset: skip, thenNulls: false };
  }

  /** One entry's normalised fields and its bytes, by its row id in this cache. */
  entry(id: number): { row: SearchRow; data: Uint8Array; leafHash: Uint8Array } | null {
    const r = this.db
      .prepare(
        `SELECT ${ROW_COLUMNS}, d.data, e.leaf_hash FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.id = ?`,
      )
      .get(id) as (DbRow & { data: Uint8Array; leaf_hash: Uint8Array }) | undefined;
    return r ? { row: this.toRow(r), data: r.data, leafHash: r.leaf_hash } : null;
  }

  saveSearch(name: string, query: string, sort = 'time-desc', now = Date.now()): SavedSearch {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 200)
      throw new RangeError('a saved search needs a name of 1 to 200 characters');
    this.compile(query);
    this.db
      .prepare(
        `INSERT INTO saved_searches (name, query, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET query = excluded.query, sort = excluded.sort, updated_at = excluded.updated_at`,
      )
      .run(trimmed, query, sort, now, now);
    return this.savedSearches().find((s) => s.name === trimmed)!;
  }

  savedSearches(): SavedSearch[] {
    return (
      this.db.prepare('SELECT * FROM saved_searches ORDER BY name').all() as Array<{
        id: number;
        name: string;
        query: string;
        sort: string;
        created_at: number;
        updated_at: number;
      }>
    ).map((r) => ({
      id: r.id,
      name: r.name,
      query: r.query,
      sort: r.sort,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  deleteSavedSearch(name: string): boolean {
    return this.db.prepare('DELETE FROM saved_searches WHERE name = ?').run(name).changes > 0;
  }

  /** Records a search that was run; the newest HISTORY_KEEP are kept. */
  remember(query: string, total: number | null, now = Date.now()) {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO search_history (query, ran_at, total) VALUES (?, ?, ?)')
        .run(query, now, total);
      this.db
        .prepare(
          'DELETE FROM search_history WHERE id <= (SELECT id FROM search_history ORDER BY id DESC LIMIT 1 OFFSET ?)',
        )
        .run(HISTORY_KEEP);
    })();
  }

  history(limit = 50): Array<{ query: string; ranAt: number; total: number | null }> {
    return (
      this.db
        .prepare('SELECT query, ran_at, total FROM search_history ORDER BY id DESC LIMIT ?')
        .all(Math.min(Math.max(1, limit), HISTORY_KEEP)) as Array<{
        query: string;
        ran_at: number;
        total: number | null;
      }>
    ).map((r) => ({ query: r.query, ranAt: r.ran_at, total: r.total }));
  }
}

/** The fields that can be facets. */
export function facetFields(): string[] {
  return SEARCH_FIELDS.filter((f) => ['text', 'severity', 'log'].includes(f.type)).map(
    (f) => f.name,
  );
}

function checkLimit(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PAGE)
    throw new RangeError(`a page holds 1 to ${MAX_PAGE} rows`);
  return n;
}

/**
 * The conditions that continue a result after a cursor, in order. SQLite sorts missing times
 * (NULL) first, so in descending time order they come last and in ascending order first.
 */
function keysetSteps(sort: SortKey, order: SortOrder, after: Cursor): Array<[string, SqlValue[]]> {
  const { key, id } = after;
  if (!Number.isSafeInteger(id) || (key !== null && !Number.isSafeInteger(key)))
    throw new RangeError('the cursor is not one this search gave');
  const cmp = order === 'desc' ? '<' : '>';
  if (sort === 'index') {
    if (key === null) throw new RangeError('the cursor is not one this search gave');
    return [[`(e.log_id, e.idx) ${cmp} (?, ?)`, [key, id]]];
  }
  if (key === null) {
    return order === 'desc'
      ? [[`e.time IS NULL AND e.id < ?`, [id]]]
      : [
          [`e.time IS NULL AND e.id > ?`, [id]],
          ['e.time IS NOT NULL', []],
        ];
  }
  const steps: Array<[string, SqlValue[]]> = [[`(e.time, e.id) ${cmp} (?, ?)`, [key, id]]];
  if (order === 'desc') steps.push(['e.time IS NULL', []]);
  return steps;
}
