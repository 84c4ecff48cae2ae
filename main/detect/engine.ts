/**
 * Runs detection rules (rules.ts) over the cache through the search service: each rule's queries
 * select candidate entries, page by page in time order, and the windows, group-bys, sequences and
 * deadlines are worked out in memory. Entry bytes are read only when a rule needs a path into the
 * record (a group-by such as `attributes.requestId`, or a record test).
 *
 * Follow-up queries (the second step of a sequence, the closing events of an absence, the context
 * of a finding) are narrowed to the keys and times already found, so a rule whose first step is
 * rare stays fast however common its second step is.
 */
import type { JsonValue } from '../../shared/entry/json';
import { searchField, SEGMENT_SIZE } from '../../shared/query/fields';
import { MAX_QUERY_TERMS, QueryError } from '../../shared/query/parse';
import { MAX_PAGE, type SearchRow, type SearchService } from '../search/service';
import { FTS_ASSISTED, TOKEN_CHAR } from '../search/compile';
import {
  BUILT_IN_RULES,
  DAY,
  PREDICATES,
  RULE_SEVERITIES,
  RuleError,
  valueAtPath,
  WEEKDAYS,
  type DetectionRule,
  type RecordTest,
  type RuleSeverity,
  type RuleStep,
  type WeekSpan,
} from './rules';

/** An event of a finding: where it is in the cache and what it was. */
export interface FindingEvent {
  /** The entry's row id in this cache (entries.id): what a case holds. */
  id: number;
  log: string;
  index: number;
  time: number | null;
  action: string | null;
  actor: string | null;
  /** `match`: the rule matched it; `context`: listed to show what surrounded it. */
  role: 'match' | 'context';
}

export interface Finding {
  ruleId: string;
  title: string;
  severity: RuleSeverity;
  /** The group-by values, joined by `, `; null for a rule without a group-by. */
  key: string | null;
  /** The span of the matched events (null when none has a time). */
  from: number | null;
  to: number | null;
  /** One plain sentence, e.g. `u-1187 made 6 exports between 02:07 and 02:51 UTC on 2026-08-14`. */
  summary: string;
  /** Matched and context events, oldest first. */
  events: FindingEvent[];
}

export interface DetectOptions {
  /** When absence deadlines are judged (ms); by default the newest entry's time. */
  asOf?: number;
  /** Called after each rule. */
  onProgress?: (p: { rule: string; done: number; total: number }) => void;
}

/** Beyond this many findings of one rule, the rest are listed without context events. */
export const MAX_CONTEXT_FINDINGS = 1000;
/** Beyond this many keys, a follow-up query reads every candidate instead of naming the keys. */
const MAX_NARROWING_KEYS = 5000;
const BATCH_CHARS = 3000;
const BATCH_TERMS = MAX_QUERY_TERMS - 64;

/** An entry as the engine sees it: its normalised fields and, when needed, its record. */
interface Ev {
  row: SearchRow;
  doc?: JsonValue;
}

/** A finding before it is rendered. */
interface Draft {
  key: string[] | null;
  matched: Ev[];
  vars?: Record<string, string>;
}

/** Columns whose words are in the full-text index (see compile.ts). */
const WORD_COLUMNS = FTS_ASSISTED;
const decoder = new TextDecoder();

const ROW_PROP: Record<string, keyof SearchRow> = {
  source: 'source',
  category: 'category',
  action: 'action',
  outcome: 'outcome',
  actor: 'actor',
  actor_type: 'actorType',
  actor_role: 'actorRole',
  ip: 'ip',
  target: 'target',
  target_type: 'targetType',
  subject: 'subject',
  severity: 'severity',
  kind: 'kind',
  time: 'time',
  idx: 'index',
  log_id: 'log',
};

/** A field's or path's value as text, or null. */
function valueOf(ev: Ev, name: string): string | null {
  const f = searchField(name);
  if (!f) return valueAtPath(ev.doc, name);
  if (f.name === 'segment') return String(Math.floor(ev.row.index / SEGMENT_SIZE));
  const v = ev.row[ROW_PROP[f.column]];
  return v === null || v === undefined || v === '' ? null : String(v);
}

