/**
 * A correctness oracle for search. A cache is filled with generated entries; random queries are
 * generated as trees, rendered to query text (so the parser is tested too) and evaluated here, in
 * plain TypeScript over every entry, by the rules main/search/compile.ts documents. The service must
 * find exactly the same entries, in the same order, with the same count, facets and histogram.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SearchService,
  type Cursor,
  type SortKey,
  type SortOrder,
} from '../../main/search/service';
import type { CacheStore } from '../../main/store/cacheStore';
import { syncSource } from '../../main/sync/engine';
import { readLogKey, readTrust } from '../../main/tlog/keys';
import { sealEntries } from '../../main/tlog/seal';
import { FolderStorage } from '../../main/tlog/storage';
import { utf8 } from '../../shared/bytes';
import { fullText } from '../../shared/entry/fulltext';
import { canonicalJson, type JsonValue } from '../../shared/entry/json';
import { normalizeValue, type NormalizedFields } from '../../shared/entry/normalize';
import { newKey, newLogKey, openStore } from '../helpers/cache';
import { tempDir } from '../helpers/cli';

// ---------------------------------------------------------------------------------------------
// Generated entries (deterministic: own seeded PRNG)
// ---------------------------------------------------------------------------------------------

function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

const NOW = Date.UTC(2026, 9, 1);
const T0 = Date.UTC(2026, 6, 1);
const T1 = Date.UTC(2026, 9, 1);
const MAIN_ORIGIN = 'oracle.example/log';
const SECOND_ORIGIN = 'Second.example/log';
const MAIN_COUNT = 600;
const SECOND_COUNT = 40;

const ACTORS = [
  'alice',
  'Alice',
  'Bob',
  'ADMIN',
  'admin',
  'u-1042',
  'u-1043',
  'u-10_2',
  'ops@corp.example',
  'ops_bot',
  'Müller',
  'carol',
];
const ACTOR_NAMES = ['Alice Liddell', 'Bob Stone', 'Jörg Müller', 'Administrator', 'Ops Team'];
const ACTOR_TYPES = ['user', 'service', 'system'];
const ROLES = ['admin', 'Teacher', 'auditor', 'ADMIN'];
const IPS = ['10.0.0.1', '10.0.0.12', '10.0.1.7', '192.168.1.5', 'fe80::1', '2001:db8::7'];
const ACTIONS = [
  'user.login',
  'user.logout',
  'customer.export',
  'customer.view',
  'permission.grant',
  'permission.revoke',
  'report.export',
  'User.Login',
];
const SOURCES = ['school.lessonline', 'crm.Core', 'billing', 'hr-portal'];
const CATEGORIES = ['access', 'data', 'security', 'privacy'];
const OUTCOMES = ['success', 'failure', 'unknown'];
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];
const TARGETS: Array<Record<string, string>> = [
  { type: 'customer', id: 'cust-200417', name: 'Acme São Paulo' },
  { type: 'customer', id: 'cust-300' },
  { type: 'report', id: 'rpt-7', name: 'Quarterly café report' },
  { type: 'Role', id: 'role:admin' },
  { type: 'file', id: 'exports/2026-07.csv' },
];
const SUBJECTS: Array<Record<string, string>> = [
  { id: 'cust-200417', type: 'customer' },
  { id: 'Zürich-office' },
  { id: 'p-77', type: 'person' },
];
const REASON_WORDS = [
  'reviewed',
  'the',
  'account',
  'bulk',
  'export',
  'approved',
  'by',
  'manager',
  'café',
  'Zürich',
  'São',
  'Paulo',
  'naïve',
  'résumé',
  'ticket',
  'audit',
  'quarterly',
  'Review',
  'EXPORT',
  'cafe',
  'and',
  'data-request',
  'u-1042',
];
const TICKETS = ['CHG-1001', 'chg-1002', 'CHG-2001', 'INC_77', 'INC%9', 'INC-770', 'inc_770'];
const JSON_LEVELS = ['High', 'warn', 'INFO', 'low'];
const JSON_STATUS = ['ok', 'FAILED', 'success'];

const iso = (t: number) => new Date(t).toISOString();

function generate(seed: number, count: number, prefix: string): JsonValue[] {
  const r = prng(seed);
  const out: JsonValue[] = [];
  let last = T0 + r.int(0, T1 - T0 - 1);
  const nextTime = () => {
    const x = r.next();
    if (x < 0.12) return last; // the same millisecond as the previous entry: tie-breaks
    if (x < 0.15) return Date.UTC(2026, r.int(6, 8), r.int(1, 28)); // a day boundary
    if (x < 0.18) return Date.UTC(2026, r.int(6, 8), r.int(1, 28), r.int(0, 23), r.int(0, 59));
    return T0 + r.int(0, T1 - T0 - 1);
  };
  for (let i = 0; i < count; i++) {
    const t = nextTime();
    last = t;
    const reason = () => {
      const n = r.int(2, 6);
      let s = r.pick(REASON_WORDS);
      for (let k = 1; k < n; k++)
        s += r.pick([' ', ' ', ' ', ', ', '; ', ' - ']) + r.pick(REASON_WORDS);
      return s;
    };
    if (r.chance(0.1)) {
      // json/v1: some with a time the normaliser reads, some without any (NULL time).
      const record: { [k: string]: JsonValue } = {};
      const shape = r.int(0, 3);
      if (shape === 0) record.ts = Math.floor(t / 1000);
      else if (shape === 1) record.timestamp = iso(t);
      else if (shape === 2) record.time = 'yesterday';
      const u = r.next();
      if (u < 0.5) record.user = r.pick(ACTORS);
      else if (u < 0.75) record.user = { id: r.pick(ACTORS), name: r.pick(ACTOR_NAMES) };
      if (r.chance(0.7)) record.event = r.pick(ACTIONS);
      if (r.chance(0.6)) record.status = r.pick(JSON_STATUS);
      if (r.chance(0.6)) record.level = r.pick(JSON_LEVELS);
      if (r.chance(0.4)) record.ip = r.pick(IPS);
      if (r.chance(0.5)) record.n = r.int(-2, 12);
      if (r.chance(0.6)) record.message = reason();
      record.id = `${prefix}j-${i}`;
      out.push({ kind: 'json/v1', record });
      continue;
    }
    const actor: { [k: string]: JsonValue } = { id: r.pick(ACTORS), type: r.pick(ACTOR_TYPES) };
    if (r.chance(0.6)) actor.name = r.pick(ACTOR_NAMES);
    if (r.chance(0.6)) actor.role = r.pick(ROLES);
    if (r.chance(0.7)) actor.ip = r.pick(IPS);
    const e: { [k: string]: JsonValue } = {
      kind: 'custos.audit/v1',
      id: `${prefix}-${String(i).padStart(5, '0')}`,
      time: iso(t),
      source: r.pick(SOURCES),
      category: r.pick(CATEGORIES),
      action: r.pick(ACTIONS),
      outcome: r.pick(OUTCOMES),
      actor,
      severity: r.pick(SEVERITIES),
    };
    if (r.chance(0.6)) e.target = { ...r.pick(TARGETS) };
    if (r.chance(0.5)) e.subject = { ...r.pick(SUBJECTS) };
    if (r.chance(0.6)) e.reason = reason();
    if (r.chance(0.7)) {
      const a: { [k: string]: JsonValue } = { count: r.int(0, 12), flag: r.chance(0.5) };
      if (r.chance(0.3)) a.score = r.pick([0.5, 1.25, 3.75, 10.5, -2.5]);
      if (r.chance(0.2)) a.tags = r.pick([['a', 'b'], ['export'], []]);
      const tk = r.next();
      if (tk < 0.65) a.ticket = r.pick(TICKETS);
      else if (tk < 0.75) a.ticket = null;
      out.push({ ...e, attributes: a });
    } else out.push(e);
  }
  return out;
}

/** What the oracle knows about an entry. */
interface OEntry {
  id: number;
  origin: string;
  logId: number;
  idx: number;
  value: JsonValue;
  fields: NormalizedFields;
  tokens: string[];
}

