/**
 * The searchable fields, what their values mean, and how query values are read: times (absolute at
 * any precision, or relative to now), integers and severities. Pure, shared by the search service
 * and the console (for completion and help).
 */
import { SEVERITIES } from '../entry/model';
import { QueryError } from './parse';

export type FieldType = 'text' | 'time' | 'integer' | 'severity' | 'log';

export interface SearchField {
  /** The name in queries, e.g. `actor.role`. */
  name: string;
  type: FieldType;
  /** The entries column it is stored in (for `segment`, the column it is derived from). */
  column: string;
  description: string;
}

export const SEARCH_FIELDS: readonly SearchField[] = [
  { name: 'time', type: 'time', column: 'time', description: 'when the event happened (UTC)' },
  { name: 'source', type: 'text', column: 'source', description: 'the audited system' },
  { name: 'category', type: 'text', column: 'category', description: 'access, data, security…' },
  { name: 'action', type: 'text', column: 'action', description: 'what was done' },
  { name: 'outcome', type: 'text', column: 'outcome', description: 'success or failure' },
  { name: 'actor', type: 'text', column: 'actor', description: 'who did it' },
  { name: 'actor.type', type: 'text', column: 'actor_type', description: 'user, service…' },
  { name: 'actor.role', type: 'text', column: 'actor_role', description: 'the actor’s role' },
  { name: 'ip', type: 'text', column: 'ip', description: 'the address it came from' },
  { name: 'target', type: 'text', column: 'target', description: 'what it was done to' },
  { name: 'target.type', type: 'text', column: 'target_type', description: 'kind of target' },
  { name: 'subject', type: 'text', column: 'subject', description: 'whose data it concerns' },
  { name: 'severity', type: 'severity', column: 'severity', description: 'info … critical' },
  { name: 'kind', type: 'text', column: 'kind', description: 'the entry’s envelope' },
  { name: 'index', type: 'integer', column: 'idx', description: 'position in the log' },
  { name: 'segment', type: 'integer', column: 'idx', description: 'entry bundle (256 entries)' },
  { name: 'log', type: 'log', column: 'log_id', description: 'the log’s origin' },
];

/** Other names officers use for the same fields. */
const ALIASES: Record<string, string> = {
  '@timestamp': 'time',
  'actor.id': 'actor',
  'actor.ip': 'ip',
  'target.id': 'target',
  'subject.id': 'subject',
  origin: 'log',
};

const BY_NAME = new Map(SEARCH_FIELDS.map((f) => [f.name, f]));

/** A named field, or null: any other name is a path into the entry's JSON (`record.eventName`). */
export function searchField(name: string): SearchField | null {
  return BY_NAME.get(ALIASES[name] ?? name) ?? null;
}

/** Entries per segment (entry bundle). */
export const SEGMENT_SIZE = 256;

/** The severity order, lowest first, for ranges such as `severity:>=high`. */
export const SEVERITY_ORDER: readonly string[] = SEVERITIES;

/** A query value read as an instant range [start, end) in milliseconds since the epoch. */
export interface TimeSpan {
  start: number;
  end: number;
}

const ABSOLUTE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?)?)?)?(Z|[+-]\d{2}:\d{2})?$/;
const RELATIVE = /^now(?:([+-])(\d{1,6})([smhdwMy]))?$/;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Reads a time as the span it names: `2026-07-01` is that whole day (UTC), `2026-08-14T02:00` that
 * minute, `2026-08` that month; `now`, `now-7d`, `now-12h`, `now-1M` are instants. Times without an
 * offset are UTC, as everywhere in Custos.
 */
export function parseTimeValue(text: string, now: number, at: number): TimeSpan {
  const rel = RELATIVE.exec(text);
  if (rel) {
    if (!rel[1]) return { start: now, end: now + 1 };
    const n = Number(rel[2]) * (rel[1] === '-' ? -1 : 1);
    const unit = rel[3];
    let t: number;
    if (unit === 'M' || unit === 'y') {
      const d = new Date(now);
      if (unit === 'M') d.setUTCMonth(d.getUTCMonth() + n);
      else d.setUTCFullYear(d.getUTCFullYear() + n);
      t = d.getTime();
    } else t = now + n * UNIT_MS[unit];
    return { start: t, end: t + 1 };
  }
  const m = ABSOLUTE.exec(text);
  if (!m)
    throw new QueryError(
      `${JSON.stringify(text)} is not a time: write 2026-07-01, 2026-07-01T08:30, now or now-7d`,
      at,
    );
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  const parts = [Number(y), Number(mo ?? 1) - 1, Number(d ?? 1), Number(h ?? 0), Number(mi ?? 0)];
  const secs = Number(s ?? 0);
  const millis = ms ? Number(ms.padEnd(3, '0')) : 0;
  const local = Date.UTC(parts[0], parts[1], parts[2], parts[3], parts[4], secs, millis);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== parts[0] ||
    check.getUTCMonth() !== parts[1] ||
    check.getUTCDate() !== parts[2] ||
    check.getUTCHours() !== parts[3] ||
    check.getUTCMinutes() !== parts[4] ||
    check.getUTCSeconds() !== secs
  )
    throw new QueryError(`${JSON.stringify(text)} is not a real date and time`, at);
  let offset = 0;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  const start = local - offset;
  let end: number;
  if (ms) end = start + 10 ** (3 - ms.length);
  else if (s) end = start + 1000;
  else if (mi) end = start + 60_000;
  else if (h) end = start + 3_600_000;
  else if (d) end = start + 86_400_000;
  else if (mo) end = Date.UTC(parts[0], parts[1] + 1, 1) - offset;
  else end = Date.UTC(parts[0] + 1, 0, 1) - offset;
  return { start, end };
}

/** A non-negative integer query value (index, segment). */
export function parseIntegerValue(text: string, field: string, at: number): number {
  if (!/^\d{1,15}$/.test(text))
    throw new QueryError(`${field} takes a whole number, not ${JSON.stringify(text)}`, at);
  return Number(text);
}

/** A severity's rank in SEVERITY_ORDER. */
export function parseSeverityValue(text: string, at: number): number {
  const i = SEVERITY_ORDER.indexOf(text.toLowerCase());
  if (i < 0)
    throw new QueryError(
      `${JSON.stringify(text)} is not a severity: use ${SEVERITY_ORDER.join(', ')}`,
      at,
    );
  return i;
}
