/**
 * The CPU-heavy half of syncing a segment: parse the entry bundle, hash every entry, check the
 * leaves against the authenticated segment hash, and normalise each entry's fields. It runs in a
 * worker thread so that the main thread only fetches and writes to the cache.
 */
import { bytesEqual, fromUtf8Lossy } from '../../shared/bytes';
import { fullText } from '../../shared/entry/fulltext';
import { parseJsonStrict } from '../../shared/entry/json';
import {
  normalizeValue,
  undecodableFields,
  type NormalizedFields,
} from '../../shared/entry/normalize';
import { createTreeHasher, HASH_SIZE } from '../../shared/tlog/hasher';
import { CompactRange } from '../../shared/tlog/merkle';
import { splitEntryBundle } from '../../shared/tlog/tiles';
import { nodeCrypto } from '../crypto/nodeCrypto';

export interface PrepareRequest {
  data: Uint8Array;
  width: number;
  /** A full segment's authenticated subtree hash, or the partial segment's leaf hashes. */
  expected: Uint8Array | Uint8Array[];
  /** Entries before this position of the segment are already stored: not normalised again. */
  from: number;
}

export interface PreparedSegment {
  data: Uint8Array;
  /** Start and length of each entry in `data`. */
  spans: Uint32Array;
  /** The leaf hashes, 32 bytes each, concatenated. */
  leaves: Uint8Array;
  /** Normalised fields of entries [from, width). */
  fields: NormalizedFields[];
  /** The full-text search text of the same entries. */
  texts: string[];
  problem?: string;
  /** The entry (within the segment) at fault, when known. */
  entry?: number;
}

const hasher = createTreeHasher(nodeCrypto.sha256);

export function searchableEntry(entry: Uint8Array): { fields: NormalizedFields; text: string } {
  try {
    const value = parseJsonStrict(entry);
    return { fields: normalizeValue(value), text: fullText(value) };
  } catch {
    // A verified entry that is not valid JSON is still the log's content: kept, marked, and its
    // readable text searchable.
    return { fields: undecodableFields(), text: fromUtf8Lossy(entry) };
  }
}

export function prepareSegment(req: PrepareRequest): PreparedSegment {
  const { entries, error } = splitEntryBundle(req.data);
  const spans = new Uint32Array(entries.length * 2);
  const leaves = new Uint8Array(entries.length * HASH_SIZE);
  entries.forEach((e, i) => {
    spans[2 * i] = e.byteOffset - req.data.byteOffset;
    spans[2 * i + 1] = e.length;
    leaves.set(hasher.leafHash(e), i * HASH_SIZE);
  });
  const leaf = (i: number) => leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  const base = {
    data: req.data,
    spans,
    leaves,
    fields: [] as NormalizedFields[],
    texts: [] as string[],
  };
  if (error) return { ...base, problem: `the bundle is damaged: ${error}`, entry: entries.length };
  if (entries.length !== req.width) {
    return {
      ...base,
      problem: `the bundle holds ${entries.length} entries, expected ${req.width}`,
      ...(entries.length < req.width ? { entry: entries.length } : {}),
    };
  }
  if (Array.isArray(req.expected)) {
    const i = req.expected.findIndex((h, j) => !bytesEqual(leaf(j), h));
    if (i >= 0) return { ...base, problem: 'an entry does not hash to its leaf', entry: i };
  } else {
    const range = new CompactRange(hasher);
    for (let i = 0; i < entries.length; i++) range.append(leaf(i));
    if (!bytesEqual(range.root(), req.expected))
      return { ...base, problem: 'the entries do not hash to the segment' };
  }
  for (let i = req.from; i < entries.length; i++) {
    const { fields, text } = searchableEntry(entries[i]);
    base.fields.push(fields);
    base.texts.push(text);
  }
  return base;
}