/** The FTS5 unicode61 tokenizer with remove_diacritics 2, for the text generated here. */
const tokenize = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((x) => x !== '');

// Entries as stored: parsed back from canonical JSON, so keys are in the stored order.
const MAIN_VALUES = generate(20260701, MAIN_COUNT, 'ev').map(
  (v) => JSON.parse(canonicalJson(v)) as JsonValue,
);
const SECOND_VALUES = generate(424242, SECOND_COUNT, 'sx').map(
  (v) => JSON.parse(canonicalJson(v)) as JsonValue,
);

const ALL: OEntry[] = [
  ...MAIN_VALUES.map((value, idx) => ({ value, idx, origin: MAIN_ORIGIN })),
  ...SECOND_VALUES.map((value, idx) => ({ value, idx, origin: SECOND_ORIGIN })),
].map(({ value, idx, origin }) => ({
  id: 0,
  logId: 0,
  origin,
  idx,
  value,
  fields: normalizeValue(value),
  tokens: tokenize(fullText(value)),
}));

// ---------------------------------------------------------------------------------------------
// Query trees, their text, and their meaning
// ---------------------------------------------------------------------------------------------

type GlobPart = '*' | '?' | { lit: string };
type Value =
  | { kind: 'exact'; s: string; quoted: boolean }
  | { kind: 'prefix'; s: string }
  | { kind: 'glob'; parts: GlobPart[] };

interface TimeSpec {
  text: string;
  start: number;
  end: number;
}

type Q =
  | { t: 'and'; items: Q[]; juxt: boolean }
  | { t: 'or'; items: Q[] }
  | { t: 'not'; item: Q; dash: boolean }
  | { t: 'text'; value: string; phrase: boolean; prefix: boolean }
  | { t: 'term'; field: string; value: Value }
  | { t: 'time'; field: string; spec: TimeSpec }
  | { t: 'int'; field: 'index' | 'segment'; n: number }
  | {
      t: 'range';
      field: string;
      from: string | null;
      to: string | null;
      fi: boolean;
      ti: boolean;
      cmp: boolean;
    }
  | {
      t: 'trange';
      field: string;
      from: TimeSpec | null;
      to: TimeSpec | null;
      fi: boolean;
      ti: boolean;
      cmp: boolean;
    }
  | { t: 'exists'; field: string; star: boolean }
  | { t: 'group'; field: string; values: Array<{ value: Value; neg: boolean }>; op: 'OR' | 'AND' };

type Col = Exclude<keyof NormalizedFields, 'time'>;
type Named =
  | { kind: 'text'; col: Col }
  | { kind: 'severity'; col: 'severity' }
  | { kind: 'time' }
  | { kind: 'index' }
  | { kind: 'segment' }
  | { kind: 'log' };

/** The named fields and aliases, written out again here (not imported) so they are tested. */
const NAMED: Record<string, Named> = {
  time: { kind: 'time' },
  '@timestamp': { kind: 'time' },
  source: { kind: 'text', col: 'source' },
  category: { kind: 'text', col: 'category' },
  action: { kind: 'text', col: 'action' },
  outcome: { kind: 'text', col: 'outcome' },
  actor: { kind: 'text', col: 'actor' },
  'actor.id': { kind: 'text', col: 'actor' },
  'actor.type': { kind: 'text', col: 'actorType' },
  'actor.role': { kind: 'text', col: 'actorRole' },
  ip: { kind: 'text', col: 'ip' },
  'actor.ip': { kind: 'text', col: 'ip' },
  target: { kind: 'text', col: 'target' },
  'target.id': { kind: 'text', col: 'target' },
  'target.type': { kind: 'text', col: 'targetType' },
  subject: { kind: 'text', col: 'subject' },
  'subject.id': { kind: 'text', col: 'subject' },
  severity: { kind: 'severity', col: 'severity' },
  kind: { kind: 'text', col: 'kind' },
  index: { kind: 'index' },
  segment: { kind: 'segment' },
  log: { kind: 'log' },
  origin: { kind: 'log' },
};

