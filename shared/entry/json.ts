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

// Runs of ordinary string characters are skipped by the regex engine, which is much faster than
// a charCodeAt loop; only quotes, escapes, control characters and surrogates are looked at here.
// eslint-disable-next-line no-control-regex -- control characters are exactly what is matched
const PLAIN = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;
const NUM = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

const WS = new Uint8Array(128);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

/** Parses strict JSON from text or UTF-8 bytes (invalid UTF-8 is an error). */
export function parseJsonStrict(input: string | Uint8Array, maxDepth = MAX_JSON_DEPTH): JsonValue {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = fromUtf8(input);
    } catch {
      throw new JsonError('invalid UTF-8', 0);
    }
  }
  const parser = new StrictParser(text, maxDepth);
  const value = parser.value(0);
  parser.skip();
  if (parser.i < text.length) parser.fail('trailing characters after the JSON value');
  return value;
}

/** A recursive-descent parser; a class, so that no closures are created per document. */
class StrictParser {
  i = 0;
  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
  ) {}

  fail(msg: string): never {
    throw new JsonError(msg, this.i);
  }

  skip() {
    const s = this.s;
    let i = this.i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c < 128 && WS[c]) i++;
      else break;
    }
    this.i = i;
  }

  value(depth: number): JsonValue {
    this.skip();
    const s = this.s;
    if (this.i >= s.length) this.fail('unexpected end of input');
    const c = s.charCodeAt(this.i);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string();
    if (c === 0x74 && s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (c === 0x66 && s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (c === 0x6e && s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail('unexpected character');
  }

  object(depth: number): JsonValue {
    if (depth >= this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    const s = this.s;
    this.i++;
    const obj: { [key: string]: JsonValue } = {};
    this.skip();
    if (s.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return obj;
    }
    for (;;) {
      this.skip();
      if (s.charCodeAt(this.i) !== 0x22) this.fail('expected a string key');
      const keyAt = this.i;
      const key = this.string();
      if (Object.hasOwn(obj, key))
        throw new JsonError(`duplicate key ${JSON.stringify(key)}`, keyAt);
      this.skip();
      if (s.charCodeAt(this.i) !== 0x3a) this.fail("expected ':'");
      this.i++;
      const value = this.value(depth + 1);
      // A key named __proto__ is data, never a prototype change.
      if (key === '__proto__') {
        Object.defineProperty(obj, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else obj[key] = value;
      this.skip();
      const d = s.charCodeAt(this.i);
      if (d === 0x2c) {
        this.i++;
        continue;
      }
      if (d === 0x7d) {
        this.i++;
        return obj;
      }
      this.fail("expected ',' or '}'");
    }
  }

  array(depth: number): JsonValue {
    if (depth >= this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    const s = this.s;
    this.i++;
    const arr: JsonValue[] = [];
    this.skip();
    if (s.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return arr;
    }
    for (;;) {
      arr.push(this.value(depth + 1));
      this.skip();
      const d = s.charCodeAt(this.i);
      if (d === 0x2c) {
        this.i++;
        continue;
      }
      if (d === 0x5d) {
        this.i++;
        return arr;
      }
      this.fail("expected ',' or ']'");
    }
  }

  string(): string {
    const s = this.s;
    this.i++; // opening quote
    let out = '';
    let start = this.i;
    for (;;) {
      PLAIN.lastIndex = this.i;
      PLAIN.test(s);
      this.i = PLAIN.lastIndex;
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = s.charCodeAt(this.i + 1);
        if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff))
          this.fail('lone surrogate in string');
        this.i += 2;
        continue;
      }
      // A backslash.
      out += s.slice(start, this.i);
      const e = s.charCodeAt(this.i + 1);
      this.i += 2;
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
          const u = this.hex4();
          if (u >= 0xd800 && u <= 0xdbff) {
            if (s.charCodeAt(this.i) !== 0x5c || s.charCodeAt(this.i + 1) !== 0x75)
              this.fail('lone surrogate escape');
            this.i += 2;
            const lo = this.hex4();
            if (!(lo >= 0xdc00 && lo <= 0xdfff)) this.fail('lone surrogate escape');
            out += String.fromCharCode(u, lo);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            this.fail('lone surrogate escape');
          } else out += String.fromCharCode(u);
          break;
        }
        default:
          this.i -= 1;
          this.fail('invalid escape');
      }
      start = this.i;
    }
  }

  hex4(): number {
    const h = this.s.slice(this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape');
    this.i += 4;
    return parseInt(h, 16);
  }

  number(): number {
    NUM.lastIndex = this.i;
    const m = NUM.exec(this.s);
    if (!m) return this.fail('invalid number');
    const text = m[0];
    const v = Number(text);
    if (!Number.isFinite(v)) this.fail('number out of range');
    // An integer literal that a double cannot hold exactly would be silently changed: refuse it.
    if (!m[1] && !m[2] && !Number.isSafeInteger(v) && String(v) !== text) {
      this.fail('integer beyond 2^53 would lose precision');
    }
    this.i += text.length;
    return v;
  }
}

// eslint-disable-next-line no-control-regex -- control characters must be escaped
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function canonicalString(text: string): string {
  // JSON.stringify escapes exactly as RFC 8785 section 3.2.2.2 requires; most strings need none.
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** RFC 8785 canonical JSON text of a value. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value); // ECMAScript Number-to-String is exactly what RFC 8785 prescribes
  }
  if (typeof value === 'string') return canonicalString(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let k = 0; k < value.length; k++) out += (k > 0 ? ',' : '') + canonicalJson(value[k]);
    return out + ']';
  }
  // Default sort compares UTF-16 code units, as RFC 8785 section 3.2.3 requires.
  const keys = Object.keys(value).sort();
  let out = '{';
  for (let k = 0; k < keys.length; k++) {
    const v = value[keys[k]];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += canonicalString(keys[k]) + ':' + canonicalJson(v);
  }
  return out + '}';
}

export function canonicalJsonBytes(value: JsonValue): Uint8Array {
  return utf8(canonicalJson(value));
}
