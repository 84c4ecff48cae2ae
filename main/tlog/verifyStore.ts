/**
 * `custos verify --store`: checks a whole tlog-tiles store against a trusted key, without a cache:
 * the checkpoint signature, every entry bundle against the leaf hashes, every tile hash, the root.
 * When something does not match, the report names the segment, the entry index and what is wrong,
 * and tells apart an altered entry from an altered tile by which of them still hashes to the root.
 */
import { bytesEqual, toBase64 } from '../../shared/bytes';
import { parseCheckpointText } from '../../shared/tlog/checkpoint';
import { verifyCheckpoint, type TrustPolicy } from '../../shared/tlog/policy';
import { createTreeHasher, HASH_SIZE } from '../../shared/tlog/hasher';
import { CompactRange } from '../../shared/tlog/merkle';
import { parseNote } from '../../shared/tlog/note';
import {
  splitEntryBundle,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileForStoredHash,
  tilePath,
} from '../../shared/tlog/tiles';
import { nodeCrypto } from '../crypto/nodeCrypto';
import type { LogStorage } from './storage';

export interface StoreProblem {
  /** The segment (entry bundle index) concerned, if any. */
  segment?: number;
  /** The first entry index concerned, if any. */
  entry?: number;
  /** The store resource at fault (`checkpoint`, `tile/0/001`, `tile/entries/001`). */
  path: string;
  message: string;
}

export interface SegmentStatus {
  segment: number;
  firstEntry: number;
  entries: number;
  ok: boolean;
}

export interface StoreVerifyReport {
  ok: boolean;
  location: string;
  origin?: string;
  size?: number;
  root?: string;
  signedBy: string[];
  segments: SegmentStatus[];
  problems: StoreProblem[];
}

const MAX_LISTED_PER_SEGMENT = 10;
const PREFETCH = 16;
const ZERO = new Uint8Array(HASH_SIZE);

interface Mismatch {
  segment: number;
  entry: number;
  position: number;
}