/** The values of `names`, or null when one is missing. */
function keyOf(ev: Ev, names: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const n of names) {
    const v = valueOf(ev, n);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

const needsRecord = (names: readonly string[]) => names.some((n) => searchField(n) === null);

/** A value as a quoted query term. */
const quote = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** Queries joined by AND; empty parts (everything) left out. */
function all(...parts: Array<string | null | undefined>): string {
  const kept = parts.filter((p): p is string => !!p && p.trim() !== '');
  return kept.length === 1 ? kept[0] : kept.map((p) => `(${p})`).join(' AND ');
}

/** Years 0000..9999: what the query language can write. */
const writableTime = (t: number) => t >= -62167219200000 && t <= 253402300799999;

/** A time range as a query (both ends included), or null when it cannot be written. */
function timeRange(from: number | null, to: number | null): string | null {
  const a = from !== null && writableTime(from) ? new Date(from).toISOString() : '*';
  const b = to !== null && writableTime(to) ? new Date(to).toISOString() : '*';
  return a === '*' && b === '*' ? null : `time:[${a} TO ${b}]`;
}

/**
 * Queries that together find (at least) the entries having one of `keys` for `names`: named
 * fields exactly, paths through their words in the full-text index (checked exactly afterwards).
 * Null when the keys cannot narrow anything: too many, or a value with no words to look up.
 */
function keyQueries(names: readonly string[], keys: string[][]): string[] | null {
  if (keys.length === 0) return [];
  if (keys.length > MAX_NARROWING_KEYS) return null;
  const tuples: Array<{ text: string; terms: number }> = [];
  for (const values of keys) {
    const parts: string[] = [];
    names.forEach((name, i) => {
      const v = values[i];
      const f = searchField(name);
      if (f && !WORD_COLUMNS.has(f.column)) {
        if (f.type === 'text' || f.type === 'severity') parts.push(`${name}:${quote(v)}`);
      } else if (TOKEN_CHAR.test(v) && v !== 'true' && v !== 'false') {
        // A record's strings and numbers are in the full-text index (its booleans are not), and
        // phrases ORed together are one FTS5 lookup, where ORed field terms are one each.
        parts.push(quote(v));
      }
    });
    if (parts.length === 0) return null;
    tuples.push({ text: all(...parts), terms: parts.length });
  }
  const batches: string[] = [];
  let current: string[] = [];
  let chars = 0;
  let terms = 0;
  for (const t of tuples) {
    if (
      current.length > 0 &&
      (chars + t.text.length > BATCH_CHARS || terms + t.terms > BATCH_TERMS)
    ) {
      batches.push(current.join(' OR '));
      current = [];
      chars = 0;
      terms = 0;
    }
    current.push(t.terms > 1 ? `(${t.text})` : t.text);
    chars += t.text.length + 4;
    terms += t.terms;
  }
  if (current.length > 0) batches.push(current.join(' OR '));
  return batches;
}

function parseRecord(data: Uint8Array): JsonValue | undefined {
  try {
    return JSON.parse(decoder.decode(data)) as JsonValue;
  } catch {
    return undefined;
  }
}

const minuteOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** Whether a time falls in one of the spans of the week (UTC). */
export function inWeekSpans(time: number, spans: readonly WeekSpan[]): boolean {
  const d = new Date(time);
  const day = WEEKDAYS[d.getUTCDay()];
  const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
  return spans.some((s) => {
    if (s.days && !s.days.includes(day)) return false;
    if (s.from === undefined || s.to === undefined) return true;
    const from = minuteOf(s.from);
    const to = minuteOf(s.to);
    return from < to ? minute >= from && minute < to : minute >= from || minute < to;
  });
}

function passes(ev: Ev, tests: readonly RecordTest[]): boolean {
  for (const t of tests) {
    if ('differ' in t) {
      const a = valueOf(ev, t.differ[0]);
      if (a === null || a === valueOf(ev, t.differ[1])) return false;
    } else if (ev.doc === undefined || !PREDICATES[t.predicate](ev.doc)) return false;
  }
  return true;
}

const byTime = (a: Ev, b: Ev) =>
  (a.row.time ?? -Infinity) - (b.row.time ?? -Infinity) || a.row.id - b.row.id;

const timed = (ev: Ev): ev is Ev & { row: { time: number } } => ev.row.time !== null;

function groupBy(evs: Ev[], names: readonly string[]): Map<string, { key: string[]; evs: Ev[] }> {
  const groups = new Map<string, { key: string[]; evs: Ev[] }>();
  for (const ev of evs) {
    const key = keyOf(ev, names);
    if (key === null) continue;
    const id = JSON.stringify(key);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key, evs: [] }));
    g.evs.push(ev);
  }
  return groups;
}

