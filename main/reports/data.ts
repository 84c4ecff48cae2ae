/**
 * The numbers and events behind a report, read from the cache with SQL.
 *
 * Every figure is kept with the statement and parameters that produced it, so that anyone with
 * the cache (a test, an auditor with the SQLCipher key) can run the same statement and get the
 * same number. Statements go down the (column, time) indexes, one range per value, and the
 * hourly counts in time_buckets: a quarter of a million-entry cache is counted in well under a
 * second. Entry bytes are read only for the few events a report lists (their attributes say
 * whether an export was large or a role change had a ticket).
 */
import type { Database, Statement } from 'better-sqlite3-multiple-ciphers';
import { bytesEqual, toBase64, toHex } from '../../shared/bytes';
import { parseCheckpointText } from '../../shared/tlog/checkpoint';
import { createTreeHasher } from '../../shared/tlog/hasher';
import { hashRange } from '../../shared/tlog/merkle';
import { parseNote } from '../../shared/tlog/note';
import { parsePolicy, verifyCheckpoint, type TrustPolicy } from '../../shared/tlog/policy';
import type {
  Case,
  CaseEvent,
  CaseNote,
  CaseService,
  CaseSummary,
  CustodyRecord,
  EvidenceFile as CaseEvidence,
  TimelineItem,
} from '../cases/service';
import { nodeCrypto } from '../crypto/nodeCrypto';
import { runDetections, type Finding } from '../detect/engine';
import { BUILT_IN_RULES } from '../detect/rules';
import type { SearchService } from '../search/service';
import type { AlarmRow, CacheStore, CheckpointRow } from '../store/cacheStore';
import { cacheNodeReader } from '../store/cacheTree';
import { verifyCache, type CacheVerifyReport } from '../store/verifyCache';
import type { Period } from '../../shared/reports/period';

export type SqlValue = string | number | null;

/** A number in a report and the statement that produced it. */
export interface Figure {
  key: string;
  label: string;
  value: number;
  sql: string;
  params: SqlValue[];
  /** When the number is worked out from the rows the statement returns, how. */
  derivation?: string;
}

/** A search in the console's query language that finds what a figure counts. */
export interface QueryCount {
  name: string;
  query: string;
  count: number;
}

export interface Counted {
  value: string;
  count: number;
}

/** An entry as a report lists it. */
export interface EventRow {
  id: number;
  origin: string;
  index: number;
  time: number | null;
  source: string | null;
  category: string | null;
  action: string | null;
  outcome: string | null;
  actor: string | null;
  actorType: string | null;
  ip: string | null;
  target: string | null;
  subject: string | null;
  severity: string | null;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The most events one section lists one by one; beyond, it says how many more there are. */
export const MAX_LISTED = 200;
/** Exports above this many records are listed individually (background exports stay below). */
export const LARGE_EXPORT = 250;

const EVENT_COLUMNS = `e.id, e.log_id, e.idx, e.time, e.source, e.category, e.action, e.outcome,
  e.actor, e.actor_type, e.ip, e.target, e.subject, e.severity`;

interface RawEvent {
  id: number;
  log_id: number;
  idx: number;
  time: number | null;
  source: string | null;
  category: string | null;
  action: string | null;
  outcome: string | null;
  actor: string | null;
  actor_type: string | null;
  ip: string | null;
  target: string | null;
  subject: string | null;
  severity: string | null;
}

/** Columns with a (column COLLATE NOCASE, time) index: the only ones counted value by value. */
type IndexedColumn = 'source' | 'category' | 'action' | 'outcome' | 'severity';

/** Reads figures and events from the cache, recording each figure's statement. */
export class Ledger {
  readonly figures: Figure[] = [];
  private readonly origins = new Map<number, string>();
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Database) {
    for (const r of db.prepare('SELECT id, origin FROM logs').all() as Array<{
      id: number;
      origin: string;
    }>)
      this.origins.set(r.id, r.origin);
  }

  stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /** Runs a statement returning one number, and records it as a figure. */
  count(key: string, label: string, sql: string, params: SqlValue[]): number {
    const value = Number(
      this.stmt(sql)
        .pluck()
        .get(...params) ?? 0,
    );
    this.figures.push({ key, label, value, sql, params });
    return value;
  }

  /** Records a number worked out from rows. */
  derived(key: string, label: string, value: number, sql: string, params: SqlValue[], how: string) {
    this.figures.push({ key, label, value, sql, params, derivation: how });
    return value;
  }

  origin(logId: number): string {
    return this.origins.get(logId) ?? `log ${logId}`;
  }

  event(r: RawEvent): EventRow {
    return {
      id: r.id,
      origin: this.origin(r.log_id),
      index: r.idx,
      time: r.time,
      source: r.source,
      category: r.category,
      action: r.action,
      outcome: r.outcome,
      actor: r.actor,
      actorType: r.actor_type,
      ip: r.ip,
      target: r.target,
      subject: r.subject,
      severity: r.severity,
    };
  }

  /** Events matching a condition over `entries e`, oldest first. */
  events(where: string, params: SqlValue[], limit = 100_000): EventRow[] {
    return (
      this.stmt(
        `SELECT ${EVENT_COLUMNS} FROM entries e WHERE ${where} ORDER BY e.time, e.id LIMIT ?`,
      ).all(...params, limit) as RawEvent[]
    ).map((r) => this.event(r));
  }

  /** Events by row id. */
  eventsById(ids: number[]): EventRow[] {
    const s = this.stmt(`SELECT ${EVENT_COLUMNS} FROM entries e WHERE e.id = ?`);
    return ids
      .map((id) => s.get(id) as RawEvent | undefined)
      .filter((r): r is RawEvent => !!r)
      .map((r) => this.event(r));
  }

