/**
 * Strict JSON (RFC 8259 restricted to I-JSON, RFC 7493) and its canonical form (RFC 8785, JCS).
 * Audit entries are hashed, so every party must derive the same bytes: duplicate keys, lone
 * surrogates, numbers that would lose precision and unbounded nesting are refused, not guessed at.
 */
import { fromUtf8, utf8 } from '../bytes';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const MAX_JSON_DEPTH = 64;

export class JsonError extends Error {
  override name = 'JsonError';
  constructor(
    message: string,
    /** Character offset in the input where the problem is. */
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

const WS = new Uint8Array(128);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

/** Parses strict JSON from text or UTF-8 bytes (invalid UTF-8 is an error). */
export function parseJsonStrict(input: string | Uint8Array, maxDepth = MAX_JSON_DEPTH): JsonValue {
  let s: string;
  if (typeof input === 'string') s = input;
  else {
    try {
      s = fromUtf8(input);
    } catch {
      throw new JsonError('invalid UTF-8', 0);
    }
  }
  let i = 0;
  const n = s.length;

  const skip = () => {
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 128 && WS[c]) i++;
      else break;
    }
  };
  const fail = (msg: string): never => {
    throw new JsonError(msg, i);
  };

  const parseString = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        out += s.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c >= 0xd800 && c <= 0xdfff) {
        const hi = c <= 0xdbff;
        const next = s.charCodeAt(i + 1);
        if (!hi || !(next >= 0xdc00 && next <= 0xdfff)) fail('lone surrogate in string');
        i += 2;
        continue;
      }
      if (c === 0x5c) {
        out += s.slice(start, i);
        const e = s.charCodeAt(i + 1);
        i += 2;
        switch (e) {
          case 0x22:
            out += '"';
            break;
          case 0x5c:
            out += '\\';
            break;
          case 0x2f:
            out += '/';
            break;
          case 0x62:
            out += '\b';
            break;
          case 0x66:
            out += '\f';
            break;
          case 0x6e:
            out += '\n';
            break;
          case 0x72:
            out += '\r';
            break;
          case 0x74:
            out += '\t';
            break;
          case 0x75: {
            const u = readHex4();
            if (u >= 0xd800 && u <= 0xdbff) {
              if (s.charCodeAt(i) !== 0x5c || s.charCodeAt(i + 1) !== 0x75)
                fail('lone surrogate escape');
              i += 2;
              const lo = readHex4();
              if (!(lo >= 0xdc00 && lo <= 0xdfff)) fail('lone surrogate escape');
              out += String.fromCharCode(u, lo);
            } else if (u >= 0xdc00 && u <= 0xdfff) {
              fail('lone surrogate escape');
            } else out += String.fromCharCode(u);
            break;
          }
          default:
            i -= 1;
            fail('invalid escape');
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const readHex4 = (): number => {
    const h = s.slice(i, i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('invalid \\u escape');
    i += 4;
    return parseInt(h, 16);
  };

  const NUM = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const parseNumber = (): number => {
    NUM.lastIndex = i;
    const m = NUM.exec(s);
    if (!m) fail('invalid number');
    const text = m![0];
    const v = Number(text);
    if (!Number.isFinite(v)) fail('number out of range');
    // An integer literal that a double cannot hold exactly would be silently changed: refuse it.
    if (!m![1] && !m![2] && !Number.isSafeInteger(v) && String(v) !== text) {
      fail('integer beyond 2^53 would lose precision');
    }
    i += text.length;
    return v;
  };

  const parseValue = (depth: number): JsonValue => {
    skip();
    if (i >= n) fail('unexpected end of input');
    const c = s.charCodeAt(i);
    if (c === 0x7b) {
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`);
      i++;
      const obj: { [key: string]: JsonValue } = {};
      const keys = new Set<string>();
      skip();
      if (s.charCodeAt(i) === 0x7d) {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (s.charCodeAt(i) !== 0x22) fail('expected a string key');
        const keyAt = i;
        const key = parseString();
        if (keys.has(key)) throw new JsonError(`duplicate key ${JSON.stringify(key)}`, keyAt);
        keys.add(key);
        skip();
        if (s.charCodeAt(i) !== 0x3a) fail("expected ':'");
        i++;
        // defineProperty: a key named __proto__ is data, never a prototype change.
        Object.defineProperty(obj, key, {
          value: parseValue(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skip();
        const d = s.charCodeAt(i);
        i++;
        if (d === 0x2c) continue;
        if (d === 0x7d) return obj;
        i--;
        fail("expected ',' or '}'");
      }
    }
    if (c === 0x5b) {
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth}`);
      i++;
      const arr: JsonValue[] = [];
      skip();
      if (s.charCodeAt(i) === 0x5d) {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skip();
        const d = s.charCodeAt(i);
        i++;
        if (d === 0x2c) continue;
        if (d === 0x5d) return arr;
        i--;
        fail("expected ',' or ']'");
      }
    }
    if (c === 0x22) return parseString();
    if (c === 0x74 && s.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (c === 0x66 && s.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (c === 0x6e && s.startsWith('null', i)) {
      i += 4;
      return null;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
    return fail('unexpected character');
  };

  const value = parseValue(0);
  skip();
  if (i < n) fail('trailing characters after the JSON value');
  return value;
}

/** RFC 8785 canonical JSON text of a value. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value); // ECMAScript Number-to-String is exactly what RFC 8785 prescribes
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  // Default sort compares UTF-16 code units, as RFC 8785 section 3.2.3 requires.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let k = 0; k < keys.length; k++) {
    const v = value[keys[k]];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += JSON.stringify(keys[k]) + ':' + canonicalJson(v);
  }
  return out + '}';
}

export function canonicalJsonBytes(value: JsonValue): Uint8Array {
  return utf8(canonicalJson(value));
}