const pad = (n: number) => String(n).padStart(2, '0');
const dateOf = (t: number) => new Date(t).toISOString().slice(0, 10);
const clockOf = (t: number) => {
  const d = new Date(t);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
};
const days = (ms: number) => Math.floor(ms / DAY);
/** Math.min and Math.max take their arguments on the stack: too many events would overflow it. */
const least = (xs: number[]) => xs.reduce((a, b) => (b < a ? b : a), Infinity);
const greatest = (xs: number[]) => xs.reduce((a, b) => (b > a ? b : a), -Infinity);
const formatDays = (ms: number) => String(Math.round((ms / DAY) * 100) / 100);

const DEFAULT_SUMMARY: Record<DetectionRule['kind'], string> = {
  match: '{count} matching events, {from} to {toTime} UTC',
  threshold: '{count} matching events for {key} between {from} and {toTime} UTC',
  sequence: '{firstCount} events then {thenCount} for {key}, {from} to {to} UTC',
  absence: '{key}, opened on {date}, {status}',
};

class Detector {
  private newest: number | null | undefined;

  constructor(
    private readonly search: SearchService,
    private readonly asOf: number | undefined,
  ) {}

  /** Every entry matching `query`, oldest first (those without a time first). */
  private fetch(query: string, withRecord: boolean): Ev[] {
    const out: Ev[] = [];
    let after = null;
    do {
      const req = { query, sort: 'time', order: 'asc', limit: MAX_PAGE, after } as const;
      if (withRecord) {
        const page = this.search.pageWithData(req);
        for (const { data, ...row } of page.rows) out.push({ row, doc: parseRecord(data) });
        after = page.next;
      } else {
        const page = this.search.page(req);
        for (const row of page.rows) out.push({ row });
        after = page.next;
      }
    } while (after);
    return out;
  }

  /** `fetch` over several narrowing queries, each event once, oldest first. */
  private fetchNarrowed(query: string, narrowing: string[] | null, withRecord: boolean): Ev[] {
    if (narrowing === null) return this.fetch(query, withRecord);
    const seen = new Map<number, Ev>();
    for (const n of narrowing)
      for (const ev of this.fetch(all(n, query), withRecord)) seen.set(ev.row.id, ev);
    return [...seen.values()].sort(byTime);
  }

  /** A step's events: its query, narrowed, then its times of the week and record tests. */
  private step(
    s: RuleStep,
    keyNames: readonly string[],
    narrowing: string[] | null = null,
    range: string | null = null,
  ): Ev[] {
    const withRecord = s.where !== undefined || needsRecord(keyNames);
    const evs = this.fetchNarrowed(all(range, s.query), narrowing, withRecord);
    return evs.filter(
      (ev) =>
        (!s.during || (ev.row.time !== null && inWeekSpans(ev.row.time, s.during))) &&
        (!s.where || passes(ev, s.where)),
    );
  }

  /** The newest entry's time: the end of the data. */
  private endOfData(): number | null {
    if (this.newest === undefined)
      this.newest =
        this.search.page({ query: '', sort: 'time', order: 'desc', limit: 1 }).rows[0]?.time ??
        null;
    return this.newest;
  }

  run(rule: DetectionRule): Finding[] {
    const contextNames = rule.context?.sameAs ?? [];
    let drafts: Draft[];
    switch (rule.kind) {
      case 'match':
        drafts = this.match(rule, contextNames);
        break;
      case 'threshold':
        drafts = this.threshold(rule, contextNames);
        break;
      case 'sequence':
        drafts = this.sequence(rule, contextNames);
        break;
      case 'absence':
        drafts = this.absence(rule, contextNames);
        break;
    }
    return drafts.map((d, i) => this.finish(rule, d, i < MAX_CONTEXT_FINDINGS));
  }

