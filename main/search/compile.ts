/**
 * Compiles a parsed query into a parameterised SQL condition over `entries e`: full text through
 * the FTS5 index, named fields through their indexed columns, anything else as a path into the
 * entry's JSON. No text from the query is ever written into the SQL: every value is a parameter,
 * and full-text terms are passed to FTS5 as quoted strings, so its operators are never read from
 * user text.
 *
 * Matching rules (docs/search.md): field values compare without regard to ASCII case; `*` and `?`
 * are wildcards in field values; full text matches whole words (or a word's start, with `*`) after
 * case folding and accent removal; NOT matches entries that do not have the field at all.
 */
import {
  parseIntegerValue,
  parseSeverityValue,
  parseTimeValue,
  searchField,
  SEGMENT_SIZE,
  SEVERITY_ORDER,
  type SearchField,
} from '../../shared/query/fields';
import { QueryError, type QueryNode } from '../../shared/query/parse';

export type SqlValue = string | number;

export interface CompiledQuery {
  /** A condition over the alias `e` of the entries table; `1` for no filter. */
  where: string;
  params: SqlValue[];
  /** When the whole query is full text: its FTS5 expression (counted without the entries). */
  fullText?: string;
}

export interface CompileOptions {
  /** What `now` means in relative times, in ms (tests fix it). */
  now?: number;
  /**
   * Whether a full-text term matches many entries (more than a page can be found in quickly by
   * walking an index in sort order). Such terms are tested per row instead of driving the query.
   */
  isBroad?: (fts: string) => boolean;
}

type Term = Extract<QueryNode, { type: 'term' }>;
type Range = Extract<QueryNode, { type: 'range' }>;
type Text = Extract<QueryNode, { type: 'text' }>;

export const TOKEN_CHAR = /[\p{L}\p{N}]/u;

/**
 * Columns with many values and no index (see migration 0002), whose value is always a string or
 * number of the record itself, so that the full-text index holds its words.
 */
export const FTS_ASSISTED: ReadonlySet<string> = new Set([
  'actor',
  'actor_type',
  'actor_role',
  'ip',
  'target',
  'target_type',
  'subject',
]);
/** The entry's JSON text (the bytes live in entry_data, one lookup by id). */
const JSON_DOC = 'CAST((SELECT data FROM entry_data WHERE id = e.id) AS TEXT)';

/** A full-text term as an FTS5 string: quoted, so that FTS5 tokenises it and reads no syntax. */
function ftsString(n: Text): string {
  if (!TOKEN_CHAR.test(n.value))
    throw new QueryError(
      `${JSON.stringify(n.value)} has no letters or digits to search for`,
      n.at ?? 1,
    );
  // FTS5 reads a NUL as the end of the string; like any other non-letter it only separates words.
  const value = n.value.replaceAll('\u0000', ' ').replaceAll('"', '""');
  return `"${value}"${n.prefix ? ' *' : ''}`;
}

/** The FTS5 expression for a subtree made only of full-text terms, or null. */
function ftsExpression(n: QueryNode): string | null {
  switch (n.type) {
    case 'text':
      return ftsString(n);
    case 'or': {
      const parts = n.items.map(ftsExpression);
      return parts.every((p) => p !== null) ? `(${parts.join(' OR ')})` : null;
    }
    case 'and': {
      const pos: string[] = [];
      const neg: string[] = [];
      for (const item of n.items) {
        const inner = item.type === 'not' ? ftsExpression(item.item) : ftsExpression(item);
        if (inner === null) return null;
        (item.type === 'not' ? neg : pos).push(inner);
      }
      if (pos.length === 0) return null;
      return neg.reduce((acc, x) => `(${acc} NOT ${x})`, `(${pos.join(' AND ')})`);
    }
    default:
      return null;
  }
}

/** The JSON path of a field name that is not a named field: `record.userIdentity.arn`. */
function jsonPath(field: string): string {
  return (
    '$' +
    field
      .split('.')
      .map((k) => `."${k}"`)
      .join('')
  );
}

/** ASCII lower case: what SQLite's NOCASE and LIKE fold. */
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The smallest string after every string that starts with `prefix` (by code point). */
function prefixEnd(prefix: string): string | null {
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const last = cps.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      let next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      // The prefix is folded to lower case, and NOCASE compares folded strings: an upper-case
      // bound would be read as lower case, so the next character after '@' is '['.
      if (next >= 0x41 && next <= 0x5a) next = 0x5b;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return null;
}