/** ASCII case folding: what SQLite's NOCASE and LIKE do. */
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Compares by code point (SQLite compares UTF-8 bytes, which is the same order). */
function cmp(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`);

function valueMatches(v: string | null, val: Value): boolean {
  if (v === null) return false;
  switch (val.kind) {
    case 'exact':
      return fold(v) === fold(val.s);
    case 'prefix':
      return fold(v).startsWith(fold(val.s));
    case 'glob': {
      const re = val.parts
        .map((p) => (p === '*' ? '.*' : p === '?' ? '.' : reEscape(fold(p.lit))))
        .join('');
      return new RegExp(`^${re}$`, 'su').test(fold(v));
    }
  }
}

/** The JSON value at a dotted path, or undefined. */
function atPath(value: JsonValue, field: string): JsonValue | undefined {
  let v: JsonValue | undefined = value;
  for (const k of field.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, k))
      return undefined;
    v = v[k];
  }
  return v;
}

/** A path's value as text: strings as they are, numbers as written, true and false by name. */
function pathText(value: JsonValue, field: string): string | null {
  const v = atPath(value, field);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

function textRange(v: string | null, q: Extract<Q, { t: 'range' }>): boolean {
  if (v === null) return false;
  if (q.from !== null) {
    const c = cmp(fold(v), fold(q.from));
    if (q.fi ? c < 0 : c <= 0) return false;
  }
  if (q.to !== null) {
    const c = cmp(fold(v), fold(q.to));
    if (q.ti ? c > 0 : c >= 0) return false;
  }
  return true;
}

function column(e: OEntry, named: Named): string | null {
  return named.kind === 'text' || named.kind === 'severity' ? e.fields[named.col] : null;
}

function matches(q: Q, e: OEntry): boolean {
  switch (q.t) {
    case 'and':
      return q.items.every((i) => matches(i, e));
    case 'or':
      return q.items.some((i) => matches(i, e));
    case 'not':
      return !matches(q.item, e);
    case 'text': {
      const want = tokenize(q.value);
      const have = e.tokens;
      for (let i = 0; i + want.length <= have.length; i++) {
        let ok = true;
        for (let k = 0; ok && k < want.length; k++) {
          const last = k === want.length - 1;
          ok = q.prefix && last ? have[i + k].startsWith(want[k]) : have[i + k] === want[k];
        }
        if (ok) return true;
      }
      return false;
    }
    case 'term': {
      const named = NAMED[q.field];
      if (!named) return valueMatches(pathText(e.value, q.field), q.value);
      if (named.kind === 'log') return valueMatches(e.origin, q.value);
      return valueMatches(column(e, named), q.value);
    }
    case 'group':
      return q.op === 'OR'
        ? q.values.some((v) => matches(groupItem(q.field, v), e))
        : q.values.every((v) => matches(groupItem(q.field, v), e));
    case 'time':
      return e.fields.time !== null && e.fields.time >= q.spec.start && e.fields.time < q.spec.end;
    case 'int':
      return q.field === 'index' ? e.idx === q.n : Math.floor(e.idx / 256) === q.n;
    case 'trange': {
      const t = e.fields.time;
      if (t === null) return false;
      if (q.from && t < (q.fi ? q.from.start : q.from.end)) return false;
      if (q.to && t >= (q.ti ? q.to.end : q.to.start)) return false;
      return true;
    }
    case 'range': {
      const named = NAMED[q.field];
      if (named?.kind === 'index' || named?.kind === 'segment') {
        const n = named.kind === 'segment' ? Math.floor(e.idx / 256) : e.idx;
        if (q.from !== null && (q.fi ? n < Number(q.from) : n <= Number(q.from))) return false;
        if (q.to !== null && (q.ti ? n > Number(q.to) : n >= Number(q.to))) return false;
        return true;
      }
      if (named?.kind === 'severity') {
        const v = e.fields.severity;
        const rank = v === null ? -1 : SEVERITIES.indexOf(fold(v));
        if (rank < 0) return false;
        if (q.from !== null) {
          const f = SEVERITIES.indexOf(q.from.toLowerCase());
          if (q.fi ? rank < f : rank <= f) return false;
        }
        if (q.to !== null) {
          const t = SEVERITIES.indexOf(q.to.toLowerCase());
          if (q.ti ? rank > t : rank >= t) return false;
        }
        return true;
      }
      if (named) return textRange(column(e, named), q);
      if (q.from === null && q.to === null) {
        // Open on both sides: the path has a value.
        const v = atPath(e.value, q.field);
        return v !== undefined && v !== null;
      }
      if ([q.from, q.to].every((b) => b === null || NUMERIC.test(b))) {
        const v = atPath(e.value, q.field);
        if (typeof v !== 'number') return false;
        if (q.from !== null && (q.fi ? v < Number(q.from) : v <= Number(q.from))) return false;
        if (q.to !== null && (q.ti ? v > Number(q.to) : v >= Number(q.to))) return false;
        return true;
      }
      return textRange(pathText(e.value, q.field), q);
    }
    case 'exists': {
      const named = NAMED[q.field];
      if (!named) {
        const v = atPath(e.value, q.field);
        return v !== undefined && v !== null;
      }
      if (named.kind === 'time') return e.fields.time !== null;
      if (named.kind === 'text' || named.kind === 'severity') return column(e, named) !== null;
      return true;
    }
  }
}

const groupItem = (field: string, v: { value: Value; neg: boolean }): Q => {
  const term: Q = { t: 'term', field, value: v.value };
  return v.neg ? { t: 'not', item: term, dash: true } : term;
};

/** A word as query text: every character the tokenizer reads as syntax is escaped. */
const escWord = (s: string) =>
  s.replace(/[\s()[\]{}"<>\\*?:]/g, (c) => `\\${c}`).replace(/^-/, '\\-');
const phrase = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
/** A bare word, or a phrase for the words the parser reads as operators. */
const bare = (s: string) => (['AND', 'OR', 'NOT'].includes(s) ? phrase(s) : escWord(s));

function renderValue(v: Value): string {
  switch (v.kind) {
    case 'exact':
      return v.quoted ? phrase(v.s) : bare(v.s);
    case 'prefix':
      return `${escWord(v.s)}*`;
    case 'glob':
      return v.parts.map((p) => (typeof p === 'string' ? p : escWord(p.lit))).join('');
  }
}

function render(q: Q): string {
  const atom = (x: Q) =>
    x.t === 'and' || x.t === 'or' || x.t === 'not' ? `(${render(x)})` : render(x);
  switch (q.t) {
    case 'and':
      return q.items
        .map((i) => (i.t === 'or' || i.t === 'and' ? `(${render(i)})` : render(i)))
        .join(q.juxt ? ' ' : ' AND ');
    case 'or':
      return q.items.map((i) => (i.t === 'or' ? `(${render(i)})` : render(i))).join(' OR ');
    case 'not':
      return q.dash ? `-${atom(q.item)}` : `NOT ${atom(q.item)}`;
    case 'text':
      if (q.prefix) return `${escWord(q.value)}*`;
      return q.phrase ? phrase(q.value) : bare(q.value);
    case 'term':
      return `${q.field}:${renderValue(q.value)}`;
    case 'group':
      return `${q.field}:(${q.values
        .map((v) => `${v.neg ? '-' : ''}${renderValue(v.value)}`)
        .join(` ${q.op} `)})`;
    case 'time':
      return `${q.field}:${q.spec.text}`;
    case 'int':
      return `${q.field}:${q.n}`;
    case 'range':
    case 'trange': {
      const text = (b: string | TimeSpec | null) =>
        b === null ? '*' : typeof b === 'string' ? escWord(b) : b.text;
      if (q.cmp && q.from !== null && q.to === null)
        return `${q.field}:${q.fi ? '>=' : '>'}${text(q.from)}`;
      if (q.cmp && q.from === null && q.to !== null)
        return `${q.field}:${q.ti ? '<=' : '<'}${text(q.to)}`;
      return `${q.field}:${q.fi ? '[' : '{'}${text(q.from)} TO ${text(q.to)}${q.ti ? ']' : '}'}`;
    }
    case 'exists':
      return q.star ? `${q.field}:*` : `_exists_:${q.field}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const distinct = (xs: Array<string | null>) =>
  [...new Set(xs.filter((x): x is string => x !== null))].sort();
const valuesOf = (col: Col) => distinct(ALL.map((e) => e.fields[col]));

type CaseMode = 'same' | 'lower' | 'upper' | 'flip';
const caseMode = fc.constantFrom<CaseMode>('same', 'same', 'lower', 'upper', 'flip');
const applyCase = (s: string, m: CaseMode) =>
  m === 'lower'
    ? s.toLowerCase()
    : m === 'upper'
      ? s.toUpperCase()
      : m === 'flip'
        ? s.replace(/[a-zA-Z]/, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
        : s;

/** A value drawn from a vocabulary, in some case. */
const word = (vocab: readonly string[]) =>
  fc.tuple(fc.constantFrom(...vocab), caseMode).map(([s, m]) => applyCase(s, m));

/** Exact, prefix or glob values made from a vocabulary's words. */
function valueArb(vocab: readonly string[], allowPattern = true): fc.Arbitrary<Value> {
  const exact = fc
    .tuple(word(vocab), fc.boolean())
    .map(([s, quoted]): Value => ({ kind: 'exact', s, quoted }));
  if (!allowPattern) return exact;
  const prefix = fc.tuple(word(vocab), fc.nat(), fc.boolean()).map(([s, n, atPunct]): Value => {
    // Half the time the prefix ends just after punctuation (`u-`, `user.`, `ops@`), where the
    // bounds of a prefix range are most easily wrong.
    const cuts = [...s.matchAll(/[^\p{L}\p{N}]/gu)].map((m) => m.index + 1);
    const end = atPunct && cuts.length ? cuts[n % cuts.length] : 1 + (n % s.length);
    return { kind: 'prefix', s: s.slice(0, Math.max(1, end)) };
  });
  const glob = fc
    .tuple(
      word(vocab),
      fc.nat(),
      fc.nat(),
      fc.boolean(),
      fc.boolean(),
      fc.array(fc.nat(), { maxLength: 2 }),
    )
    .map(([s, a, b, lead, trail, qs]): Value => {
      const chars = Array.from(s);
      const from = a % chars.length;
      const to = from + 1 + (b % (chars.length - from));
      const parts: GlobPart[] = [];
      if (from > 0 || lead) parts.push('*');
      const body = chars.slice(from, to);
      // Some characters become `?` (never all of them: a glob keeps a literal).
      for (const k of qs) if (body.length > 1) body[k % body.length] = '?';
      if (!body.some((c) => c !== '?')) body[0] = chars[from];
      let lit = '';
      for (const c of body) {
        if (c === '?') {
          if (lit) parts.push({ lit });
          lit = '';
          parts.push('?');
        } else lit += c;
      }
      if (lit) parts.push({ lit });
      if (to < chars.length || trail) parts.push('*');
      if (!parts.some((p) => typeof p === 'string')) parts.unshift('*');
      return { kind: 'glob', parts };
    });
  return fc.oneof({ arbitrary: exact, weight: 3 }, { arbitrary: prefix, weight: 2 }, glob);
}

const TEXT_FIELDS: Array<[string, Col]> = [
  ['actor', 'actor'],
  ['actor.id', 'actor'],
  ['action', 'action'],
  ['outcome', 'outcome'],
  ['source', 'source'],
  ['category', 'category'],
  ['actor.role', 'actorRole'],
  ['actor.type', 'actorType'],
  ['ip', 'ip'],
  ['actor.ip', 'ip'],
  ['target', 'target'],
  ['target.id', 'target'],
  ['target.type', 'targetType'],
  ['subject', 'subject'],
  ['subject.id', 'subject'],
  ['severity', 'severity'],
  ['kind', 'kind'],
];
const EXTRA_VALUES = ['nobody', 'zzz', 'a', 'A-1', 'ops'];

const namedTerm = fc.oneof(
  ...TEXT_FIELDS.map(([field, col]) =>
    valueArb([...valuesOf(col), ...EXTRA_VALUES]).map((value): Q => ({ t: 'term', field, value })),
  ),
);

const PATH_VOCAB: Array<[string, string[], boolean]> = [
  ['attributes.ticket', [...TICKETS, 'CHG', 'INC'], true],
  ['attributes.flag', ['true', 'false', 'TRUE', 'False', 'yes'], false],
  ['attributes.count', ['0', '3', '5', '7', '12', '05', '-1'], false],
  ['attributes.score', ['0.5', '1.25', '-2.5', '10.5', '10.50', '3'], true],
  ['attributes.tags', ['a', 'export'], false],
  ['actor.name', ACTOR_NAMES, true],
  ['target.name', ['Acme São Paulo', 'Quarterly café report'], true],
  ['subject.type', ['customer', 'person'], true],
  ['record.user', ACTORS, true],
  ['record.user.id', ACTORS, true],
  ['record.level', JSON_LEVELS, true],
  ['record.status', JSON_STATUS, true],
  ['record.n', ['0', '3', '-2', '12'], false],
  ['reason', ['reviewed', 'café', 'Zürich', 'approved by', 'the account'], true],
  ['id', ['ev-00012', 'ev-001', 'ev-', 'sx-00003'], true],
  ['attributes', ['x'], false],
  ['nosuch.field', ['x', 'alice'], true],
];

const pathTerm = fc.oneof(
  ...PATH_VOCAB.map(([field, vocab, patterns]) =>
    valueArb(vocab, patterns).map((value): Q => ({ t: 'term', field, value })),
  ),
);

const logTerm = fc.oneof(
  ...['log', 'origin'].map((field) =>
    valueArb([MAIN_ORIGIN, SECOND_ORIGIN, 'example']).map((value): Q => ({
      t: 'term',
      field,
      value,
    })),
  ),
);

const groupArb = fc
  .tuple(
    fc.constantFrom<[string, Col]>(
      ['actor', 'actor'],
      ['action', 'action'],
      ['outcome', 'outcome'],
      ['ip', 'ip'],
    ),
    fc.constantFrom<'OR' | 'AND'>('OR', 'OR', 'AND'),
    fc.nat(),
  )
  .chain(([[field, col], op, n]) =>
    fc
      .array(fc.record({ value: valueArb([...valuesOf(col), 'nobody']), neg: fc.boolean() }), {
        minLength: 1,
        maxLength: 3,
      })
      .map((values): Q => {
        // The first value of a group is never negated here (`field:(-a)` is fine, but rarely useful).
        values[0] = { ...values[0], neg: n % 4 === 0 };
        return { t: 'group', field, op, values };
      }),
  );

const TIMES = distinct(ALL.map((e) => (e.fields.time === null ? null : String(e.fields.time)))).map(
  Number,
);
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An absolute time at some precision, in some zone, from an entry's time. */
const absoluteTime = fc
  .tuple(
    fc.constantFrom(...TIMES),
    fc.integer({ min: 0, max: 9 }),
    fc.constantFrom<[string, number]>(
      ['', 0],
      ['', 0],
      ['Z', 0],
      ['+02:00', 120],
      ['-05:30', -330],
    ),
  )
  .map(([t, precision, [zone, offMin]]): TimeSpec => {
    const off = offMin * 60_000;
    const d = new Date(t + off);
    const [y, mo, day, h, mi, s, ms] = [
      d.getUTCFullYear(),
      d.getUTCMonth(),
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ];
    // 0 year, 1 month, 2 day, 3 hour, 4 minute, 5 second, 6-8 ms with 1-3 digits, 9 day.
    const p = precision === 9 ? 2 : precision;
    let text = String(y);
    let start: number;
    let end: number;
    if (p === 0) {
      start = Date.UTC(y, 0, 1) - off;
      end = Date.UTC(y + 1, 0, 1) - off;
    } else if (p === 1) {
      text += `-${pad(mo + 1)}`;
      start = Date.UTC(y, mo, 1) - off;
      end = Date.UTC(y, mo + 1, 1) - off;
    } else {
      text += `-${pad(mo + 1)}-${pad(day)}`;
      const widths = [0, 0, 86_400_000, 3_600_000, 60_000, 1000, 100, 10, 1];
      const parts = [y, mo, day, p >= 3 ? h : 0, p >= 4 ? mi : 0, p >= 5 ? s : 0];
      let millis = 0;
      if (p >= 3) text += `T${pad(h)}`;
      if (p >= 4) text += `:${pad(mi)}`;
      if (p >= 5) text += `:${pad(s)}`;
      if (p >= 6) {
        const digits = p - 5;
        const frac = pad(ms, 3).slice(0, digits);
        text += `.${frac}`;
        millis = Number(frac.padEnd(3, '0'));
      }
      start = Date.UTC(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], millis) - off;
      end = start + widths[p];
    }
    return { text: text + zone, start, end };
  });

const relativeTime = fc
  .tuple(
    fc.constantFrom('s', 'm', 'h', 'd', 'w', 'M', 'y', ''),
    fc.integer({ min: 0, max: 120 }),
    fc.boolean(),
  )
  .map(([unit, n, minus]): TimeSpec => {
    if (unit === '') return { text: 'now', start: NOW, end: NOW + 1 };
    const k = (minus ? -1 : 1) * (unit === 'M' ? n % 5 : unit === 'y' ? n % 2 : n);
    const ms: Record<string, number> = {
      s: 1000,
      m: 60_000,
      h: 3_600_000,
      d: 86_400_000,
      w: 604_800_000,
    };
    const t =
      unit === 'M'
        ? Date.UTC(2026, 9 + k, 1)
        : unit === 'y'
          ? Date.UTC(2026 + k, 9, 1)
          : NOW + k * ms[unit];
    return { text: `now${minus ? '-' : '+'}${Math.abs(k)}${unit}`, start: t, end: t + 1 };
  });

const timeSpec = fc.oneof({ arbitrary: absoluteTime, weight: 4 }, relativeTime);
const timeField = fc.constantFrom('time', 'time', '@timestamp');

const timeTerm = fc
  .tuple(timeField, absoluteTime)
  .map(([field, spec]): Q => ({ t: 'time', field, spec }));

const bounds = <T>(b: fc.Arbitrary<T>) =>
  fc
    .tuple(
      fc.option(b, { freq: 4 }),
      fc.option(b, { freq: 4 }),
      fc.boolean(),
      fc.boolean(),
      fc.boolean(),
    )
    .map(([from, to, fi, ti, c]) => ({
      from,
      to,
      fi,
      ti,
      cmp: c && (from === null) !== (to === null),
    }));

const timeRange = fc
  .tuple(timeField, bounds(timeSpec))
  .map(([field, b]): Q => ({ t: 'trange', field, ...b }));

const intTerm = fc.oneof(
  fc.integer({ min: 0, max: 650 }).map((n): Q => ({ t: 'int', field: 'index', n })),
  fc.integer({ min: 0, max: 3 }).map((n): Q => ({ t: 'int', field: 'segment', n })),
);

const intRange = fc.oneof(
  bounds(fc.integer({ min: 0, max: 650 }).map(String)).map((b): Q => ({
    t: 'range',
    field: 'index',
    ...b,
  })),
  bounds(fc.integer({ min: 0, max: 3 }).map(String)).map((b): Q => ({
    t: 'range',
    field: 'segment',
    ...b,
  })),
);

const severityRange = bounds(word(SEVERITIES)).map((b): Q => ({
  t: 'range',
  field: 'severity',
  ...b,
}));

const textRangeArb = fc.oneof(
  ...(
    [
      ['actor', 'actor'],
      ['action', 'action'],
      ['ip', 'ip'],
      ['target', 'target'],
      ['subject', 'subject'],
    ] as Array<[string, Col]>
  ).map(([field, col]) =>
    bounds(word([...valuesOf(col), 'a', 'b', 'c', 'm', 'u', 'z', '1', 'U-10'])).map((b): Q => ({
      t: 'range',
      field,
      ...b,
    })),
  ),
);

const pathRange = fc.oneof(
  bounds(fc.constantFrom('-1', '0', '2.5', '3', '5', '7', '12', '13')).map((b): Q => ({
    t: 'range',
    field: 'attributes.count',
    ...b,
  })),
  bounds(fc.constantFrom('-3', '0', '1.25', '3.5', '10.5')).map((b): Q => ({
    t: 'range',
    field: 'attributes.score',
    ...b,
  })),
  bounds(fc.constantFrom('-2', '0', '4', '11')).map((b): Q => ({
    t: 'range',
    field: 'record.n',
    ...b,
  })),
  bounds(word(['CHG', 'CHG-2', 'INC', 'inc_8', 'a', 'z'])).map((b): Q => ({
    t: 'range',
    field: 'attributes.ticket',
    ...b,
  })),
  bounds(fc.constantFrom('3', '5', 'b', 'ab', '10')).map((b): Q => ({
    t: 'range',
    field: 'attributes.count',
    ...b,
  })),
  bounds(word(['alice', 'B', 'u'])).map((b): Q => ({ t: 'range', field: 'record.user', ...b })),
);

const existsArb = fc
  .tuple(
    fc.constantFrom(
      'actor.role',
      'ip',
      'target',
      'subject',
      'time',
      '@timestamp',
      'severity',
      'kind',
      'index',
      'log',
      'attributes',
      'attributes.ticket',
      'attributes.tags',
      'attributes.score',
      'attributes.flag',
      'reason',
      'record',
      'record.user',
      'record.user.id',
      'actor.name',
      'subject.type',
      'nosuch.field',
    ),
    fc.boolean(),
  )
  .map(([field, star]): Q => ({ t: 'exists', field, star }));

/** Words to search the full text for: the entries' own, some in other cases and accents. */
const TEXT_WORDS = [
  ...REASON_WORDS,
  ...ACTORS,
  ...ACTIONS,
  'cust-200417',
  'role:admin',
  'exports/2026-07.csv',
  '2026',
  '07',
  'CAFE',
  'zurich',
  'SAO',
  'Acme',
  'Liddell',
  'nothing',
  'FAILED',
];
const textWord = fc
  .tuple(word(TEXT_WORDS), fc.boolean())
  .map(([value, quoted]): Q => ({ t: 'text', value, phrase: quoted, prefix: false }));
const textPrefix = fc
  .tuple(word(TEXT_WORDS), fc.nat())
  .map(([s, n]) => s.slice(0, 1 + (n % s.length)))
  .filter((s) => /[\p{L}\p{N}]/u.test(s))
  .map((value): Q => ({ t: 'text', value, phrase: false, prefix: true }));
/** A phrase taken from an entry's own tokens (so that phrases hit), in some case. */
const textPhrase = fc
  .tuple(fc.nat({ max: ALL.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 3 }), caseMode)
  .filter(([i]) => ALL[i].tokens.length > 0)
  .map(([i, at, n, m]): Q => {
    const toks = ALL[i].tokens;
    const from = at % toks.length;
    return {
      t: 'text',
      value: applyCase(toks.slice(from, from + n).join(' '), m),
      phrase: true,
      prefix: false,
    };
  });
const textRandomPhrase = fc
  .array(word(REASON_WORDS), { minLength: 2, maxLength: 3 })
  .map((ws): Q => ({ t: 'text', value: ws.join(' '), phrase: true, prefix: false }));

const leaf: fc.Arbitrary<Q> = fc.oneof(
  { arbitrary: textWord, weight: 3 },
  { arbitrary: textPrefix, weight: 2 },
  { arbitrary: textPhrase, weight: 2 },
  { arbitrary: textRandomPhrase, weight: 1 },
  { arbitrary: namedTerm, weight: 6 },
  { arbitrary: pathTerm, weight: 4 },
  { arbitrary: logTerm, weight: 1 },
  { arbitrary: groupArb, weight: 2 },
  { arbitrary: timeTerm, weight: 2 },
  { arbitrary: timeRange, weight: 3 },
  { arbitrary: intTerm, weight: 1 },
  { arbitrary: intRange, weight: 2 },
  { arbitrary: severityRange, weight: 2 },
  { arbitrary: textRangeArb, weight: 2 },
  { arbitrary: pathRange, weight: 2 },
  { arbitrary: existsArb, weight: 2 },
);

function tree(depth: number): fc.Arbitrary<Q> {
  if (depth === 0) return leaf;
  const sub = tree(depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 3 },
    {
      arbitrary: fc
        .tuple(fc.array(sub, { minLength: 2, maxLength: 3 }), fc.boolean())
        .map(([items, juxt]): Q => ({ t: 'and', items, juxt })),
      weight: 2,
    },
    {
      arbitrary: fc
        .array(sub, { minLength: 2, maxLength: 3 })
        .map((items): Q => ({ t: 'or', items })),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(sub, fc.boolean()).map(([item, dash]): Q => ({ t: 'not', item, dash })),
      weight: 2,
    },
  );
}