  /** An entry's record, parsed (null when it is not JSON). */
  record(id: number): Record<string, unknown> | null {
    const r = this.stmt('SELECT data FROM entry_data WHERE id = ?').get(id) as
      { data: Uint8Array } | undefined;
    if (!r) return null;
    try {
      const v = JSON.parse(Buffer.from(r.data).toString('utf8')) as unknown;
      return typeof v === 'object' && v !== null && !Array.isArray(v)
        ? (v as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  }

  /**
   * The values of an indexed column, each once (ignoring ASCII case, as searches do), found by
   * stepping down the index from one value to the next rather than reading every row.
   */
  distinct(column: IndexedColumn): string[] {
    const next = this.stmt(
      `SELECT ${column} FROM entries WHERE ${column} > ? COLLATE NOCASE ORDER BY ${column} COLLATE NOCASE LIMIT 1`,
    ).pluck();
    const out: string[] = [];
    let v = '';
    for (;;) {
      const n = next.get(v) as string | undefined;
      if (n === undefined || n === null) break;
      out.push(n);
      v = n;
    }
    return out;
  }

  /** Entries per value of an indexed column in [from, to), most first; each count is a figure. */
  countsBy(column: IndexedColumn, from: number, to: number, label: string): Counted[] {
    const out: Counted[] = [];
    for (const value of this.distinct(column)) {
      const count = this.count(
        `${column}.${value}`,
        `${label} ${value}`,
        `SELECT count(*) FROM entries WHERE ${column} = ? COLLATE NOCASE AND time >= ? AND time < ?`,
        [value, from, to],
      );
      if (count > 0) out.push({ value, count });
    }
    return out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  }
}

/** One statement counting entries whose action is any of `actions` in [from, to), by index. */
export function actionCountSql(actions: readonly string[]): string {
  if (actions.length === 0) return 'SELECT 0';
  return (
    'SELECT ' +
    actions
      .map(
        () =>
          '(SELECT count(*) FROM entries WHERE action = ? COLLATE NOCASE AND time >= ? AND time < ?)',
      )
      .join(' + ')
  );
}

export const actionCountParams = (actions: readonly string[], from: number, to: number) =>
  actions.flatMap((a) => [a, from, to]);

// ------------------------------------------------------------------------------------------------
// The logs: what they hold, their checkpoints, and the checks a report can make quickly

export interface CheckpointInfo {
  size: number;
  root: string;
  rootHex: string;
  note: string;
  seenAt: number;
  acceptedAt: number | null;
  /** Who signed: the log and any witnesses, as `name+keyid`. */
  signers: Array<{ name: string; keyId: string; role: 'log' | 'witness' | 'unknown' }>;
  witnesses: Array<{ name: string; timestamp: number }>;
  /** The signature verified against the trust policy now (null without a policy). */
  signatureOk: boolean | null;
  /** The stored hashes lead to this checkpoint's root. */
  rootOk: boolean;
  problem: string | null;
}

export interface LogInfo {
  id: number;
  origin: string;
  stored: number;
  maxIndex: number | null;
  verifiedSize: number;
  /** Entries at indexes 0..maxIndex missing from the cache, or the checkpoint beyond them. */
  gaps: number;
  firstTime: number | null;
  lastTime: number | null;
  periodEntries: number;
  firstIndex: number | null;
  lastIndex: number | null;
  checkpoints: CheckpointInfo[];
}

function signersOf(note: string, policy: TrustPolicy | null) {
  try {
    return parseNote(note).signatures.map((s) => {
      const keyId = s.keyId.toString(16).padStart(8, '0');
      const isLog = policy?.logs.some(
        (l) => l.verifier.name === s.name && l.verifier.keyId === s.keyId,
      );
      const isWitness = policy?.witnesses.some(
        (w) => w.verifier.name === s.name && w.verifier.keyId === s.keyId,
      );
      return {
        name: s.name,
        keyId,
        role: isLog ? ('log' as const) : isWitness ? ('witness' as const) : ('unknown' as const),
      };
    });
  } catch {
    return [];
  }
}

function checkpointInfo(
  store: CacheStore,
  cp: CheckpointRow,
  origin: string,
  policy: TrustPolicy | null,
  newest: boolean,
): CheckpointInfo {
  const hasher = createTreeHasher(nodeCrypto.sha256);
  let problem: string | null = null;
  let signatureOk: boolean | null = null;
  try {
    const body = parseCheckpointText(parseNote(cp.note).text);
    if (body.origin !== origin || body.size !== cp.size || !bytesEqual(body.root, cp.root))
      problem = 'the stored checkpoint does not match its own signed note';
  } catch (e) {
    problem = `the stored checkpoint cannot be read: ${(e as Error).message}`;
  }
  if (policy) {
    try {
      verifyCheckpoint(nodeCrypto, cp.note, policy);
      signatureOk = true;
    } catch (e) {
      signatureOk = false;
      // An older checkpoint signed by a key since rotated out of the policy is still history.
      if (newest) problem ??= (e as Error).message;
    }
  }
  let rootOk = false;
  try {
    rootOk =
      cp.size === 0 ||
      bytesEqual(hashRange(hasher, 0, cp.size, cacheNodeReader(store, hasher, cp.logId)), cp.root);
    if (!rootOk) problem ??= `the stored hashes do not lead to the root of checkpoint ${cp.size}`;
  } catch (e) {
    problem ??= `the stored hashes up to checkpoint ${cp.size}: ${(e as Error).message}`;
  }
  return {
    size: cp.size,
    root: toBase64(cp.root),
    rootHex: toHex(cp.root),
    note: cp.note,
    seenAt: cp.seenAt,
    acceptedAt: cp.acceptedAt,
    signers: signersOf(cp.note, policy),
    witnesses: cp.witnesses,
    signatureOk,
    rootOk,
    problem,
  };
}

/** The logs of the cache, their checkpoints (checked now) and their entries in [from, to). */
export function logsInfo(
  l: Ledger,
  store: CacheStore,
  policy: TrustPolicy | null,
  from: number,
  to: number,
): LogInfo[] {
  const logs = store.listLogs();
  return logs.map((log) => {
    const key = `log.${log.origin}`;
    const stored = l.count(
      `${key}.stored`,
      `entries of ${log.origin} in the cache`,
      'SELECT count(*) FROM entries WHERE log_id = ?',
      [log.id],
    );
    const maxIndex = l.stmt('SELECT max(idx) FROM entries WHERE log_id = ?').pluck().get(log.id) as
      number | null;
    const accepted = store.acceptedCheckpoints(log.id);
    const verifiedSize = accepted.length ? accepted[accepted.length - 1].size : 0;
    // With one log, the period's index range comes from the time index alone (row ids follow
    // the log's order); with several, each log is counted on its own.
    const range = (
      logs.length === 1
        ? l
            .stmt(
              `SELECT r.n, (SELECT idx FROM entries WHERE id = r.a) AS lo,
                 (SELECT idx FROM entries WHERE id = r.b) AS hi
               FROM (SELECT count(*) AS n, min(id) AS a, max(id) AS b FROM entries
                     WHERE time >= ? AND time < ?) r`,
            )
            .get(from, to)
        : l
            .stmt(
              'SELECT count(*) AS n, min(idx) AS lo, max(idx) AS hi FROM entries WHERE log_id = ? AND time >= ? AND time < ?',
            )
            .get(log.id, from, to)
    ) as { n: number; lo: number | null; hi: number | null };
    const periodEntries = l.derived(
      `${key}.period`,
      `entries of ${log.origin} in the period`,
      range.n,
      logs.length === 1
        ? 'SELECT count(*) FROM entries WHERE time >= ? AND time < ?'
        : 'SELECT count(*) FROM entries WHERE log_id = ? AND time >= ? AND time < ?',
      logs.length === 1 ? [from, to] : [log.id, from, to],
      'the count of the statement',
    );
    const firstIndex = range.n > 0 ? range.lo : null;
    const lastIndex = range.n > 0 ? range.hi : null;
    // min and max apart: each is one step down the time index; together they are a scan.
    const [firstTime, lastTime] = (['min', 'max'] as const).map(
      (f) =>
        (logs.length === 1
          ? l.stmt(`SELECT ${f}(time) FROM entries`).pluck().get()
          : l.stmt(`SELECT ${f}(time) FROM entries WHERE log_id = ?`).pluck().get(log.id)) as
          number | null,
    );
    return {
      id: log.id,
      origin: log.origin,
      stored,
      maxIndex,
      verifiedSize,
      gaps: Math.max(0, (maxIndex ?? -1) + 1 - stored) + Math.max(0, verifiedSize - stored),
      firstTime,
      lastTime,
      periodEntries,
      firstIndex,
      lastIndex,
      checkpoints: accepted.map((cp, i) =>
        checkpointInfo(store, cp, log.origin, policy, i === accepted.length - 1),
      ),
    };
  });
}

export function policyOf(trustText: string | null): TrustPolicy | null {
  return trustText ? parsePolicy(nodeCrypto, trustText, 'the trust policy') : null;
}

// ------------------------------------------------------------------------------------------------
// A period

export type BucketUnit = 'week' | 'day' | 'hour';

export interface Bucket {
  start: number;
  end: number;
  label: string;
  /** A weekend (days) or a night hour: shaded in charts. */
  shade: boolean;
  total: number;
  failedLogins: number;
  security: number;
  privacy: number;
  exports: number;
}

export interface PrivilegeChange extends EventRow {
  ticket: string | null;
  change: string;
  reasons: string[];
}

export interface ExportEvent extends EventRow {
  records: number | null;
  reasons: string[];
}

export interface RequestRow {
  requestId: string;
  type: string;
  law: string;
  opened: EventRow;
  deadline: number;
  deadlineText: string;
  closed: EventRow | null;
  /** Days from opening to closing, or to the end of the period while open. */
  days: number;
  overdue: boolean;
  status: string;
}

export interface BreachRow extends EventRow {
  breachId: string;
  affected: number | null;
  regulatorNotified: boolean | null;
  cause: string;
}

export interface FindingInPeriod extends Finding {
  /** Matched events, with their log positions. */
  matched: EventRow[];
  /** Whether a case holds any of its matched events. */
  inCase: boolean;
}

export interface PeriodData {
  period: Period;
  /** When deadlines are judged: the end of the period, or now if that is earlier. */
  asOf: number;
  logs: LogInfo[];
  total: number;
  byCategory: Counted[];
  bySource: Counted[];
  byAction: Counted[];
  bySeverity: Counted[];
  unit: BucketUnit;
  buckets: Bucket[];
  logins: number;
  failedLogins: number;
  failedBySource: Counted[];
  failedByIp: Counted[];
  failedByAccount: Counted[];
  security: number;
  privilege: {
    actions: Counted[];
    total: number;
    withoutTicket: number;
    outsideHours: number;
    notable: PrivilegeChange[];
  };
  exports: {
    actions: Counted[];
    total: number;
    records: number;
    notable: ExportEvent[];
  };
  privacy: {
    opened: number;
    closed: number;
    overdue: number;
    openAtEnd: number;
    requests: RequestRow[];
    consentGiven: number;
    consentWithdrawn: number;
    breaches: BreachRow[];
  };
  findings: FindingInPeriod[];
  rulesRun: number;
  cases: { opened: CaseSummary[]; closed: CaseSummary[] };
  alarms: AlarmRow[];
  /** Notable events for a day's hour-by-hour list (daily summaries). */
  notable: EventRow[];
  figures: Figure[];
  queries: QueryCount[];
}

const LOGIN = 'user.login';
const PRIVILEGE_ACTIONS = ['user.role.change', 'permission.grant'];
const REQUEST_OPEN = ['dsr.open', 'gdpr.erasure.request'];
const REQUEST_CLOSE = ['dsr.close', 'client.erase'];
const BREACH = 'breach.record.create';

/** 07:00 to 19:00 UTC on a weekday: when privileges are changed (see the detection rules). */
export const workingHours = (t: number) => {
  const d = new Date(t);
  const day = d.getUTCDay();
  return day !== 0 && day !== 6 && d.getUTCHours() >= 7 && d.getUTCHours() < 19;
};
/** 22:00 to 06:00 UTC: night, for exports. */
export const atNight = (t: number) => {
  const h = new Date(t).getUTCHours();
  return h >= 22 || h < 6;
};

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
const pad2 = (n: number) => String(n).padStart(2, '0');
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** ISO week number of a day. */
function isoWeek(t: number): number {
  const d = new Date(t);
  const day = (d.getUTCDay() + 6) % 7;
  const thursday = t - day * DAY + 3 * DAY;
  const yearStart = Date.UTC(new Date(thursday).getUTCFullYear(), 0, 1);
  return Math.floor((thursday - yearStart) / (7 * DAY)) + 1;
}

function bucketsOf(period: Period): { unit: BucketUnit; buckets: Bucket[] } {
  const out: Bucket[] = [];
  const empty = { total: 0, failedLogins: 0, security: 0, privacy: 0, exports: 0 };
  if (period.kind === 'day') {
    for (let t = period.from; t < period.to; t += HOUR) {
      const h = new Date(t).getUTCHours();
      out.push({ start: t, end: t + HOUR, label: pad2(h), shade: h < 6 || h >= 22, ...empty });
    }
    return { unit: 'hour', buckets: out };
  }
  if (period.kind === 'quarter') {
    let t = period.from;
    while (t < period.to) {
      const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * DAY;
      const end = Math.min(period.to, monday + 7 * DAY);
      out.push({ start: t, end, label: `W${isoWeek(t)}`, shade: false, ...empty });
      t = end;
    }
    return { unit: 'week', buckets: out };
  }
  for (let t = period.from; t < period.to; t += DAY) {
    const d = new Date(t);
    const wd = d.getUTCDay();
    out.push({
      start: t,
      end: t + DAY,
      label: period.kind === 'week' ? `${WEEKDAYS[wd]} ${d.getUTCDate()}` : String(d.getUTCDate()),
      shade: wd === 0 || wd === 6,
      ...empty,
    });
  }
  return { unit: 'day', buckets: out };
}

/** Adds rows' times into the buckets they fall in (buckets are in time order). */
function fillBuckets(
  buckets: Bucket[],
  times: Iterable<number>,
  field: 'failedLogins' | 'security' | 'privacy' | 'exports',
) {
  for (const t of times) {
    let lo = 0;
    let hi = buckets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (buckets[mid].start <= t) lo = mid;
      else hi = mid - 1;
    }
    if (buckets[lo] && t >= buckets[lo].start && t < buckets[lo].end) buckets[lo][field]++;
  }
}

const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const attrs = (rec: Record<string, unknown> | null): Record<string, unknown> => {
  const a = rec?.attributes;
  return typeof a === 'object' && a !== null && !Array.isArray(a)
    ? (a as Record<string, unknown>)
    : {};
};

export interface PeriodContext {
  store: CacheStore;
  search: SearchService;
  cases: CaseService;
  policy: TrustPolicy | null;
  now: number;
}

/** A time range in the query language covering [from, to) (periods start and end on days). */
export function queryRange(p: Period): string {
  const last = isoDay(p.to - 1);
  const first = isoDay(p.from);
  return first === last ? `time:${first}` : `time:[${first} TO ${last}]`;
}

/**
 * Everything a period report shows, from the cache. Throws when the cache holds no entry in the
 * period, naming it.
 */
export function gatherPeriod(
  ctx: PeriodContext,
  period: Period,
  onProgress: (step: string) => void = () => {},
): PeriodData {
  const { store } = ctx;
  const l = new Ledger(store.db);
  const { from, to } = period;
  const asOf = Math.min(to, ctx.now);
  const P = [from, to];

  onProgress('counting the entries of the period');
  const total = l.count(
    'total',
    'entries in the period',
    'SELECT count(*) FROM entries WHERE time >= ? AND time < ?',
    P,
  );
  if (total === 0) {
    const span = {
      a: l.stmt('SELECT min(time) FROM entries').pluck().get() as number | null,
      b: l.stmt('SELECT max(time) FROM entries').pluck().get() as number | null,
    };
    throw new Error(
      span.a === null
        ? `the cache holds no entry at all: sync a log before making a report for ${period.id}`
        : `the cache holds no entry in ${period.id} (its entries run from ${isoDay(span.a)} to ${isoDay(span.b!)})`,
    );
  }
  const logs = logsInfo(l, store, ctx.policy, from, to);
  const byCategory = l.countsBy('category', from, to, 'entries in category');
  const bySource = l.countsBy('source', from, to, 'entries from source');
  const byAction = l.countsBy('action', from, to, 'entries with action');
  const bySeverity = l.countsBy('severity', from, to, 'entries of severity');
  const actionCount = new Map(byAction.map((a) => [a.value.toLowerCase(), a.count]));

  onProgress('activity over time');
  const { unit, buckets } = bucketsOf(period);
  // Whole hours: the hourly counts add up exactly to each bucket.
  const hourly = l
    .stmt('SELECT start, n FROM time_buckets WHERE start >= ? AND start < ? ORDER BY start')
    .raw(true)
    .all(from, to) as Array<[number, number]>;
  for (const [start, n] of hourly) {
    const b = buckets.find((x) => start >= x.start && start < x.end);
    if (b) b.total += n;
  }
  const timesOf = (sql: string, params: SqlValue[]) =>
    l
      .stmt(sql)
      .pluck()
      .all(...params) as number[];

  onProgress('access and security events');
  const logins = l.count(
    'logins',
    'logins (action user.login)',
    'SELECT count(*) FROM entries WHERE action = ? COLLATE NOCASE AND time >= ? AND time < ?',
    [LOGIN, from, to],
  );
  // Failures are few: walk the outcome index and check the action on each row.
  const failedWhere = `outcome = 'failure' COLLATE NOCASE AND time >= ? AND time < ? AND +action = '${LOGIN}' COLLATE NOCASE`;
  // Read the failures once (their time, source, address and account) and count them here.
  const failedSql = `SELECT time, source, ip, actor FROM entries WHERE ${failedWhere}`;
  const failed = l.stmt(failedSql).all(...P) as Array<{
    time: number;
    source: string | null;
    ip: string | null;
    actor: string | null;
  }>;
  const failedLogins = l.derived(
    'failedLogins',
    'failed logins (action user.login, outcome failure)',
    failed.length,
    failedSql,
    P,
    'the number of rows',
  );
  const tally = (col: 'source' | 'ip' | 'actor', limit: number): Counted[] => {
    const m = new Map<string, number>();
    for (const r of failed) m.set(r[col] ?? '(none)', (m.get(r[col] ?? '(none)') ?? 0) + 1);
    return [...m]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, limit);
  };
  const failedBySource = tally('source', 20);
  for (const s of failedBySource)
    l.derived(
      `failedLogins.source.${s.value}`,
      `failed logins from source ${s.value}`,
      s.count,
      failedSql,
      P,
      'the rows of the source',
    );
  const failedByIp = tally('ip', 10);
  const failedByAccount = tally('actor', 10);
  fillBuckets(
    buckets,
    failed.map((r) => r.time),
    'failedLogins',
  );

