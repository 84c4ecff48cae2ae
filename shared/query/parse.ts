/**
 * The search query language, Lucene/KQL style, parsed into a tree (compiling it to SQL comes with
 * the search service). Pure: no I/O, no SQL. Grammar:
 *
 *   query   := or
 *   or      := and (OR and)*
 *   and     := unary ((AND)? unary)*          (juxtaposition means AND)
 *   unary   := (NOT | '-') unary | primary
 *   primary := '(' or ')' | field ':' value | '_exists_' ':' field | text
 *   value   := "phrase" | word | word* | [a TO b] | {a TO b} | >x | >=x | <x | <=x | '(' values ')'
 *
 * Every error names what is wrong and the column (1-based) where.
 */

export type QueryNode =
  | { type: 'and'; items: QueryNode[] }
  | { type: 'or'; items: QueryNode[] }
  | { type: 'not'; item: QueryNode }
  /** Full text: a bare word (optionally a prefix, `adm*`) or a quoted phrase. */
  | { type: 'text'; value: string; phrase: boolean; prefix: boolean; at?: number }
  /**
   * field:value, field:"phrase" or field:prefix*. A value with wildcards elsewhere (`*.export`,
   * `u-10?2`) also carries `wildcard`: the glob, with literal `*`, `?` and `\` escaped by `\`.
   */
  | {
      type: 'term';
      field: string;
      value: string;
      phrase: boolean;
      prefix: boolean;
      wildcard?: string;
      /** 1-based column of the field name, for errors found when the query is compiled. */
      at?: number;
    }
  /** field:[a TO b], field:{a TO b}, field:>a ... ; `*` or a missing side is open. */
  | {
      type: 'range';
      field: string;
      from: string | null;
      to: string | null;
      fromInclusive: boolean;
      toInclusive: boolean;
      at?: number;
    }
  | { type: 'exists'; field: string; at?: number };

export class QueryError extends Error {
  override name = 'QueryError';
  constructor(
    message: string,
    /** 1-based column of the problem. */
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
  }
}

export const MAX_QUERY_LENGTH = 4096;
export const MAX_QUERY_DEPTH = 32;
export const MAX_QUERY_TERMS = 256;

type Token =
  /** `wild`: the positions in `text` of unescaped `*` and `?`. */
  | { kind: 'word'; text: string; at: number; wild: number[] }
  | { kind: 'phrase'; text: string; at: number }
  | {
      kind: 'op';
      text: '(' | ')' | ':' | '[' | ']' | '{' | '}' | '-' | '>' | '>=' | '<' | '<=';
      at: number;
    };

const FIELD = /^[A-Za-z_@][A-Za-z0-9_.@-]*$/;
const SPECIAL = new Set(['(', ')', ':', '[', ']', '{', '}', '>', '<']);

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '"') {
      const at = i;
      let text = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new QueryError('unterminated quoted phrase', at + 1);
        if (q[i] === '\\' && i + 1 < q.length) {
          text += q[i + 1];
          i += 2;
          continue;
        }
        if (q[i] === '"') break;
        text += q[i++];
      }
      i++;
      out.push({ kind: 'phrase', text, at });
      continue;
    }
    if ((c === '>' || c === '<') && q[i + 1] === '=') {
      out.push({ kind: 'op', text: `${c}=` as '>=' | '<=', at: i });
      i += 2;
      continue;
    }
    if (SPECIAL.has(c)) {
      out.push({ kind: 'op', text: c as '(', at: i });
      i++;
      continue;
    }
    // A leading '-' negates only when it stands before a term, not inside a word (2026-07-01).
    if (c === '-' && (out.length === 0 || isBoundary(out[out.length - 1], q, i))) {
      out.push({ kind: 'op', text: '-', at: i });
      i++;
      continue;
    }
    const at = i;
    let text = '';
    const wild: number[] = [];
    // A ':' ends a word only after a field name, so times like 2026-07-01T08:00 stay one word.
    while (i < q.length && !/[\s()[\]{}"<>]/.test(q[i]) && !(q[i] === ':' && FIELD.test(text))) {
      if (q[i] === '\\' && i + 1 < q.length) {
        text += q[i + 1];
        i += 2;
        continue;
      }
      if (q[i] === '*' || q[i] === '?') wild.push(text.length);
      text += q[i++];
    }
    if (text === '') throw new QueryError(`unexpected character ${JSON.stringify(q[i])}`, i + 1);
    out.push({ kind: 'word', text, at, wild });
  }
  return out;
}