const queryArb = tree(3);

// ---------------------------------------------------------------------------------------------
// The cache
// ---------------------------------------------------------------------------------------------

let cache: CacheStore;
let search: SearchService;

beforeAll(async () => {
  const dir = tempDir('custos-oracle-');
  cache = openStore(join(dir, 'cache.db'), newKey());
  for (const [origin, name, values] of [
    [MAIN_ORIGIN, 'main', MAIN_VALUES],
    [SECOND_ORIGIN, 'second', SECOND_VALUES],
  ] as const) {
    const log = await newLogKey(dir, name, origin);
    const store = new FolderStorage(join(dir, `${name}-store`));
    await sealEntries(
      store,
      await readLogKey(log.key),
      values.map((v) => utf8(canonicalJson(v))),
    );
    await syncSource(cache, store, await readTrust(log.pub));
  }
  const logs = new Map(
    (
      cache.db.prepare('SELECT id, origin FROM logs').all() as Array<{ id: number; origin: string }>
    ).map((r) => [r.origin, r.id]),
  );
  const ids = new Map(
    (
      cache.db.prepare('SELECT id, log_id, idx FROM entries').all() as Array<{
        id: number;
        log_id: number;
        idx: number;
      }>
    ).map((r) => [`${r.log_id}:${r.idx}`, r.id]),
  );
  for (const e of ALL) {
    e.logId = logs.get(e.origin)!;
    e.id = ids.get(`${e.logId}:${e.idx}`)!;
  }
  search = new SearchService(cache.db, () => NOW);
});