  const security = l.count(
    'security',
    'security events (category security)',
    "SELECT count(*) FROM entries WHERE category = 'security' COLLATE NOCASE AND time >= ? AND time < ?",
    P,
  );
  fillBuckets(
    buckets,
    timesOf(
      "SELECT time FROM entries WHERE category = 'security' COLLATE NOCASE AND time >= ? AND time < ?",
      P,
    ),
    'security',
  );
  fillBuckets(
    buckets,
    timesOf(
      "SELECT time FROM entries WHERE category = 'privacy' COLLATE NOCASE AND time >= ? AND time < ?",
      P,
    ),
    'privacy',
  );

  // Privilege changes: role changes and permission grants.
  const privActions = PRIVILEGE_ACTIONS.map((a) => ({ value: a, count: actionCount.get(a) ?? 0 }));
  const privilegeTotal = l.count(
    'privilege.total',
    'privilege changes (user.role.change, permission.grant)',
    actionCountSql(PRIVILEGE_ACTIONS),
    actionCountParams(PRIVILEGE_ACTIONS, from, to),
  );
  const privilegeRows = PRIVILEGE_ACTIONS.flatMap((a) =>
    l.events('e.action = ? COLLATE NOCASE AND e.time >= ? AND e.time < ?', [a, from, to]),
  ).sort((a, b) => (a.time ?? 0) - (b.time ?? 0) || a.id - b.id);
  let withoutTicket = 0;
  let outsideHours = 0;
  const privilegeNotable: PrivilegeChange[] = [];
  for (const ev of privilegeRows) {
    const rec = l.record(ev.id);
    const a = attrs(rec);
    const ticket = str(a.changeTicket);
    const reasons: string[] = [];
    if (!ticket) {
      withoutTicket++;
      reasons.push('no change ticket');
    }
    if (ev.time !== null && !workingHours(ev.time)) {
      outsideHours++;
      reasons.push('outside working hours');
    }
    if (reasons.length > 0) {
      const changes = Array.isArray(rec?.changes) ? (rec.changes as unknown[]) : [];
      const change = changes
        .map((c) => {
          const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
          return `${str(o.field) ?? '?'}: ${str(o.before) ?? '—'} → ${str(o.after) ?? '—'}`;
        })
        .join('; ');
      privilegeNotable.push({ ...ev, ticket, change: change || str(a.permission) || '', reasons });
    }
  }
  const privSql = `SELECT e.id, json_extract(d.data, '$.attributes.changeTicket') AS ticket, e.time FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.action IN ('user.role.change', 'permission.grant') AND e.time >= ? AND e.time < ?`;
  l.derived(
    'privilege.withoutTicket',
    'privilege changes without a change ticket',
    withoutTicket,
    privSql,
    P,
    'rows whose ticket is null',
  );
  l.derived(
    'privilege.outsideHours',
    'privilege changes outside 07:00-19:00 UTC on weekdays',
    outsideHours,
    privSql,
    P,
    'rows whose time is at a weekend or outside 07:00-19:00 UTC',
  );