export async function verifyStore(
  storage: LogStorage,
  trust: TrustPolicy,
  onProgress?: (doneSegments: number, totalSegments: number) => void,
): Promise<StoreVerifyReport> {
  const report: StoreVerifyReport = {
    ok: false,
    location: storage.location,
    signedBy: [],
    segments: [],
    problems: [],
  };
  const problem = (p: StoreProblem) => report.problems.push(p);
  const hasher = createTreeHasher(nodeCrypto.sha256);

  const note = await storage.read('checkpoint');
  if (!note) {
    problem({ path: 'checkpoint', message: 'the store has no checkpoint' });
    return report;
  }
  let size: number;
  let root: Uint8Array;
  try {
    const { checkpoint, logKey, witnesses } = verifyCheckpoint(nodeCrypto, note, trust);
    report.signedBy = [
      `${logKey.name}+${logKey.keyId.toString(16).padStart(8, '0')}`,
      ...witnesses.map((w) => `witness ${w.name}`),
    ];
    ({ size, root } = checkpoint);
    report.origin = checkpoint.origin;
  } catch (e) {
    problem({ path: 'checkpoint', message: (e as Error).message });
    // Go on with the unauthenticated tree head, so the report also says what the tree holds.
    try {
      const parsed = parseCheckpointText(parseNote(note).text);
      ({ size, root } = parsed);
      report.origin = parsed.origin;
    } catch {
      return report;
    }
  }
  report.size = size;
  report.root = toBase64(root);

  const segmentCount = Math.ceil(size / TILE_WIDTH);
  const entriesRange = new CompactRange(hasher);
  const tilesRange = new CompactRange(hasher);
  const entryMismatches: Mismatch[] = [];
  const badSegments = new Set<number>();
  // Higher tiles are compared both with what the entries and what tile level 0 imply; which of the
  // two comparisons counts is decided at the end, by which side hashes to the checkpoint's root.
  const higherVsEntries: StoreProblem[] = [];
  const higherVsTiles: StoreProblem[] = [];
  const higherTiles = new Map<string, Uint8Array | null>();
  const pendingChecks: Array<{
    level: number;
    index: number;
    hash: Uint8Array;
    fromEntries: boolean;
  }> = [];

  const fetchSegment = (k: number) => {
    const width = Math.min(TILE_WIDTH, size - k * TILE_WIDTH);
    return Promise.all([
      storage.read(tilePath({ level: 'entries', index: k, width })),
      storage.read(tilePath({ level: 0, index: k, width })),
    ]);
  };
  const inFlight: Array<ReturnType<typeof fetchSegment>> = [];
  for (let k = 0; k < Math.min(PREFETCH, segmentCount); k++) inFlight.push(fetchSegment(k));

  for (let k = 0; k < segmentCount; k++) {
    const [bundle, tile] = await inFlight[k];
    delete inFlight[k];
    if (k + PREFETCH < segmentCount) inFlight[k + PREFETCH] = fetchSegment(k + PREFETCH);
    const first = k * TILE_WIDTH;
    const width = Math.min(TILE_WIDTH, size - first);
    const bundlePath = tilePath({ level: 'entries', index: k, width });
    const tile0Path = tilePath({ level: 0, index: k, width });

    let tileHashes: Uint8Array | null = tile;
    if (!tile) {
      problem({ segment: k, path: tile0Path, message: 'hash tile is missing' });
      badSegments.add(k);
    } else if (tile.length !== width * HASH_SIZE) {
      problem({
        segment: k,
        path: tile0Path,
        message: `hash tile is ${tile.length} bytes, expected ${width * HASH_SIZE}`,
      });
      badSegments.add(k);
      tileHashes = null;
    }

    let leaves: Uint8Array[] = [];
    if (!bundle) {
      problem({ segment: k, entry: first, path: bundlePath, message: 'entry bundle is missing' });
      badSegments.add(k);
    } else {
      const { entries, error } = splitEntryBundle(bundle);
      leaves = entries.map((e) => hasher.leafHash(e));
      if (error) {
        problem({
          segment: k,
          entry: first + entries.length,
          path: bundlePath,
          message: `entry bundle is damaged: ${error}`,
        });
        badSegments.add(k);
      }
      if (entries.length !== width) {
        const at = first + Math.min(entries.length, width);
        problem({
          segment: k,
          entry: at,
          path: bundlePath,
          message: `entry bundle holds ${entries.length} entries, expected ${width}`,
        });
        badSegments.add(k);
      }
    }

    for (let i = 0; i < width; i++) {
      const leaf = leaves[i];
      const stored = tileHashes?.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
      if (leaf && stored && !bytesEqual(leaf, stored)) {
        entryMismatches.push({ segment: k, entry: first + i, position: i });
        badSegments.add(k);
      }
      entriesRange.append(leaf ?? stored ?? ZERO, (level, index, hash) => {
        if (level > 0 && level % TILE_HEIGHT === 0)
          pendingChecks.push({ level, index, hash, fromEntries: true });
      });
      tilesRange.append(stored ?? leaf ?? ZERO, (level, index, hash) => {
        if (level > 0 && level % TILE_HEIGHT === 0)
          pendingChecks.push({ level, index, hash, fromEntries: false });
      });
    }

    for (const c of pendingChecks) {
      const tileLevel = c.level / TILE_HEIGHT;
      const ref = tileForStoredHash(tileLevel, c.index, size);
      const path = tilePath(ref);
      if (!higherTiles.has(path)) {
        const data = await storage.read(path);
        higherTiles.set(path, data && data.length === ref.width * HASH_SIZE ? data : null);
        if (!data) problem({ path, message: 'hash tile is missing' });
        else if (data.length !== ref.width * HASH_SIZE) {
          problem({
            path,
            message: `hash tile is ${data.length} bytes, expected ${ref.width * HASH_SIZE}`,
          });
        }
      }
      const data = higherTiles.get(path);
      if (!data) continue;
      const pos = c.index % TILE_WIDTH;
      if (!bytesEqual(data.subarray(pos * HASH_SIZE, (pos + 1) * HASH_SIZE), c.hash)) {
        const span = TILE_WIDTH ** tileLevel;
        const segment = (c.index * span) / TILE_WIDTH;
        (c.fromEntries ? higherVsEntries : higherVsTiles).push({
          segment,
          path,
          message: `hash ${pos} (entries ${c.index * span}..${(c.index + 1) * span - 1}) does not match the tree below it`,
        });
      }
    }
    pendingChecks.length = 0;
    onProgress?.(k + 1, segmentCount);
  }

  const tilesAuthentic = bytesEqual(tilesRange.root(), root);
  const entriesAuthentic = bytesEqual(entriesRange.root(), root);
  const listed = new Map<number, number>();
  for (const m of entryMismatches) {
    const n = (listed.get(m.segment) ?? 0) + 1;
    listed.set(m.segment, n);
    if (n > MAX_LISTED_PER_SEGMENT) continue;
    const width = Math.min(TILE_WIDTH, size - m.segment * TILE_WIDTH);
    const bundlePath = tilePath({ level: 'entries', index: m.segment, width });
    const tile0Path = tilePath({ level: 0, index: m.segment, width });
    if (tilesAuthentic) {
      problem({
        segment: m.segment,
        entry: m.entry,
        path: bundlePath,
        message: `entry ${m.entry} does not match its leaf hash: the entry was altered, removed, inserted or moved`,
      });
    } else if (entriesAuthentic) {
      problem({
        segment: m.segment,
        entry: m.entry,
        path: tile0Path,
        message: `leaf hash ${m.position} does not match entry ${m.entry}: the hash tile was altered`,
      });
    } else {
      problem({
        segment: m.segment,
        entry: m.entry,
        path: bundlePath,
        message: `entry ${m.entry} and ${tile0Path} disagree`,
      });
    }
  }
  for (const [segment, n] of listed) {
    if (n > MAX_LISTED_PER_SEGMENT) {
      problem({
        segment,
        path: tilePath({
          level: 'entries',
          index: segment,
          width: Math.min(TILE_WIDTH, size - segment * TILE_WIDTH),
        }),
        message: `and ${n - MAX_LISTED_PER_SEGMENT} more entries of this segment do not match`,
      });
    }
  }
  const higher = entriesAuthentic && !tilesAuthentic ? higherVsEntries : higherVsTiles;
  for (const p of higher) {
    problem(p);
    if (p.segment !== undefined) badSegments.add(p.segment);
  }
  if (!tilesAuthentic && !entriesAuthentic) {
    problem({
      path: 'checkpoint',
      message: `the tree of ${size} entries hashes to ${toBase64(entriesRange.root())}, not to the checkpoint's root ${toBase64(root)}`,
    });
  }

  for (let k = 0; k < segmentCount; k++) {
    const firstEntry = k * TILE_WIDTH;
    report.segments.push({
      segment: k,
      firstEntry,
      entries: Math.min(TILE_WIDTH, size - firstEntry),
      ok: !badSegments.has(k),
    });
  }
  report.problems.sort(
    (a, b) => (a.segment ?? -1) - (b.segment ?? -1) || (a.entry ?? -1) - (b.entry ?? -1),
  );
  report.ok = report.problems.length === 0;
  return report;
}