afterAll(() => cache?.close());

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

const byTime = (order: SortOrder) => (a: OEntry, b: OEntry) => {
  const ta = a.fields.time;
  const tb = b.fields.time;
  const s = order === 'asc' ? 1 : -1;
  // SQLite sorts NULL first: first ascending, last descending.
  if (ta !== tb) return ta === null ? -s : tb === null ? s : (ta - tb) * s;
  return (a.id - b.id) * s;
};
const byIndex = (order: SortOrder) => (a: OEntry, b: OEntry) =>
  (a.logId - b.logId || a.idx - b.idx) * (order === 'asc' ? 1 : -1);

function oracle(q: Q | null, sort: SortKey = 'time', order: SortOrder = 'desc'): OEntry[] {
  const hits = q === null ? [...ALL] : ALL.filter((e) => matches(q, e));
  return hits.sort(sort === 'time' ? byTime(order) : byIndex(order));
}

/** Every row of a result, page by page with keyset cursors. */
function keysetAll(query: string, sort: SortKey, order: SortOrder, limit: number): number[] {
  const ids: number[] = [];
  let after: Cursor | null = null;
  for (let guard = 0; guard < 2000; guard++) {
    const page = search.page({ query, sort, order, limit, after });
    expect(page.rows.length).toBeLessThanOrEqual(limit);
    ids.push(...page.rows.map((r) => r.id));
    if (page.next === null) return ids;
    expect(page.rows.length).toBe(limit);
    after = page.next;
  }
  throw new Error(`paging ${query} did not end`);
}