  // Exports: every action ending in .export.
  const exportActions = byAction
    .filter((a) => a.value.toLowerCase().endsWith('.export'))
    .map((a) => a.value);
  const exportsTotal = l.count(
    'exports.total',
    `exports (${exportActions.join(', ') || 'no export actions'})`,
    actionCountSql(exportActions),
    actionCountParams(exportActions, from, to),
  );
  const exportRows = exportActions
    .flatMap((a) =>
      l.events('e.action = ? COLLATE NOCASE AND e.time >= ? AND e.time < ?', [a, from, to]),
    )
    .sort((a, b) => (a.time ?? 0) - (b.time ?? 0) || a.id - b.id);
  let records = 0;
  const exportNotable: ExportEvent[] = [];
  for (const ev of exportRows) {
    const n = num(attrs(l.record(ev.id)).recordCount);
    if (n !== null) records += n;
    const reasons: string[] = [];
    if (n !== null && n > LARGE_EXPORT) reasons.push(`more than ${LARGE_EXPORT} records`);
    if (ev.time !== null && atNight(ev.time)) reasons.push('at night (22:00-06:00 UTC)');
    if (reasons.length > 0) exportNotable.push({ ...ev, records: n, reasons });
  }
  fillBuckets(
    buckets,
    exportRows.map((e) => e.time!).filter((t) => t !== null),
    'exports',
  );
  l.derived(
    'exports.records',
    'records exported (sum of attributes.recordCount)',
    records,
    `SELECT sum(json_extract(d.data, '$.attributes.recordCount')) FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.action IN (${exportActions.map(() => '?').join(', ') || "''"}) AND e.time >= ? AND e.time < ?`,
    [...exportActions, from, to],
    'the sum of the statement',
  );
  l.derived(
    'exports.notable',
    `exports of more than ${LARGE_EXPORT} records or at night`,
    exportNotable.length,
    `SELECT e.id, e.time, json_extract(d.data, '$.attributes.recordCount') FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.action IN (${exportActions.map(() => '?').join(', ') || "''"}) AND e.time >= ? AND e.time < ?`,
    [...exportActions, from, to],
    `rows with more than ${LARGE_EXPORT} records or between 22:00 and 06:00 UTC`,
  );