/** Whether a '-' at position i starts a negation (after whitespace or an opening bracket). */
function isBoundary(prev: Token, q: string, i: number): boolean {
  if (/\s/.test(q[i - 1] ?? ' ')) return true;
  return prev.kind === 'op' && prev.text === '(';
}

export function parseQuery(query: string): QueryNode | null {
  if (query.length > MAX_QUERY_LENGTH)
    throw new QueryError(
      `the query is longer than ${MAX_QUERY_LENGTH} characters`,
      MAX_QUERY_LENGTH + 1,
    );
  const tokens = tokenize(query);
  if (tokens.length === 0) return null;
  let pos = 0;
  let terms = 0;
  const end = query.length + 1;
  const peek = () => tokens[pos];
  const col = (t: Token | undefined) => (t ? t.at + 1 : end);
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'word' && t.text === w;
  const isOp = (t: Token | undefined, o: string) => t?.kind === 'op' && t.text === o;
  const countTerm = (t: Token | undefined) => {
    if (++terms > MAX_QUERY_TERMS)
      throw new QueryError(`more than ${MAX_QUERY_TERMS} terms`, col(t));
  };

  const parseOr = (depth: number, field?: string): QueryNode => {
    if (depth > MAX_QUERY_DEPTH)
      throw new QueryError(`nesting deeper than ${MAX_QUERY_DEPTH}`, col(peek()));
    const items = [parseAnd(depth, field)];
    while (isWord(peek(), 'OR')) {
      pos++;
      items.push(parseAnd(depth, field));
    }
    return items.length === 1 ? items[0] : { type: 'or', items };
  };

  const parseAnd = (depth: number, field?: string): QueryNode => {
    const items = [parseUnary(depth, field)];
    for (;;) {
      const t = peek();
      if (!t || isWord(t, 'OR') || isOp(t, ')')) break;
      if (isWord(t, 'AND')) pos++;
      items.push(parseUnary(depth, field));
    }
    return items.length === 1 ? items[0] : { type: 'and', items };
  };

  const parseUnary = (depth: number, field?: string): QueryNode => {
    const t = peek();
    if (isWord(t, 'NOT') || isOp(t, '-')) {
      pos++;
      if (!peek()) throw new QueryError(`nothing after ${t!.kind === 'word' ? 'NOT' : "'-'"}`, end);
      return { type: 'not', item: parseUnary(depth + 1, field) };
    }
    return parsePrimary(depth, field);
  };

  const parsePrimary = (depth: number, field?: string): QueryNode => {
    const t = peek();
    if (!t) throw new QueryError('the query ends where a term was expected', end);
    if (isOp(t, '(')) {
      pos++;
      const inner = parseOr(depth + 1, field);
      if (!isOp(peek(), ')'))
        throw new QueryError("unbalanced parenthesis: ')' expected", col(peek()));
      pos++;
      return inner;
    }
    if (t.kind === 'op') throw new QueryError(`unexpected ${JSON.stringify(t.text)}`, col(t));
    if (isWord(t, 'AND') || isWord(t, 'OR'))
      throw new QueryError(`${t.text} needs a term on each side`, col(t));
    pos++;
    countTerm(t);
    if (t.kind === 'word' && isOp(peek(), ':')) {
      pos++;
      return parseFieldValue(t, depth);
    }
    // Inside field:( ... ) every bare word or phrase is a value of that field.
    return field ? termNode(field, t) : textNode(t);
  };

  const textNode = (t: Token): QueryNode => {
    if (t.kind === 'phrase')
      return { type: 'text', value: t.text, phrase: true, prefix: false, at: col(t) };
    const { text, wild } = t as Extract<Token, { kind: 'word' }>;
    const prefix = wild.length === 1 && wild[0] === text.length - 1 && text.endsWith('*');
    if (wild.length > 0 && !prefix)
      throw new QueryError(
        'in full text, a wildcard is only allowed at the end of a word (use field:*value for a field)',
        col(t),
      );
    const value = prefix ? text.slice(0, -1) : text;
    if (prefix && value === '')
      throw new QueryError('a lone * matches everything; leave it out', col(t));
    return { type: 'text', value, phrase: false, prefix, at: col(t) };
  };

  const termNode = (field: string, t: Token, at = col(t)): QueryNode => {
    if (t.kind === 'op') throw new QueryError(`unexpected ${JSON.stringify(t.text)}`, col(t));
    if (t.kind === 'phrase' || t.wild.length === 0)
      return {
        type: 'term',
        field,
        value: t.text,
        phrase: t.kind === 'phrase',
        prefix: false,
        at,
      };
    const { text, wild } = t;
    const last = text.length - 1;
    if (wild.length === 1 && wild[0] === last && text[last] === '*') {
      if (last === 0) return { type: 'exists', field, at };
      return { type: 'term', field, value: text.slice(0, -1), phrase: false, prefix: true, at };
    }
    let glob = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      glob += wild.includes(i) ? c : c === '*' || c === '?' || c === '\\' ? `\\${c}` : c;
    }
    if (/^\**$/.test(glob)) return { type: 'exists', field, at };
    return {
      type: 'term',
      field,
      value: text,
      phrase: false,
      prefix: false,
      wildcard: glob,
      at,
    };
  };

  const parseFieldValue = (fieldTok: Token, depth: number): QueryNode => {
    const field = fieldTok.text;
    if (!FIELD.test(field))
      throw new QueryError(`invalid field name ${JSON.stringify(field)}`, col(fieldTok));
    const v = peek();
    if (!v) throw new QueryError(`no value after ${field}:`, end);
    if (field === '_exists_') {
      if (v.kind !== 'word' || !FIELD.test(v.text))
        throw new QueryError('_exists_: needs a field name', col(v));
      pos++;
      return { type: 'exists', field: v.text, at: col(v) };
    }
    if (isOp(v, '[') || isOp(v, '{')) return parseRange(field, v, col(fieldTok));
    if (isOp(v, '>') || isOp(v, '>=') || isOp(v, '<') || isOp(v, '<=')) {
      pos++;
      const x = peek();
      if (!x || x.kind === 'op')
        throw new QueryError(`no value after ${field}:${(v as { text: string }).text}`, col(x));
      pos++;
      const op = (v as { text: string }).text;
      return op.startsWith('>')
        ? {
            type: 'range',
            field,
            from: x.text,
            to: null,
            fromInclusive: op === '>=',
            toInclusive: false,
            at: col(fieldTok),
          }
        : {
            type: 'range',
            field,
            from: null,
            to: x.text,
            fromInclusive: false,
            toInclusive: op === '<=',
            at: col(fieldTok),
          };
    }
    if (isOp(v, '(')) {
      // field:(a OR b) applies the field to every term inside.
      pos++;
      const inner = parseOr(depth + 1, field);
      if (!isOp(peek(), ')'))
        throw new QueryError("unbalanced parenthesis: ')' expected", col(peek()));
      pos++;
      return inner;
    }
    if (v.kind === 'op')
      throw new QueryError(`unexpected ${JSON.stringify(v.text)} after ${field}:`, col(v));
    pos++;
    return termNode(field, v, col(fieldTok));
  };

  const parseRange = (field: string, open: Token, at: number): QueryNode => {
    pos++;
    const a = peek();
    const to = tokens[pos + 1];
    const b = tokens[pos + 2];
    const close = tokens[pos + 3];
    if (!a || a.kind === 'op' || !isWord(to, 'TO') || !b || b.kind === 'op') {
      throw new QueryError(`a range is written ${field}:[from TO to]`, col(a ?? open));
    }
    if (!(isOp(close, ']') || isOp(close, '}')))
      throw new QueryError("a range must end with ']' or '}'", col(close));
    pos += 4;
    return {
      type: 'range',
      field,
      from: a.text === '*' ? null : a.text,
      to: b.text === '*' ? null : b.text,
      fromInclusive: isOp(open, '['),
      toInclusive: isOp(close, ']'),
      at,
    };
  };

  const result = parseOr(0);
  if (pos < tokens.length) {
    const t = tokens[pos];
    throw new QueryError(
      isOp(t, ')')
        ? "unbalanced parenthesis: no '(' for this ')'"
        : `unexpected ${JSON.stringify(t.text)}`,
      col(t),
    );
  }
  return result;
}