/** A check whose errors (also the service's own) start with the query text. */
const named = (check: (q: Q) => void) => (q: Q) => {
  try {
    check(q);
  } catch (e) {
    if (e instanceof Error && !e.message.startsWith(render(q)))
      e.message = `${render(q)}: ${e.message}`;
    throw e;
  }
};

function checkResults(q: Q) {
  const query = render(q);
  const expected = oracle(q).map((e) => e.id);
  const got = keysetAll(query, 'time', 'desc', 50);
  const want = new Set(expected);
  const have = new Set(got);
  const missing = expected.filter((id) => !have.has(id));
  const extra = got.filter((id) => !want.has(id));
  expect({ query, missing, extra, duplicates: got.length - have.size }).toEqual({
    query,
    missing: [],
    extra: [],
    duplicates: 0,
  });
  expect(got, `order of ${query}`).toEqual(expected);
  expect(search.count(query), `count of ${query}`).toBe(expected.length);
}

function expectedFacets(hits: OEntry[], col: Col, limit = 10) {
  const counts = new Map<string, number>();
  for (const e of hits) {
    const v = e.fields[col];
    if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || cmp(a.value, b.value))
    .slice(0, limit);
}

function checkFacetsAndHistogram(q: Q) {
  const query = render(q);
  const hits = oracle(q);
  expect(search.facets(query, ['actor', 'outcome']), `facets of ${query}`).toEqual({
    actor: expectedFacets(hits, 'actor'),
    outcome: expectedFacets(hits, 'outcome'),
  });
  const h = search.histogram(query);
  const timed = hits.filter((e) => e.fields.time !== null).map((e) => e.fields.time!);
  expect(
    h.buckets.reduce((n, b) => n + b.count, 0),
    `histogram of ${query}`,
  ).toBe(timed.length);
  const buckets = new Map<number, number>();
  for (const t of timed) {
    const b = t - (t % h.bucketMs);
    buckets.set(b, (buckets.get(b) ?? 0) + 1);
  }
  expect(h.buckets, `histogram of ${query}`).toEqual(
    [...buckets].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start, count })),
  );
}