  private match(rule: Extract<DetectionRule, { kind: 'match' }>, extra: string[]): Draft[] {
    const evs = this.step(rule, [...(rule.by ?? []), ...extra]);
    if (!rule.by) return evs.map((ev) => ({ key: null, matched: [ev] }));
    const out: Draft[] = [];
    for (const { key, evs: group } of groupBy(evs, rule.by).values()) {
      if (rule.gap === undefined) {
        out.push({ key, matched: group });
        continue;
      }
      // Events without a time cannot be placed between the others: a gap cannot split them.
      let run: Ev[] = [];
      for (const ev of group.filter(timed)) {
        if (run.length > 0 && ev.row.time! - run[run.length - 1].row.time! > rule.gap) {
          out.push({ key, matched: run });
          run = [];
        }
        run.push(ev);
      }
      if (run.length > 0) out.push({ key, matched: run });
    }
    return out;
  }

  private threshold(rule: Extract<DetectionRule, { kind: 'threshold' }>, extra: string[]): Draft[] {
    const by = rule.by ?? [];
    const evs = this.step(rule, [...by, ...extra]).filter(timed);
    const out: Draft[] = [];
    for (const { key, evs: group } of groupBy(evs, by).values()) {
      // Every event inside some window holding `count` events is flagged ...
      const flagged = new Array<boolean>(group.length).fill(false);
      let filled = 0;
      let lo = 0;
      for (let hi = 0; hi < group.length; hi++) {
        while (group[hi].row.time! - group[lo].row.time! > rule.window) lo++;
        // Windows only move forward: each event is flagged once (a dense group stays linear).
        if (hi - lo + 1 >= rule.count) {
          flagged.fill(true, Math.max(lo, filled), hi + 1);
          filled = hi + 1;
        }
      }
      // ... and flagged events less than a window apart make one finding.
      let run: Ev[] = [];
      group.forEach((ev, i) => {
        if (!flagged[i]) return;
        if (run.length > 0 && ev.row.time! - run[run.length - 1].row.time! > rule.window) {
          out.push({ key: by.length ? key : null, matched: run });
          run = [];
        }
        run.push(ev);
      });
      if (run.length > 0) out.push({ key: by.length ? key : null, matched: run });
    }
    return out;
  }

