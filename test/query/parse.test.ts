import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_DEPTH, parseQuery, QueryError } from '../../shared/query/parse';

const text = (value: string, extra: { phrase?: boolean; prefix?: boolean } = {}) => ({
  type: 'text',
  value,
  phrase: false,
  prefix: false,
  ...extra,
});
const term = (
  field: string,
  value: string,
  extra: { phrase?: boolean; prefix?: boolean } = {},
) => ({ type: 'term', field, value, phrase: false, prefix: false, ...extra });

describe('the query language', () => {
  it.each([
    ['export', text('export')],
    ['"bulk export"', text('bulk export', { phrase: true })],
    ['action:customer.export', term('action', 'customer.export')],
    ['actor:adm*', term('actor', 'adm', { prefix: true })],
    ['subject:"cust-200417"', term('subject', 'cust-200417', { phrase: true })],
    ['record.requestParameters.bucketName:foo', term('record.requestParameters.bucketName', 'foo')],
    ['_exists_:subject', { type: 'exists', field: 'subject' }],
    [
      'time:>now-7d',
      {
        type: 'range',
        field: 'time',
        from: 'now-7d',
        to: null,
        fromInclusive: false,
        toInclusive: false,
      },
    ],
    [
      'severity:<=low',
      {
        type: 'range',
        field: 'severity',
        from: null,
        to: 'low',
        fromInclusive: false,
        toInclusive: true,
      },
    ],
    [
      'time:[2026-07-01 TO 2026-09-30]',
      {
        type: 'range',
        field: 'time',
        from: '2026-07-01',
        to: '2026-09-30',
        fromInclusive: true,
        toInclusive: true,
      },
    ],
    [
      'time:{2026-08-14T02:00 TO *]',
      {
        type: 'range',
        field: 'time',
        from: '2026-08-14T02:00',
        to: null,
        fromInclusive: false,
        toInclusive: true,
      },
    ],
    ['a b', { type: 'and', items: [text('a'), text('b')] }],
    [
      'a AND b OR c',
      { type: 'or', items: [{ type: 'and', items: [text('a'), text('b')] }, text('c')] },
    ],
    [
      'a AND (b OR c)',
      { type: 'and', items: [text('a'), { type: 'or', items: [text('b'), text('c')] }] },
    ],
    ['NOT outcome:success', { type: 'not', item: term('outcome', 'success') }],
    [
      '-outcome:success login',
      { type: 'and', items: [{ type: 'not', item: term('outcome', 'success') }, text('login')] },
    ],
    ['date 2026-07-01', { type: 'and', items: [text('date'), text('2026-07-01')] }],
    [
      'action:(login OR logout)',
      { type: 'or', items: [term('action', 'login'), term('action', 'logout')] },
    ],
    ['"say \\"hi\\""', text('say "hi"', { phrase: true })],
    ['action:*.export', { ...term('action', '*.export'), wildcard: '*.export' }],
    ['actor:u-10?2', { ...term('actor', 'u-10?2'), wildcard: 'u-10?2' }],
    ['target:a\\*b*', term('target', 'a*b', { prefix: true })],
    ['target:a\\*b*c', { ...term('target', 'a*b*c'), wildcard: 'a\\*b*c' }],
    ['actor:*', { type: 'exists', field: 'actor' }],
    ['actor:??', { ...term('actor', '??'), wildcard: '??' }],
    [
      'action:(login OR *.logout)',
      {
        type: 'or',
        items: [term('action', 'login'), { ...term('action', '*.logout'), wildcard: '*.logout' }],
      },
    ],
  ])('parses %s', (q, tree) => {
    expect(parseQuery(q)).toMatchObject(tree);
  });

  it('keeps the column of each field term for errors found later', () => {
    expect(parseQuery('a AND time:>x OR actor:(b OR c*)')).toMatchObject({
      items: [{ items: [{}, { at: 7 }] }, { items: [{ at: 25 }, { at: 30 }] }],
    });
  });

  it('treats an empty query as no filter', () => {
    expect(parseQuery('   ')).toBeNull();
  });

  it.each([
    ['"unbalanced', /unterminated quoted phrase at column 1/],
    ['(a OR b', /'\)' expected at column 8/],
    ['a OR b)', /no '\(' for this '\)' at column 7/],
    ['a OR', /the query ends where a term was expected at column 5/],
    ['AND a', /AND needs a term on each side at column 1/],
    ['time:[1 TO 2', /must end with '\]' or '\}' at column 13/],
    ['time:[1 2]', /a range is written time:\[from TO to\]/],
    ['a*b', /in full text, a wildcard is only allowed at the end of a word .* at column 1/],
    ['*', /a lone \* matches everything/],
    ['actor:', /no value after actor: at column 7/],
    ['NOT', /nothing after NOT/],
    ["x' OR 1=1; DROP TABLE entries; --", null],
    ['title:"<script>alert(1)</script>"', null],
  ])('answers %s with a clear error or a tree', (q, message) => {
    if (message) expect(() => parseQuery(q)).toThrow(message);
    else expect(() => parseQuery(q)).not.toThrow();
  });

  it('refuses huge and deeply nested queries with a clear error', () => {
    expect(() => parseQuery('a '.repeat(3000))).toThrow(/longer than 4096 characters/);
    expect(() =>
      parseQuery('('.repeat(MAX_QUERY_DEPTH + 2) + 'a' + ')'.repeat(MAX_QUERY_DEPTH + 2)),
    ).toThrow(/nesting deeper than 32/);
    expect(() => parseQuery('a '.repeat(300))).toThrow(/more than 256 terms/);
  });

  it('never fails on any input except with a QueryError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (q) => {
        try {
          parseQuery(q);
        } catch (e) {
          expect(e).toBeInstanceOf(QueryError);
          expect((e as QueryError).column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