// Fixed queries, written as trees, for the non-random checks.
const Q_ALL: Q = { t: 'exists', field: 'kind', star: false };
const Q_JSON: Q = {
  t: 'term',
  field: 'kind',
  value: { kind: 'exact', s: 'json/v1', quoted: false },
};
const Q_MIXED: Q = {
  t: 'or',
  items: [
    Q_JSON,
    { t: 'term', field: 'actor', value: { kind: 'exact', s: 'ALICE', quoted: false } },
  ],
};
const Q_TEXT: Q = { t: 'text', value: 'export', phrase: false, prefix: false };
const Q_NOT: Q = {
  t: 'not',
  item: { t: 'exists', field: 'attributes.ticket', star: true },
  dash: true,
};
const FIXED = [Q_ALL, Q_JSON, Q_MIXED, Q_TEXT, Q_NOT];

describe('the search oracle', () => {
  it('stores the fields and text the oracle expects', () => {
    expect(ALL.length).toBe(MAIN_COUNT + SECOND_COUNT);
    expect(ALL.filter((e) => e.fields.time === null).length).toBeGreaterThan(5);
    expect(ALL.filter((e) => e.fields.kind === 'json/v1').length).toBeGreaterThan(40);
    const row = cache.db.prepare(
      'SELECT kind, time, actor, action, outcome, severity, ip FROM entries WHERE id = ?',
    );
    for (const e of ALL) {
      const f = e.fields;
      expect(row.get(e.id)).toEqual({
        kind: f.kind,
        time: f.time,
        actor: f.actor,
        action: f.action,
        outcome: f.outcome,
        severity: f.severity,
        ip: f.ip,
      });
    }
  });

  it('finds what the oracle finds, in order, with the same count', () => {
    fc.assert(fc.property(queryArb, named(checkResults)), { numRuns: 300 });
  });

  it('gives the facets and histogram the oracle gives', () => {
    for (const q of FIXED) checkFacetsAndHistogram(q);
    fc.assert(fc.property(queryArb, named(checkFacetsAndHistogram)), { numRuns: 60 });
  });

  it('sorts by log and index, both ways, through keyset pages', () => {
    for (const q of [Q_ALL, Q_MIXED, Q_TEXT])
      for (const order of ['asc', 'desc'] as const) {
        const query = render(q);
        expect(keysetAll(query, 'index', order, 37), `${query} ${order}`).toEqual(
          oracle(q, 'index', order).map((e) => e.id),
        );
      }
  });

  it('jumps to any offset of everything in time order through the hourly counts', () => {
    // From offset 0 on (in use only from 2,000 on): every position, both ways, past the end too.
    const jumping = new SearchService(cache.db, () => NOW, 0);
    for (const order of ['desc', 'asc'] as const) {
      const ids = oracle(Q_ALL, 'time', order).map((e) => e.id);
      for (let k = 0; k <= ids.length + 3; k += 3)
        expect(
          jumping
            .page({ query: '', sort: 'time', order, limit: 17, offset: k })
            .rows.map((r) => r.id),
          `${order} offset ${k}`,
        ).toEqual(ids.slice(k, k + 17));
    }
  });

  it('jumps to any offset', () => {
    for (const q of [Q_ALL, Q_MIXED, Q_TEXT, Q_NOT])
      for (const [sort, order] of [
        ['time', 'desc'],
        ['time', 'asc'],
        ['index', 'asc'],
      ] as const) {
        const query = render(q);
        const ids = oracle(q, sort, order).map((e) => e.id);
        for (const k of [
          0,
          1,
          7,
          50,
          123,
          ids.length - 3,
          ids.length - 1,
          ids.length,
          ids.length + 5,
        ])
          expect(
            search
              .page({ query, sort, order, limit: 20, offset: Math.max(0, k) })
              .rows.map((r) => r.id),
            `${query} ${sort} ${order} offset ${k}`,
          ).toEqual(ids.slice(Math.max(0, k), Math.max(0, k) + 20));
      }
  });

  it('puts missing times first ascending and last descending, and pages across them', () => {
    for (const q of [Q_ALL, Q_JSON, Q_MIXED])
      for (const order of ['asc', 'desc'] as const) {
        const query = render(q);
        const expected = oracle(q, 'time', order);
        const nulls = expected.filter((e) => e.fields.time === null).length;
        expect(nulls).toBeGreaterThan(1);
        const times = expected.map((e) => e.fields.time);
        if (order === 'asc') expect(times.slice(0, nulls).every((t) => t === null)).toBe(true);
        else expect(times.slice(-nulls).every((t) => t === null)).toBe(true);
        // Page sizes that end a page inside the NULL run, at its edge, and across it.
        for (const limit of [1, 3, 7, nulls, nulls + 1, 50])
          expect(
            keysetAll(query, 'time', order, limit),
            `${query} ${order} limit ${limit}`,
          ).toEqual(expected.map((e) => e.id));
      }
  });
});

