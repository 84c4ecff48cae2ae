import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, parseJsonStrict, type JsonValue } from '../../shared/entry/json';
import { decodeEntry, encodeEntry } from '../../shared/entry/model';
import { utf8 } from '../../shared/bytes';

describe('strict JSON', () => {
  it('parses what JSON.parse parses, for ordinary documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const text = JSON.stringify(v);
        expect(parseJsonStrict(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it.each([
    ['{"a":1,"a":2}', /duplicate key "a" at offset 7/],
    ['{"a":1} x', /trailing characters/],
    ['[1,]', /unexpected character/],
    ['"\\ud800"', /lone surrogate/],
    ['"\\udc00x"', /lone surrogate/],
    ['12345678901234567890', /beyond 2\^53/],
    ['1e400', /out of range/],
    ['"a\u0001"', /control character/],
    ["{'a':1}", /expected a string key/],
    ['01', /trailing characters/],
    ['', /unexpected end/],
    ['['.repeat(65) + ']'.repeat(65), /nesting deeper than 64/],
  ])('refuses %s', (text, message) => {
    expect(() => parseJsonStrict(text)).toThrow(message);
  });

  it('refuses invalid UTF-8', () => {
    expect(() => parseJsonStrict(new Uint8Array([0x22, 0xff, 0x22]))).toThrow(/invalid UTF-8/);
  });

  it('keeps a __proto__ key as data', () => {
    const v = parseJsonStrict('{"__proto__":{"polluted":true}}') as Record<string, JsonValue>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(canonicalJson(v)).toBe('{"__proto__":{"polluted":true}}');
  });
});

describe('RFC 8785 canonical JSON', () => {
  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)', () => {
    const input =
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}';
    const canonical = canonicalJson(parseJsonStrict(input));
    const keys = [...canonical.matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) =>
      JSON.parse(`"${m[1]}"`),
    );
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('serialises numbers and strings as the RFC shows', () => {
    const v = parseJsonStrict(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(v)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('is idempotent and stable under re-parsing', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        const c = canonicalJson(v as JsonValue);
        expect(canonicalJson(parseJsonStrict(c))).toBe(c);
      }),
    );
  });
});

describe('entries', () => {
  const event = {
    kind: 'custos.audit/v1',
    id: 'e1',
    time: '2026-07-01T08:00:00.000Z',
    source: 'school.lessonline',
    category: 'access',
    action: 'user.login',
    outcome: 'success',
    actor: { id: 'u-1', type: 'user' },
    severity: 'info',
  };

  it('encode to canonical bytes and decode back', () => {
    const bytes = encodeEntry(event);
    expect(decodeEntry(bytes)).toEqual({ entry: event, canonical: true });
    expect(decodeEntry(utf8(JSON.stringify(event, null, 1))).canonical).toBe(false);
  });

  it('name the field at fault', () => {
    expect(() => encodeEntry({ ...event, time: '2026-07-01 08:00' })).toThrow(
      /^time: time must be UTC with milliseconds/,
    );
    expect(() => encodeEntry({ ...event, time: '2026-02-30T08:00:00.000Z' })).toThrow(
      /time is not a real instant/,
    );
    expect(() => encodeEntry({ ...event, actor: { id: 'u', type: 'robot' } })).toThrow(
      /^actor\.type/,
    );
    expect(() => encodeEntry({ ...event, extra: 1 })).toThrow(/extra/);
    expect(() => encodeEntry({ kind: 'other/v1' })).toThrow(/kind/);
    expect(() => encodeEntry({ kind: 'json/v1', record: { big: 'x'.repeat(70000) } })).toThrow(
      /limit is 65535/,
    );
  });

  it('carry any JSON record under json/v1 and CloudTrail under aws.cloudtrail/v1', () => {
    expect(
      decodeEntry(encodeEntry({ kind: 'json/v1', record: { b: 1, a: [true, null] } })).entry,
    ).toEqual({
      kind: 'json/v1',
      record: { a: [true, null], b: 1 },
    });
    expect(() => decodeEntry(utf8('{"kind":"json/v1","record":{"a":1,"a":2}}'))).toThrow(
      /duplicate key/,
    );
  });
});

describe('normalisation', () => {
  it('gives the same fields from a strictly parsed value as from a validated entry', async () => {
    const { normalizeEntry, normalizeValue } = await import('../../shared/entry/normalize');
    const { generateDemoEvents } = await import('../../main/demo/generateDemo');
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { DATASETS } = await import('../helpers/paths');
    const entries: Uint8Array[] = [];
    for (const e of generateDemoEvents({ size: 3000, seed: 9 })) entries.push(encodeEntry(e));
    const dir = join(DATASETS, 'cloudtrail-invictus', 'CloudTrail');
    for (const f of readdirSync(dir).slice(0, 5)) {
      for (const record of JSON.parse(readFileSync(join(dir, f), 'utf8')).Records) {
        entries.push(encodeEntry({ kind: 'aws.cloudtrail/v1', record }));
      }
    }
    entries.push(
      encodeEntry({
        kind: 'json/v1',
        record: { timestamp: '2026-07-01T00:00:00Z', user: { id: 'u1' }, action: 'x' },
      }),
    );
    for (const bytes of entries) {
      expect(normalizeValue(parseJsonStrict(bytes))).toEqual(
        normalizeEntry(decodeEntry(bytes).entry),
      );
    }
    expect(
      normalizeValue(parseJsonStrict('{"kind":"custos.audit/v1","actor":7}')).actor,
    ).toBeNull();
    expect(normalizeValue(parseJsonStrict('[1]')).kind).toBe('invalid');
  });
});