  onProgress('privacy records');
  const privacy = gatherPrivacy(l, period, asOf);

  onProgress('running the detection rules');
  const hasAws = bySource.some((s) => /amazonaws\.com$/i.test(s.value));
  const rules = BUILT_IN_RULES.filter((r) => hasAws || !r.id.startsWith('aws-'));
  const findings = runDetections(ctx.search, rules, { asOf })
    .filter((f) => f.from !== null && f.from < to && (f.to ?? f.from) >= from)
    .map((f) => {
      const matched = l.eventsById(f.events.filter((e) => e.role === 'match').map((e) => e.id));
      const inCase = matched.some(
        (e) =>
          l
            .stmt('SELECT 1 FROM case_events WHERE origin = ? AND idx = ? LIMIT 1')
            .get(e.origin, e.index) !== undefined,
      );
      return { ...f, matched, inCase };
    });
  l.derived(
    'findings',
    'detection findings in the period',
    findings.length,
    'runDetections(built-in rules)',
    [],
    `findings of ${rules.length} built-in rules whose events fall in the period, judged as of the period's end`,
  );

  onProgress('investigations and alarms');
  const allCases = ctx.cases.list();
  const opened = allCases.filter((c) => c.createdAt >= from && c.createdAt < to);
  const closedIds = new Set(
    l
      .stmt(
        "SELECT DISTINCT case_id FROM case_custody WHERE what = 'closed' AND at >= ? AND at < ?",
      )
      .pluck()
      .all(from, to) as number[],
  );
  const closedCases = allCases.filter((c) => closedIds.has(c.id));
  l.count(
    'cases.opened',
    'cases opened in the period',
    'SELECT count(*) FROM cases WHERE created_at >= ? AND created_at < ?',
    P,
  );
  l.count(
    'cases.closed',
    'cases closed in the period',
    "SELECT count(DISTINCT case_id) FROM case_custody WHERE what = 'closed' AND at >= ? AND at < ?",
    P,
  );
  const alarms = store
    .listAlarms()
    .filter((a) => (a.createdAt >= from && a.createdAt < to) || a.acknowledgedAt === null);
  l.derived(
    'alarms',
    'alarms raised in the period or not acknowledged',
    alarms.length,
    'SELECT * FROM alarms WHERE (created_at >= ? AND created_at < ?) OR acknowledged_at IS NULL',
    P,
    'the rows of the statement',
  );

