/**
 * The text of an entry that full-text search looks in: every string and number in the record, in
 * document order, without the keys. Tokenising (case, accents, punctuation) is the index's job.
 */
import { fromUtf8Lossy } from '../bytes';
import { parseJsonStrict, type JsonValue } from './json';

export function fullText(value: JsonValue): string {
  const parts: string[] = [];
  const walk = (v: JsonValue) => {
    if (typeof v === 'string') parts.push(v);
    else if (typeof v === 'number') parts.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') for (const k in v) walk(v[k]);
  };
  walk(value);
  // A NUL would end the text early for FTS5; like any other non-letter it only separates words.
  return parts.join(' ').replaceAll('\u0000', ' ');
}

/**
 * The search text of an entry's bytes. A verified entry that is not JSON is still the log's
 * content: its readable text is searched.
 */
export function entryText(entry: Uint8Array): string {
  let value: JsonValue;
  try {
    value = parseJsonStrict(entry);
  } catch {
    return fromUtf8Lossy(entry);
  }
  return fullText(value);
}