/**
 * Bugs this oracle found in the compiler (now fixed), kept as regression tests; the random queries
 * cover these cases again too.
 */
describe('regressions the oracle found', () => {
  const expectOracle = (q: Q) => {
    const query = render(q);
    expect(keysetAll(query, 'time', 'desc', 50), query).toEqual(oracle(q).map((e) => e.id));
    expect(search.count(query), query).toBe(oracle(q).length);
  };

  // compile.ts range(): the json_extract(...) of a numeric path range, and the pathValue(...) of a
  // text one, are built (pushing their parameter) once but written into the SQL once per bound:
  // two bounds leave too few parameters, none leaves one too many. Every such query throws.
  it('a path range with two bounds runs (attributes.count:[3 TO 7])', () => {
    expectOracle({
      t: 'range',
      field: 'attributes.count',
      from: '3',
      to: '7',
      fi: true,
      ti: true,
      cmp: false,
    });
  });
  it('a text path range with two bounds runs (attributes.ticket:[CHG TO INC])', () => {
    expectOracle({
      t: 'range',
      field: 'attributes.ticket',
      from: 'CHG',
      to: 'INC',
      fi: true,
      ti: true,
      cmp: false,
    });
  });
  it('a path range open on both sides runs (attributes.count:[* TO *])', () => {
    expectOracle({
      t: 'range',
      field: 'attributes.count',
      from: null,
      to: null,
      fi: true,
      ti: true,
      cmp: false,
    });
  });

  // compile.ts textMatch(): a column prefix is the NOCASE range [p, prefixEnd(p)); for a prefix
  // ending in `@` the end is `…A`, which NOCASE reads as `…a`: so `ops@*` also finds `ops_bot`.
  it('a field prefix ending in @ finds only values that start with it (actor:ops@*)', () => {
    expectOracle({ t: 'term', field: 'actor', value: { kind: 'prefix', s: 'ops@' } });
  });
});