  // Notable events of a day, listed hour by hour in the daily summary.
  let notable: EventRow[] = [];
  if (period.kind === 'day') {
    const ids = new Set<number>();
    for (const f of findings) for (const e of f.matched) ids.add(e.id);
    for (const e of privilegeNotable) ids.add(e.id);
    for (const e of exportNotable) ids.add(e.id);
    for (const b of privacy.breaches) ids.add(b.id);
    for (const e of l.events(
      "e.category = 'security' COLLATE NOCASE AND e.time >= ? AND e.time < ?",
      P,
      MAX_LISTED,
    ))
      ids.add(e.id);
    for (const sev of ['high', 'critical'])
      for (const e of l.events(
        'e.severity = ? COLLATE NOCASE AND e.time >= ? AND e.time < ?',
        [sev, from, to],
        MAX_LISTED,
      ))
        ids.add(e.id);
    for (const r of privacy.requests) {
      if (r.opened.time !== null && r.opened.time >= from && r.opened.time < to)
        ids.add(r.opened.id);
      if (r.closed?.time != null && r.closed.time >= from && r.closed.time < to)
        ids.add(r.closed.id);
    }
    notable = l
      .eventsById([...ids])
      .filter((e) => e.time !== null && e.time >= from && e.time < to)
      .sort((a, b) => a.time! - b.time! || a.id - b.id);
  }

  return {
    period,
    asOf,
    logs,
    total,
    byCategory,
    bySource,
    byAction,
    bySeverity,
    unit,
    buckets,
    logins,
    failedLogins,
    failedBySource,
    failedByIp,
    failedByAccount,
    security,
    privilege: {
      actions: privActions,
      total: privilegeTotal,
      withoutTicket,
      outsideHours,
      notable: privilegeNotable,
    },
    exports: {
      actions: exportActions.map((a) => ({
        value: a,
        count: actionCount.get(a.toLowerCase()) ?? 0,
      })),
      total: exportsTotal,
      records,
      notable: exportNotable,
    },
    privacy,
    findings,
    rulesRun: rules.length,
    cases: { opened, closed: closedCases },
    alarms,
    notable,
    figures: l.figures,
    queries: periodQueries(period, {
      total,
      failedLogins,
      privilege: privilegeTotal,
      exportActions,
      exports: exportsTotal,
      opened: privacy.opened,
      closed: privacy.closed,
      consentWithdrawn: privacy.consentWithdrawn,
      breaches: privacy.breaches.length,
      byCategory,
      bySource,
    }),
  };
}