  private sequence(rule: Extract<DetectionRule, { kind: 'sequence' }>, extra: string[]): Draft[] {
    const { first, by } = rule;
    const window = first.window ?? 0;
    const firsts = groupBy(this.step(first, [...by, ...extra]).filter(timed), by);
    // Only keys where `count` first events fall within one window can start a sequence.
    const candidates = [...firsts.values()].filter(({ evs }) => {
      let lo = 0;
      for (let hi = 0; hi < evs.length; hi++) {
        while (evs[hi].row.time! - evs[lo].row.time! > window) lo++;
        if (hi - lo + 1 >= first.count) return true;
      }
      return false;
    });
    if (candidates.length === 0) return [];
    const lo = least(candidates.map((c) => c.evs[0].row.time!));
    const hi = greatest(candidates.map((c) => c.evs[c.evs.length - 1].row.time!)) + rule.within;
    const narrowing = keyQueries(
      by,
      candidates.map((c) => c.key),
    );
    const range = timeRange(lo, hi);
    const thens = groupBy(
      this.step(rule.then, [...by, ...extra], narrowing, range).filter(timed),
      by,
    );
    const breaks = rule.unless
      ? groupBy(this.step({ query: rule.unless }, by, narrowing, range).filter(timed), by)
      : new Map<string, { key: string[]; evs: Ev[] }>();

    const sequences: Array<{ key: string[]; firsts: Ev[]; thens: Ev[] }> = [];
    for (const c of candidates) {
      const id = JSON.stringify(c.key);
      const then = thens.get(id)?.evs ?? [];
      if (then.length === 0) continue;
      const firstIds = new Set(c.evs.map((e) => e.row.id));
      // One stream in time order; at the same instant a break comes first and a second step last.
      const stream = [
        ...(breaks.get(id)?.evs ?? []).map((ev) => ({ ev, step: 0 })),
        ...c.evs.map((ev) => ({ ev, step: 1 })),
        ...then.map((ev) => ({ ev, step: 2 })),
      ].sort(
        (a, b) => a.ev.row.time! - b.ev.row.time! || a.step - b.step || a.ev.row.id - b.ev.row.id,
      );
      // The first-step events still in reach: pending[from..], within a window of the newest.
      let pending: Ev[] = [];
      let from = 0;
      let open: { key: string[]; firsts: Ev[]; thens: Ev[] } | null = null;
      for (const { ev, step } of stream) {
        const t = ev.row.time!;
        if (step === 0) {
          pending = [];
          from = 0;
          open = null;
        } else if (step === 1) {
          // A new first event starts a new sequence: later second steps belong to it.
          open = null;
          pending.push(ev);
          while (t - pending[from].row.time! > window) from++;
        } else if (firstIds.has(ev.row.id)) {
          // An entry matching both steps is a first-step event only.
        } else if (open && t - open.firsts[open.firsts.length - 1].row.time! <= rule.within) {
          open.thens.push(ev);
        } else if (
          pending.length - from >= first.count &&
          t - pending[pending.length - 1].row.time! <= rule.within
        ) {
          open = { key: c.key, firsts: pending.slice(from), thens: [ev] };
          sequences.push(open);
          pending = [];
          from = 0;
        } else open = null;
      }
    }
    return sequences.map((s) => ({
      key: s.key,
      matched: [...s.firsts, ...s.thens],
      vars: { firstCount: String(s.firsts.length), thenCount: String(s.thens.length) },
    }));
  }

  private absence(rule: Extract<DetectionRule, { kind: 'absence' }>, extra: string[]): Draft[] {
    const asOf = this.asOf ?? this.endOfData();
    if (asOf === null) return [];
    const inTime = (ev: Ev) => ev.row.time !== null && ev.row.time <= asOf;
    const opens = groupBy(this.step(rule.open, [...rule.by, ...extra]).filter(inTime), rule.by);
    if (opens.size === 0) return [];
    const groups = [...opens.values()];
    const lo = least(groups.map((g) => g.evs[0].row.time!));
    const closes = groupBy(
      this.step(
        rule.close,
        rule.by,
        keyQueries(
          rule.by,
          groups.map((g) => g.key),
        ),
        timeRange(lo, asOf),
      ).filter(inTime),
      rule.by,
    );
    const out: Draft[] = [];
    for (const g of groups) {
      const opened = g.evs[0].row.time!;
      const close = closes.get(JSON.stringify(g.key))?.evs.find((c) => c.row.time! >= opened);
      const deadlineDays = formatDays(rule.deadline);
      if (close) {
        const took = close.row.time! - opened;
        if (took <= rule.deadline) continue;
        out.push({
          key: g.key,
          matched: [...g.evs.filter((e) => e.row.time! <= close.row.time!), close],
          vars: { status: `was closed only after ${days(took)} days`, deadlineDays },
        });
      } else if (asOf - opened > rule.deadline) {
        out.push({
          key: g.key,
          matched: g.evs,
          vars: { status: `is still open after ${days(asOf - opened)} days`, deadlineDays },
        });
      }
    }
    return out;
  }

  /** The context events of a finding: same `sameAs` values as its first event, near it in time. */
  private context(rule: DetectionRule, d: Draft): Ev[] {
    const c = rule.context;
    if (!c) return [];
    const first = d.matched[0];
    const times = d.matched.map((e) => e.row.time).filter((t): t is number => t !== null);
    const values = keyOf(first, c.sameAs);
    if (values === null || times.length === 0) return [];
    const from = least(times) - (c.before ?? 0);
    const to = greatest(times) + (c.after ?? 0);
    const narrowing = keyQueries(c.sameAs, [values]);
    const evs = this.fetchNarrowed(
      all(timeRange(from, to), c.query),
      narrowing,
      needsRecord(c.sameAs),
    );
    const matched = new Set(d.matched.map((e) => e.row.id));
    const want = JSON.stringify(values);
    return evs.filter(
      (ev) => !matched.has(ev.row.id) && JSON.stringify(keyOf(ev, c.sameAs)) === want,
    );
  }

