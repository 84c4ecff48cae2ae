/**
 * Report periods, as an officer writes them on the command line: a quarter (`2026-Q3`), a month
 * (`2026-08`), an ISO 8601 week (`2026-W33`) or a day (`2026-08-14`). All are UTC, because the log's
 * times are, and a period is the half-open span [from, to) so that consecutive periods never share
 * an entry.
 */

export type PeriodKind = 'quarter' | 'month' | 'week' | 'day';

export interface Period {
  kind: PeriodKind;
  /** The period as written canonically, e.g. `2026-Q3`, `2026-W33`. */
  id: string;
  /** For people, e.g. `Q3 2026 (1 July to 30 September 2026)`. */
  label: string;
  /** Start, ms UTC, included. */
  from: number;
  /** End, ms UTC, excluded. */
  to: number;
}

export class PeriodError extends Error {
  override name = 'PeriodError';
}

const DAY = 86_400_000;
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
export const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;

/** `1 July 2026` */
export function formatDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/**
 * `1 July to 30 September 2026`, `10 to 16 August 2026`, or across years
 * `29 December 2025 to 4 January 2026`.
 */
function spanLabel(from: number, to: number): string {
  const a = new Date(from);
  const last = new Date(to - DAY);
  const sameYear = a.getUTCFullYear() === last.getUTCFullYear();
  const sameMonth = sameYear && a.getUTCMonth() === last.getUTCMonth();
  const start = sameMonth
    ? `${a.getUTCDate()}`
    : sameYear
      ? `${a.getUTCDate()} ${MONTHS[a.getUTCMonth()]}`
      : formatDay(from);
  return `${start} to ${formatDay(last.getTime())}`;
}

/** Monday of ISO week 1: the week holding 4 January. */
function isoWeekOne(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday 0
  return jan4 - weekday * DAY;
}

/** How many ISO weeks a year has (52 or 53). */
export function isoWeeksInYear(year: number): number {
  return Math.round((isoWeekOne(year + 1) - isoWeekOne(year)) / (7 * DAY));
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Parses a report period. Strict: exactly one of the four forms, with real numbers (no month 13,
 * no 30 February, no week 53 in a year of 52 weeks); the error names the value and what is wrong.
 */
export function parsePeriod(text: string): Period {
  const where = `--period ${JSON.stringify(text)}`;
  if (typeof text !== 'string' || text.trim() === '')
    throw new PeriodError(
      '--period is missing: give a quarter (2026-Q3), a month (2026-08), a week (2026-W33) or a day (2026-08-14)',
    );
  const s = text.trim();
  const year = (y: string) => {
    const n = Number(y);
    if (n < 1970 || n > 9999) throw new PeriodError(`${where}: the year must be 1970 to 9999`);
    return n;
  };
  let m: RegExpMatchArray | null;
  if ((m = /^(\d{4})-[Qq](\d+)$/.exec(s))) {
    const y = year(m[1]);
    const q = Number(m[2]);
    if (!/^[1-4]$/.test(m[2])) throw new PeriodError(`--period ${s}: a quarter is Q1 to Q4`);
    const from = Date.UTC(y, (q - 1) * 3, 1);
    const to = Date.UTC(y, q * 3, 1);
    return {
      kind: 'quarter',
      id: `${y}-Q${q}`,
      label: `Q${q} ${y} (${spanLabel(from, to)})`,
      from,
      to,
    };
  }
  if ((m = /^(\d{4})-[Ww](\d+)$/.exec(s))) {
    const y = year(m[1]);
    const w = Number(m[2]);
    const weeks = isoWeeksInYear(y);
    if (!/^\d{2}$/.test(m[2]) || w < 1 || w > weeks)
      throw new PeriodError(
        `--period ${s}: a week of ${y} is W01 to W${weeks} (ISO 8601, two digits)`,
      );
    const from = isoWeekOne(y) + (w - 1) * 7 * DAY;
    const to = from + 7 * DAY;
    return {
      kind: 'week',
      id: `${y}-W${pad(w)}`,
      label: `week ${w} of ${y} (${spanLabel(from, to)})`,
      from,
      to,
    };
  }
  if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s))) {
    const y = year(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    if (mo < 1 || mo > 12) throw new PeriodError(`--period ${s}: a month is 01 to 12`);
    const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (d < 1 || d > days)
      throw new PeriodError(`--period ${s}: ${MONTHS[mo - 1]} ${y} has days 01 to ${days}`);
    const from = Date.UTC(y, mo - 1, d);
    return {
      kind: 'day',
      id: `${y}-${pad(mo)}-${pad(d)}`,
      label: `${WEEKDAY_NAMES[new Date(from).getUTCDay()]} ${formatDay(from)}`,
      from,
      to: from + DAY,
    };
  }
  if ((m = /^(\d{4})-(\d{2})$/.exec(s))) {
    const y = year(m[1]);
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) throw new PeriodError(`--period ${s}: a month is 01 to 12`);
    const from = Date.UTC(y, mo - 1, 1);
    const to = Date.UTC(y, mo, 1);
    return {
      kind: 'month',
      id: `${y}-${pad(mo)}`,
      label: `${MONTHS[mo - 1]} ${y} (${spanLabel(from, to)})`,
      from,
      to,
    };
  }
  throw new PeriodError(
    `${where}: write a quarter (2026-Q3), a month (2026-08), an ISO week (2026-W33) or a day (2026-08-14)`,
  );
}

/** The ISO year and week that hold a time. */
function isoWeekOf(ms: number): { year: number; week: number } {
  const d = new Date(ms);
  // The Thursday of the same week decides the year.
  const thursday =
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) +
    (3 - ((d.getUTCDay() + 6) % 7)) * DAY;
  const year = new Date(thursday).getUTCFullYear();
  return { year, week: Math.floor((thursday - isoWeekOne(year)) / (7 * DAY)) + 1 };
}

/** The period of one kind that holds a time, as written: 2026-Q3, 2026-08, 2026-W33, 2026-08-14. */
export function periodOf(kind: PeriodKind, ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (kind === 'quarter') return `${y}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  if (kind === 'month') return `${y}-${pad(d.getUTCMonth() + 1)}`;
  if (kind === 'day') return d.toISOString().slice(0, 10);
  const w = isoWeekOf(ms);
  return `${w.year}-W${pad(w.week)}`;
}