function gatherPrivacy(l: Ledger, period: Period, asOf: number): PeriodData['privacy'] {
  const { from, to } = period;
  const P = [from, to];
  const opened = l.count(
    'dsr.opened',
    'data-subject requests opened (dsr.open, gdpr.erasure.request)',
    actionCountSql(REQUEST_OPEN),
    actionCountParams(REQUEST_OPEN, from, to),
  );
  // Closings carry the request's id; a closing without one is not a request's.
  const closings = REQUEST_CLOSE.flatMap((a) =>
    l.events('e.action = ? COLLATE NOCASE AND e.time < ?', [a, to]),
  )
    .map((ev) => ({ ev, requestId: str(attrs(l.record(ev.id)).requestId) }))
    .filter((c) => c.requestId !== null && c.ev.time !== null);
  const closedBy = new Map<string, EventRow>();
  for (const c of closings.sort((a, b) => a.ev.time! - b.ev.time!))
    if (!closedBy.has(c.requestId!)) closedBy.set(c.requestId!, c.ev);
  const closed = l.derived(
    'dsr.closed',
    'data-subject requests closed (dsr.close, client.erase with attributes.requestId)',
    closings.filter((c) => c.ev.time! >= from).length,
    `SELECT count(*) FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.action IN ('dsr.close', 'client.erase') AND json_extract(d.data, '$.attributes.requestId') IS NOT NULL AND e.time >= ? AND e.time < ?`,
    P,
    'the count of the statement',
  );
  const opens = REQUEST_OPEN.flatMap((a) =>
    l.events('e.action = ? COLLATE NOCASE AND e.time < ?', [a, to]),
  );
  const requests: RequestRow[] = [];
  for (const ev of opens) {
    if (ev.time === null) continue;
    const a = attrs(l.record(ev.id));
    const requestId = str(a.requestId) ?? `(no id, entry ${ev.index})`;
    const closedEv = closedBy.get(requestId) ?? null;
    // Requests of the period: opened in it, or opened before and still open when it began.
    if (ev.time < from && closedEv && closedEv.time! < from) continue;
    const deadlineText = str(a.deadline);
    const parsed = deadlineText ? Date.parse(`${deadlineText.slice(0, 10)}T00:00:00Z`) : NaN;
    // A deadline date runs to the end of that day; without one, 30 days from the opening.
    const deadline = Number.isNaN(parsed) ? ev.time + 30 * DAY : parsed + DAY;
    const end = closedEv ? closedEv.time! : asOf;
    const overdue = end > deadline;
    requests.push({
      requestId,
      type: str(a.requestType) ?? (ev.action === 'gdpr.erasure.request' ? 'erasure' : 'request'),
      law: str(a.law) ?? '',
      opened: ev,
      deadline,
      deadlineText: deadlineText ?? isoDay(deadline - DAY),
      closed: closedEv,
      days: Math.max(0, Math.ceil((end - ev.time) / DAY)),
      overdue,
      status: closedEv
        ? overdue
          ? 'closed after its deadline'
          : 'closed on time'
        : overdue
          ? 'OPEN, PAST ITS DEADLINE'
          : 'open, within its deadline',
    });
  }
  requests.sort((a, b) => a.opened.time! - b.opened.time! || a.opened.id - b.opened.id);
  const overdue = requests.filter((r) => r.overdue).length;
  const openAtEnd = requests.filter((r) => !r.closed).length;
  const registerSql = `SELECT e.id, e.time, json_extract(d.data, '$.attributes.requestId'), json_extract(d.data, '$.attributes.deadline') FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.action IN ('dsr.open', 'gdpr.erasure.request', 'dsr.close', 'client.erase') AND e.time < ?`;
  l.derived(
    'dsr.overdue',
    'data-subject requests past their deadline',
    overdue,
    registerSql,
    [to],
    "openings matched to their closing by attributes.requestId; overdue when closed after the end of the deadline day, or still open at the period's end after it",
  );
  l.derived(
    'dsr.openAtEnd',
    "data-subject requests open at the period's end",
    openAtEnd,
    registerSql,
    [to],
    'openings with no closing before the end of the period',
  );
  const consentGiven = l.count(
    'consent.given',
    'consents given (consent.give)',
    'SELECT count(*) FROM entries WHERE action = ? COLLATE NOCASE AND time >= ? AND time < ?',
    ['consent.give', from, to],
  );
  const consentWithdrawn = l.count(
    'consent.withdrawn',
    'consents withdrawn (consent.withdraw)',
    'SELECT count(*) FROM entries WHERE action = ? COLLATE NOCASE AND time >= ? AND time < ?',
    ['consent.withdraw', from, to],
  );
  const breaches = l
    .events('e.action = ? COLLATE NOCASE AND e.time >= ? AND e.time < ?', [BREACH, from, to])
    .map((ev) => {
      const a = attrs(l.record(ev.id));
      return {
        ...ev,
        breachId: str(a.breachId) ?? ev.target ?? '',
        affected: num(a.affectedSubjects),
        regulatorNotified: typeof a.regulatorNotified === 'boolean' ? a.regulatorNotified : null,
        cause: str(a.cause) ?? '',
      };
    });
  l.count(
    'breaches',
    'breach records (breach.record.create)',
    'SELECT count(*) FROM entries WHERE action = ? COLLATE NOCASE AND time >= ? AND time < ?',
    [BREACH, from, to],
  );
  return { opened, closed, overdue, openAtEnd, requests, consentGiven, consentWithdrawn, breaches };
}

/**
 * The searches that find what the report's main figures count. Each count is the figure itself:
 * running the query in Custos's search over the same cache returns it (the report tests check
 * this); running twenty searches again here would double the time a quarter takes.
 */