/** A field glob (`*` any run, `?` one character, `\` escapes) as a LIKE pattern with `\`. */
function likePattern(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      const lit = glob[++i];
      out += lit === '%' || lit === '_' || lit === '\\' ? `\\${lit}` : lit;
    } else if (c === '*') out += '%';
    else if (c === '?') out += '_';
    else if (c === '%' || c === '_') out += `\\${c}`;
    else out += c;
  }
  return out;
}

export function compileQuery(node: QueryNode | null, options: CompileOptions = {}): CompiledQuery {
  const now = options.now ?? Date.now();
  const params: SqlValue[] = [];
  const p = (v: SqlValue) => {
    params.push(v);
    return '?';
  };

  /** `expr` compared with a text term: exact, prefix or wildcard, ASCII case folded. */
  const textMatch = (expr: string, t: Term): string => {
    if (t.wildcard !== undefined) return `${expr} LIKE ${p(likePattern(t.wildcard))} ESCAPE '\\'`;
    if (t.prefix && !/^[a-z_.]+$/.test(expr)) {
      // An expression (a JSON path) is written once: LIKE with the prefix, escaped.
      return `${expr} LIKE ${p(t.value.replace(/[\\%_]/g, (c) => `\\${c}`) + '%')} ESCAPE '\\'`;
    }
    if (t.prefix) {
      // A column: a range its index can answer.
      const from = fold(t.value);
      const to = prefixEnd(from);
      return to === null
        ? `${expr} >= ${p(from)} COLLATE NOCASE`
        : `(${expr} >= ${p(from)} COLLATE NOCASE AND ${expr} < ${p(to)} COLLATE NOCASE)`;
    }
    return `${expr} = ${p(t.value)} COLLATE NOCASE`;
  };

  const pathValue = (field: string) => {
    // The value as text: strings as they are, numbers as written, true and false by name.
    const path = jsonPath(field);
    return `(CASE json_type(${JSON_DOC}, ${p(path)}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'object' THEN NULL WHEN 'array' THEN NULL ELSE CAST(json_extract(${JSON_DOC}, ${p(path)}) AS TEXT) END)`;
  };

  const noWildcards = (t: Term, f: SearchField) => {
    if (t.prefix || t.wildcard !== undefined)
      throw new QueryError(`${t.field} takes no wildcards`, t.at ?? 1);
    return f;
  };

  const term = (t: Term): string => {
    const f = searchField(t.field);
    const at = t.at ?? 1;
    if (!f) return textMatch(pathValue(t.field), t);
    switch (f.type) {
      case 'text':
      case 'severity': {
        // A field without an index whose values are words of the record: the full-text index
        // finds the candidates (a superset: the same words anywhere), the column decides.
        // Parameters are pushed in the order the SQL reads them.
        if (!FTS_ASSISTED.has(f.column) || t.wildcard !== undefined || !TOKEN_CHAR.test(t.value))
          return textMatch(`e.${f.column}`, t);
        const expr = ftsString({ type: 'text', value: t.value, phrase: true, prefix: t.prefix });
        // Words most entries have do not narrow anything: walking an index in sort order and
        // testing the column finds a page sooner than collecting every candidate first.
        if (options.isBroad?.(expr)) return textMatch(`e.${f.column}`, t);
        const words = fts(expr);
        return `(${words} AND ${textMatch(`e.${f.column}`, t)})`;
      }
      case 'time': {
        noWildcards(t, f);
        const span = parseTimeValue(t.value, now, at);
        return `(e.time >= ${p(span.start)} AND e.time < ${p(span.end)})`;
      }
      case 'integer': {
        noWildcards(t, f);
        const n = parseIntegerValue(t.value, t.field, at);
        if (f.name === 'segment')
          return `(e.idx >= ${p(n * SEGMENT_SIZE)} AND e.idx < ${p((n + 1) * SEGMENT_SIZE)})`;
        return `e.idx = ${p(n)}`;
      }
      case 'log':
        return `e.log_id IN (SELECT id FROM logs WHERE ${textMatch('origin', t)})`;
    }
  };

  const range = (r: Range): string => {
    const f = searchField(r.field);
    const at = r.at ?? 1;
    const conds: string[] = [];
    if (f?.type === 'time') {
      if (r.from !== null) {
        const s = parseTimeValue(r.from, now, at);
        conds.push(`e.time >= ${p(r.fromInclusive ? s.start : s.end)}`);
      }
      if (r.to !== null) {
        const s = parseTimeValue(r.to, now, at);
        conds.push(`e.time < ${p(r.toInclusive ? s.end : s.start)}`);
      }
      return conds.length ? `(${conds.join(' AND ')})` : 'e.time IS NOT NULL';
    }
    if (f?.type === 'integer') {
      const scale = f.name === 'segment' ? SEGMENT_SIZE : 1;
      if (r.from !== null) {
        const n = parseIntegerValue(r.from, r.field, at) + (r.fromInclusive ? 0 : 1);
        conds.push(`e.idx >= ${p(n * scale)}`);
      }
      if (r.to !== null) {
        const n = parseIntegerValue(r.to, r.field, at) + (r.toInclusive ? 1 : 0);
        conds.push(`e.idx < ${p(n * scale)}`);
      }
      return conds.length ? `(${conds.join(' AND ')})` : '1';
    }
    if (f?.type === 'severity') {
      const lo = r.from === null ? 0 : parseSeverityValue(r.from, at) + (r.fromInclusive ? 0 : 1);
      const hi =
        r.to === null
          ? SEVERITY_ORDER.length - 1
          : parseSeverityValue(r.to, at) - (r.toInclusive ? 0 : 1);
      const levels = SEVERITY_ORDER.slice(lo, hi + 1);
      if (levels.length === 0) return '0';
      return `e.severity COLLATE NOCASE IN (${levels.map(p).join(', ')})`;
    }
    if (f?.type === 'log') throw new QueryError('log takes no ranges', at);
    // Text columns and JSON paths: numbers compare as numbers, anything else as text. Each use
    // of a path writes its expression (and its parameters) again.
    if (r.from === null && r.to === null) return exists(r.field);
    const numeric = [r.from, r.to].every((v) => v === null || /^-?\d+(\.\d+)?$/.test(v));
    if (!f && numeric) {
      const path = jsonPath(r.field);
      const v = () => `json_extract(${JSON_DOC}, ${p(path)})`;
      conds.push(`json_type(${JSON_DOC}, ${p(path)}) IN ('integer', 'real')`);
      if (r.from !== null)
        conds.push(`${v()} ${r.fromInclusive ? '>=' : '>'} ${p(Number(r.from))}`);
      if (r.to !== null) conds.push(`${v()} ${r.toInclusive ? '<=' : '<'} ${p(Number(r.to))}`);
      return `(${conds.join(' AND ')})`;
    }
    const expr = () => (f ? `e.${f.column}` : pathValue(r.field));
    if (r.from !== null)
      conds.push(`${expr()} ${r.fromInclusive ? '>=' : '>'} ${p(fold(r.from))} COLLATE NOCASE`);
    if (r.to !== null)
      conds.push(`${expr()} ${r.toInclusive ? '<=' : '<'} ${p(fold(r.to))} COLLATE NOCASE`);
    return `(${conds.join(' AND ')})`;
  };

  const exists = (field: string): string => {
    const f = searchField(field);
    if (!f) {
      const path = jsonPath(field);
      return `json_type(${JSON_DOC}, ${p(path)}) <> 'null'`;
    }
    return f.type === 'text' || f.type === 'severity' || f.type === 'time'
      ? `e.${f.column} IS NOT NULL`
      : '1';
  };

  // `+e.id` keeps SQLite from reading a broad term's matches one by one (and sorting them all)
  // when walking the time index, or another field's, finds the first page sooner.
  const fts = (expr: string) =>
    `${options.isBroad?.(expr) ? '+' : ''}e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ${p(expr)})`;

  const compile = (n: QueryNode): string => {
    const whole = ftsExpression(n);
    if (whole !== null) return fts(whole);
    switch (n.type) {
      case 'and': {
        // Full-text terms of an AND go to FTS5 together, as one MATCH.
        const text = n.items.filter((i) => i.type === 'text');
        const rest = n.items.filter((i) => i.type !== 'text');
        const parts = text.length ? [fts(ftsExpression({ type: 'and', items: text })!)] : [];
        return `(${[...parts, ...rest.map(compile)].join(' AND ')})`;
      }
      case 'or':
        return `(${n.items.map(compile).join(' OR ')})`;
      case 'not':
        // NULL (a missing field) counts as not matching, so NOT matches it.
        return `(${compile(n.item)}) IS NOT 1`;
      case 'term':
        return term(n);
      case 'range':
        return range(n);
      case 'exists':
        return exists(n.field);
      case 'text':
        return fts(ftsString(n));
    }
  };

  if (node === null) return { where: '1', params };
  const whole = ftsExpression(node);
  return { where: compile(node), params, ...(whole !== null ? { fullText: whole } : {}) };
}