  private finish(rule: DetectionRule, d: Draft, withContext: boolean): Finding {
    const matched = [...d.matched].sort(byTime);
    const times = matched.map((e) => e.row.time).filter((t): t is number => t !== null);
    const from = times.length ? least(times) : null;
    const to = times.length ? greatest(times) : null;
    const key = d.key ? d.key.join(', ') : null;
    const firstEv = matched[0];
    const lastEv = matched[matched.length - 1];
    const vars: Record<string, string> = {
      key: key ?? '(no key)',
      count: String(matched.length),
      failures: String(matched.filter((e) => e.row.outcome === 'failure').length),
      from: from === null ? '(no time)' : `${dateOf(from)} ${clockOf(from)}`,
      to: to === null ? '(no time)' : `${dateOf(to)} ${clockOf(to)}`,
      date: from === null ? '(no date)' : dateOf(from),
      toDate: to === null ? '(no date)' : dateOf(to),
      fromTime: from === null ? '(no time)' : clockOf(from),
      toTime: to === null ? '(no time)' : clockOf(to),
      // Placeholders of other kinds read sensibly rather than staying as braces.
      firstCount: String(matched.length),
      thenCount: '0',
      status: '',
      deadlineDays: '',
      ...d.vars,
    };
    for (const f of ['actor', 'action', 'ip', 'target', 'subject', 'source', 'outcome']) {
      vars[`first.${f}`] = valueOf(firstEv, f) ?? `(no ${f})`;
      vars[`last.${f}`] = valueOf(lastEv, f) ?? `(no ${f})`;
    }
    const summary = (rule.summary ?? DEFAULT_SUMMARY[rule.kind]).replace(
      /\{([a-zA-Z.]+)\}/g,
      (m, name: string) => vars[name] ?? m,
    );
    const context = withContext ? this.context(rule, { ...d, matched }) : [];
    const event = (ev: Ev, role: FindingEvent['role']): FindingEvent => ({
      id: ev.row.id,
      log: ev.row.log,
      index: ev.row.index,
      time: ev.row.time,
      action: ev.row.action,
      actor: ev.row.actor,
      role,
    });
    return {
      ruleId: rule.id,
      title: rule.title,
      severity: rule.severity,
      key,
      from,
      to,
      summary,
      events: [
        ...matched.map((e) => ({ ev: e, role: 'match' as const })),
        ...context.map((e) => ({ ev: e, role: 'context' as const })),
      ]
        .sort((a, b) => byTime(a.ev, b.ev))
        .map(({ ev, role }) => event(ev, role)),
    };
  }
}

const SEVERITY_RANK = new Map<string, number>([...RULE_SEVERITIES].reverse().map((s, i) => [s, i]));

/** Most severe first, then oldest first (findings without a time last). */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK.get(a.severity)! - SEVERITY_RANK.get(b.severity)! ||
    (a.from ?? Infinity) - (b.from ?? Infinity) ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.events[0]?.id ?? 0) - (b.events[0]?.id ?? 0)
  );
}

/**
 * Runs the rules over the cache and returns their findings, most severe first, then oldest first.
 * A rule whose query does not compile throws a RuleError naming the rule.
 */
export function runDetections(
  search: SearchService,
  rules: readonly DetectionRule[] = BUILT_IN_RULES,
  opts: DetectOptions = {},
): Finding[] {
  const detector = new Detector(search, opts.asOf);
  const findings: Finding[] = [];
  rules.forEach((rule, i) => {
    try {
      findings.push(...detector.run(rule));
    } catch (e) {
      if (e instanceof QueryError) throw new RuleError(`rule ${rule.id}: ${e.message}`);
      throw e;
    }
    opts.onProgress?.({ rule: rule.id, done: i + 1, total: rules.length });
  });
  return findings.sort(compareFindings);
}