function periodQueries(
  p: Period,
  f: {
    total: number;
    failedLogins: number;
    privilege: number;
    exportActions: string[];
    exports: number;
    opened: number;
    closed: number;
    consentWithdrawn: number;
    breaches: number;
    byCategory: Counted[];
    bySource: Counted[];
  },
): QueryCount[] {
  const r = queryRange(p);
  const q = (v: string) => (/^[\w.-]+$/.test(v) ? v : `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  return [
    { name: 'Entries in the period', query: r, count: f.total },
    ...f.byCategory.map((c) => ({
      name: `Category ${c.value}`,
      query: `${r} AND category:${q(c.value)}`,
      count: c.count,
    })),
    ...f.bySource.map((s) => ({
      name: `Source ${s.value}`,
      query: `${r} AND source:${q(s.value)}`,
      count: s.count,
    })),
    {
      name: 'Failed logins',
      query: `${r} AND action:user.login AND outcome:failure`,
      count: f.failedLogins,
    },
    {
      name: 'Privilege changes',
      query: `${r} AND action:(user.role.change OR permission.grant)`,
      count: f.privilege,
    },
    ...(f.exportActions.length
      ? [
          {
            name: 'Exports',
            query: `${r} AND action:(${f.exportActions.map(q).join(' OR ')})`,
            count: f.exports,
          },
        ]
      : []),
    {
      name: 'Data-subject requests opened',
      query: `${r} AND action:(dsr.open OR gdpr.erasure.request)`,
      count: f.opened,
    },
    {
      name: 'Data-subject requests closed',
      query: `${r} AND action:(dsr.close OR client.erase) AND _exists_:attributes.requestId`,
      count: f.closed,
    },
    {
      name: 'Consent withdrawals',
      query: `${r} AND action:consent.withdraw`,
      count: f.consentWithdrawn,
    },
    { name: 'Breach records', query: `${r} AND action:breach.record.create`, count: f.breaches },
  ];
}

// ------------------------------------------------------------------------------------------------
// A case

export interface CaseEventData {
  event: CaseEvent;
  /** The entry as the cache holds it, when it does (null for an event imported from elsewhere). */
  row: EventRow | null;
  /** The record the case keeps (its own copy of the entry bytes). */
  record: Record<string, unknown> | null;
  notes: CaseNote[];
}

export interface CaseData {
  case: Case;
  events: CaseEventData[];
  /** Notes on the case itself (not on one event). */
  notes: CaseNote[];
  evidence: CaseEvidence[];
  custody: CustodyRecord[];
  timeline: TimelineItem[];
  figures: Figure[];
}

/** Everything an investigation report shows about a case. */
export function gatherCase(store: CacheStore, cases: CaseService, caseId: number): CaseData {
  const l = new Ledger(store.db);
  const c = cases.get(caseId);
  const notes = cases.notes(caseId);
  const events = cases.events(caseId).map((event) => {
    const row = event.entryId === null ? null : (l.eventsById([event.entryId])[0] ?? null);
    let record: Record<string, unknown> | null = null;
    try {
      const v = JSON.parse(
        Buffer.from(cases.eventData(caseId, event.id).data).toString('utf8'),
      ) as unknown;
      if (typeof v === 'object' && v !== null && !Array.isArray(v))
        record = v as Record<string, unknown>;
    } catch {
      record = null;
    }
    return { event, row, record, notes: notes.filter((n) => n.eventId === event.id) };
  });
  const P = [caseId];
  l.count(
    'case.events',
    'events in the case',
    'SELECT count(*) FROM case_events WHERE case_id = ?',
    P,
  );
  l.count(
    'case.notes',
    'notes in the case',
    'SELECT count(*) FROM case_notes WHERE case_id = ?',
    P,
  );
  l.count(
    'case.evidence',
    'evidence files of the case',
    'SELECT count(*) FROM case_evidence WHERE case_id = ?',
    P,
  );
  l.count(
    'case.custody',
    'custody records',
    'SELECT count(*) FROM case_custody WHERE case_id = ?',
    P,
  );
  return {
    case: c,
    events,
    notes: notes.filter((n) => n.eventId === null),
    evidence: cases.evidenceList(caseId),
    custody: cases.custodyLog(caseId),
    timeline: cases.timeline(caseId),
    figures: l.figures,
  };
}

// ------------------------------------------------------------------------------------------------
// A verification certificate

export interface CertificateData {
  verifiedAt: number;
  /** How long the verification took (ms). */
  took: number;
  report: CacheVerifyReport;
  logs: LogInfo[];
  policy: TrustPolicy | null;
  figures: Figure[];
}

/**
 * Re-verifies the whole cache at rest (verifyCache: every entry re-hashed, every tile and root
 * recomputed, every checkpoint's signature checked) and describes the logs and checkpoints.
 */
export function gatherCertificate(
  store: CacheStore,
  policy: TrustPolicy | null,
  now: number,
): CertificateData {
  const l = new Ledger(store.db);
  const started = Date.now();
  const report = verifyCache(store, policy);
  const took = Date.now() - started;
  const logs = logsInfo(l, store, policy, -8.64e15, 8.64e15);
  for (const r of report.logs) {
    l.derived(
      `verified.${r.origin}`,
      `entries of ${r.origin} re-verified`,
      r.entries,
      'SELECT e.idx, d.data, e.leaf_hash FROM entries e JOIN entry_data d ON d.id = e.id WHERE e.log_id = ? ORDER BY e.idx',
      [logs.find((x) => x.origin === r.origin)?.id ?? null],
      'every row re-hashed in index order (verifyCache)',
    );
  }
  l.derived(
    'problems',
    'problems found',
    report.problems.length,
    'verifyCache',
    [],
    'the problems verifyCache reported',
  );
  return { verifiedAt: now, took, report, logs, policy, figures: l.figures };
}
