/**
 * The sync engine: brings a log's entries from a source into the encrypted cache, verifying
 * everything before it is stored, segment by segment, so that a crash or a lost connection at any
 * instant leaves the cache consistent and the next sync continues where it stopped.
 *
 * 1. Fetch the source's checkpoint and verify it against the trust policy.
 * 2. Compare it with the newest checkpoint this cache verified for the origin: smaller is a
 *    rollback, same size with another root is a fork, larger must be proven consistent.
 * 3. Authenticate the level-1 hash tiles (one hash per 256-entry segment) and the partial level-0
 *    tile against the checkpoint's root.
 * 4. For each missing segment: fetch the entry bundle, check it hashes to its authenticated
 *    segment hash, then store its entries with their normalised fields and the tiles it completes.
 * 5. The compact range of everything stored must give the checkpoint's root: then it is accepted.
 */
import { bytesEqual, toBase64 } from '../../shared/bytes';
import { createTreeHasher, HASH_SIZE, type TreeHasher } from '../../shared/tlog/hasher';
import {
  CompactRange,
  consistencyProof,
  consistencyProofRanges,
  nodesForRanges,
  verifyConsistency,
} from '../../shared/tlog/merkle';
import {
  CheckpointPolicyError,
  verifyCheckpoint,
  type TrustPolicy,
} from '../../shared/tlog/policy';
import {
  TILE_HEIGHT,
  TILE_WIDTH,
  tileNodeReader,
  tilePath,
  tilesForNodes,
  type TileRef,
} from '../../shared/tlog/tiles';
import type { SignedCheckpoint } from '../../shared/tlog/checkpoint';
import { nodeCrypto } from '../crypto/nodeCrypto';
import type { AlarmKind, CacheStore, CheckpointRow, EntryRow, TileRow } from '../store/cacheStore';
import type { LogStorage } from '../tlog/storage';
import { SegmentPool } from './segmentPool';

export interface SyncProgress {
  origin: string;
  source: string;
  segmentsDone: number;
  segmentsTotal: number;
  entriesDone: number;
  entriesTotal: number;
  bytes: number;
  entriesPerSecond: number;
  secondsLeft: number | null;
}

export interface SyncOptions {
  onProgress?: (p: SyncProgress) => void;
  signal?: AbortSignal;
  /** Entry bundles fetched ahead, in parallel. */
  prefetch?: number;
  /** Segments stored per transaction. */
  segmentsPerCommit?: number;
  /** Worker threads that parse, hash and normalise (default: one per core beyond this one). */
  workers?: number;
}

export interface SyncResult {
  origin: string;
  source: string;
  previousSize: number;
  size: number;
  added: number;
  root: string;
  upToDate: boolean;
}

/** A sync found the log or the source misbehaving; it is recorded as an alarm in the cache. */
export class SyncAlarm extends Error {
  override name = 'SyncAlarm';
  constructor(
    readonly kind: AlarmKind,
    message: string,
    readonly alarmId: number,
  ) {
    super(message);
  }
}

/** The source could not be read (missing file, network): nothing wrong was accepted. */
export class SyncSourceError extends Error {
  override name = 'SyncSourceError';
}

export class SyncCancelled extends Error {
  override name = 'SyncCancelled';
}

const describeCheckpoint = (c: { size: number; root: Uint8Array; note?: string }) => ({
  size: c.size,
  root: toBase64(c.root),
  ...(c.note ? { note: c.note } : {}),
});

async function mustRead(source: LogStorage, path: string): Promise<Uint8Array> {
  const data = await source.read(path);
  if (!data) throw new SyncSourceError(`${source.location}: ${path} is missing`);
  return data;
}

export async function syncSource(
  cache: CacheStore,
  source: LogStorage,
  policy: TrustPolicy,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const hasher = createTreeHasher(nodeCrypto.sha256);
  const sourceId = cache.ensureSource(source.location);
  const alarm = (
    kind: AlarmKind,
    message: string,
    evidence: Record<string, unknown>,
    logId: number | null,
    origin: string | null,
  ): never => {
    const id = cache.recordAlarm({
      logId,
      origin,
      sourceId,
      kind,
      message,
      evidence: { source: source.location, ...evidence },
    });
    cache.updateSource(sourceId, { status: 'alarm', error: message, ...(logId ? { logId } : {}) });
    throw new SyncAlarm(kind, message, id);
  };

  // 1. The checkpoint, against the trust policy.
  const note = await mustRead(source, 'checkpoint');
  let verified;
  try {
    verified = verifyCheckpoint(nodeCrypto, note, policy);
  } catch (e) {
    if (e instanceof CheckpointPolicyError) {
      const origin =
        /^([^\n]*)\n/.exec(new TextDecoder().decode(note.subarray(0, 1024)))?.[1] ?? null;
      const log = origin ? cache.logByOrigin(origin) : null;
      return alarm(
        e.reason,
        e.message,
        { checkpoint: new TextDecoder().decode(note.subarray(0, 65536)) },
        log?.id ?? null,
        origin,
      );
    }
    throw e;
  }
  const target: SignedCheckpoint = verified.checkpoint;
  const origin = target.origin;
  // Nothing is written before the checkpoint, its consistency and its tiles are verified.
  const known = cache.logByOrigin(origin);
  const logId = known?.id ?? null;

  // 2. Against what this cache already verified for the origin.
  const accepted = known ? cache.latestAccepted(known.id) : null;
  const state = known ? cache.syncState(known.id) : null;
  const pending = state?.targetCheckpointId ? cache.checkpoint(state.targetCheckpointId) : null;
  const latest: CheckpointRow | null =
    pending && (!accepted || pending.size > accepted.size) ? pending : accepted;
  const previousSize = accepted?.size ?? 0;
  const evidence = (c: CheckpointRow) => ({
    trusted: describeCheckpoint(c),
    offered: describeCheckpoint(target),
  });

  if (latest && target.size < latest.size) {
    alarm(
      'rollback',
      `${source.location} serves a checkpoint of ${target.size} entries, older than the ${latest.size} this cache verified for ${origin}`,
      evidence(latest),
      logId,
      origin,
    );
  }
  if (latest && target.size === latest.size && !bytesEqual(target.root, latest.root)) {
    alarm(
      'fork',
      `${source.location} serves another tree of the same size ${target.size} for ${origin}: the log forked or equivocated`,
      evidence(latest),
      logId,
      origin,
    );
  }
  if (latest && target.size > latest.size && latest.size > 0) {
    const ranges = consistencyProofRanges(latest.size, target.size);
    const tiles = await fetchTiles(source, tilesForNodes(nodesForRanges(ranges), target.size));
    try {
      const proof = consistencyProof(
        hasher,
        latest.size,
        target.size,
        tileNodeReader(hasher, target.size, tiles),
      );
      verifyConsistency(hasher, latest.size, target.size, latest.root, target.root, proof);
    } catch (e) {
      alarm(
        'fork',
        `${source.location}: the checkpoint of ${target.size} entries is not consistent with the ${latest.size} this cache verified for ${origin} (${(e as Error).message})`,
        evidence(latest),
        logId,
        origin,
      );
    }
  }
  const upToDate = latest !== null && target.size === latest.size && latest.acceptedAt !== null;

  // 3. Authenticated segment hashes for the target tree.
  const segmentHashes = upToDate
    ? null
    : await authenticatedSegmentHashes(source, hasher, target, (message, ev) =>
        alarm('tile-mismatch', message, ev, logId, origin),
      );

  const log = cache.ensureLog(origin);
  cache.updateSource(sourceId, { logId: log.id, status: 'syncing' });
  const targetRow = cache.addCheckpoint(log.id, target, sourceId, verified.witnesses);
  if (upToDate || !segmentHashes) {
    cache.updateSource(sourceId, { logId: log.id, status: 'ok' });
    return {
      origin,
      source: source.location,
      previousSize,
      size: target.size,
      added: 0,
      root: toBase64(target.root),
      upToDate: true,
    };
  }
  cache.setSyncTarget(log.id, targetRow.id);

  // 4. The missing segments.
  const start = state?.nextIndex ?? 0;
  const range = new CompactRange(hasher, start, state?.range ?? []);
  const total = target.size;
  const firstSegment = Math.floor(start / TILE_WIDTH);
  const lastSegment = Math.ceil(total / TILE_WIDTH) - 1;
  const prefetch = options.prefetch ?? 8;
  const perCommit = options.segmentsPerCommit ?? 16;
  const pendingTiles = await loadPartialTiles(cache, log.id, start);
  const started = performance.now();
  let bytes = 0;

  const fetchBundle = (k: number) => {
    const width = Math.min(TILE_WIDTH, total - k * TILE_WIDTH);
    const path = tilePath({ level: 'entries', index: k, width });
    return mustRead(source, path).then((data) => ({ path, data, width }));
  };
  // Parsing, hashing and normalising run in worker threads, ahead of the writes on this thread.
  const segmentCount = lastSegment - firstSegment + 1;
  const pool = new SegmentPool(options.workers ?? (segmentCount >= 8 ? undefined : 0));
  const fetchAndPrepare = (k: number) =>
    fetchBundle(k).then(async (b) => ({
      ...b,
      prepared: await pool.prepare({
        data: b.data,
        width: b.width,
        expected: segmentHashes.forSegment(k, b.width),
        from: Math.max(0, start - k * TILE_WIDTH),
      }),
    }));
  const window: Array<ReturnType<typeof fetchAndPrepare>> = [];
  // A fetch that fails ahead of its turn must not become an unhandled rejection.
  const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
  for (let k = firstSegment; k <= Math.min(lastSegment, firstSegment + prefetch - 1); k++) {
    quiet((window[k] = fetchAndPrepare(k)));
  }

  let batch: EntryRow[] = [];
  let batchSegments = 0;
  const touchedTiles = new Set<string>();
  try {
    for (let k = firstSegment; k <= lastSegment; k++) {
      if (options.signal?.aborted) throw new SyncCancelled('sync cancelled');
      let { path, data, width, prepared } = await window[k];
      delete window[k];
      if (k + prefetch <= lastSegment)
        quiet((window[k + prefetch] = fetchAndPrepare(k + prefetch)));
      const first = k * TILE_WIDTH;
      if (prepared.problem) {
        // A damaged transfer is fetched again once; what is still wrong then is the source's content.
        ({ path, data, width, prepared } = await fetchAndPrepare(k));
      }
      bytes += data.length;
      const leaf = (i: number) => prepared.leaves.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
      if (prepared.problem) {
        const leaves = Array.from({ length: prepared.spans.length / 2 }, (_, i) => leaf(i));
        const expected = segmentHashes.forSegment(k, width);
        const entry =
          prepared.entry ?? (await localizeMismatch(source, hasher, k, width, leaves, expected));
        const at = entry === null ? `segment ${k}` : `entry ${first + entry}`;
        alarm(
          'entry-mismatch',
          `${source.location}: ${path}: ${prepared.problem} (${at}); it does not match the log's tree`,
          {
            segment: k,
            path,
            entry: entry === null ? null : first + entry,
            checkpoint: describeCheckpoint(target),
          },
          log.id,
          origin,
        );
      }
      const from = Math.max(0, start - first);
      for (let i = from; i < width; i++) {
        const leafHash = leaf(i);
        range.append(leafHash, (level, index, hash) => {
          if (level === 0 || level % TILE_HEIGHT !== 0) return;
          const tileLevel = level / TILE_HEIGHT;
          const tileIdx = Math.floor(index / TILE_WIDTH);
          const key = `${tileLevel}/${tileIdx}`;
          let tile = pendingTiles.get(key);
          if (!tile) pendingTiles.set(key, (tile = { level: tileLevel, idx: tileIdx, hashes: [] }));
          tile.hashes[index % TILE_WIDTH] = hash;
          touchedTiles.add(key);
        });
        const at = prepared.spans[2 * i];
        batch.push({
          idx: first + i,
          leafHash,
          data: prepared.data.subarray(at, at + prepared.spans[2 * i + 1]),
          fields: prepared.fields[i - from],
          text: prepared.texts[i - from],
        });
      }
      batchSegments++;

      const last = k === lastSegment;
      if (batchSegments >= perCommit || last) {
        let accept: number | null = null;
        if (last) {
          if (!bytesEqual(range.root(), target.root)) {
            alarm(
              'fork',
              `the entries stored for ${origin} and those fetched from ${source.location} do not form the checkpoint's tree`,
              { checkpoint: describeCheckpoint(target), computedRoot: toBase64(range.root()) },
              log.id,
              origin,
            );
          }
          accept = targetRow.id;
        }
        const tiles: TileRow[] = [...touchedTiles].map((key) => {
          const t = pendingTiles.get(key)!;
          return { level: t.level, idx: t.idx, data: Buffer.concat(t.hashes) };
        });
        cache.commitBatch(
          log.id,
          batch,
          tiles,
          { targetCheckpointId: targetRow.id, nextIndex: range.size, range: range.nodeHashes() },
          accept,
        );
        for (const key of touchedTiles)
          if (pendingTiles.get(key)!.hashes.length === TILE_WIDTH) pendingTiles.delete(key);
        touchedTiles.clear();
        batch = [];
        batchSegments = 0;
        const elapsed = (performance.now() - started) / 1000;
        const done = range.size - start;
        const rate = done / Math.max(elapsed, 0.001);
        options.onProgress?.({
          origin,
          source: source.location,
          segmentsDone: k - firstSegment + 1,
          segmentsTotal: lastSegment - firstSegment + 1,
          entriesDone: done,
          entriesTotal: total - start,
          bytes,
          entriesPerSecond: rate,
          secondsLeft: rate > 0 ? (total - range.size) / rate : null,
        });
      }
    }
  } finally {
    await pool.close();
  }
  if (firstSegment > lastSegment || start >= total) {
    // Every entry was already stored by an interrupted sync: only the acceptance is left.
    if (!bytesEqual(range.root(), target.root)) {
      alarm(
        'fork',
        `the entries stored for ${origin} do not form the tree of ${source.location}'s checkpoint`,
        { checkpoint: describeCheckpoint(target) },
        log.id,
        origin,
      );
    }
    cache.commitBatch(
      log.id,
      [],
      [],
      { targetCheckpointId: null, nextIndex: range.size, range: range.nodeHashes() },
      targetRow.id,
    );
  }
  cache.updateSource(sourceId, { logId: log.id, status: 'ok' });
  return {
    origin,
    source: source.location,
    previousSize,
    size: total,
    added: total - start,
    root: toBase64(target.root),
    upToDate: false,
  };
}

async function fetchTiles(source: LogStorage, refs: TileRef[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  await Promise.all(
    refs.map(async (ref) => out.set(tilePath(ref), await mustRead(source, tilePath(ref)))),
  );
  return out;
}

interface SegmentHashes {
  /** For a full segment: its subtree hash; for the partial last one: its leaf hashes. */
  forSegment(k: number, width: number): Uint8Array | Uint8Array[];
}

/**
 * Fetches the level-1 tiles (one hash per full segment) and the partial level-0 tile of the target
 * tree and checks that together they hash to its root, which authenticates every one of them.
 */
async function authenticatedSegmentHashes(
  source: LogStorage,
  hasher: TreeHasher,
  target: SignedCheckpoint,
  onMismatch: (message: string, evidence: Record<string, unknown>) => never,
): Promise<SegmentHashes> {
  const size = target.size;
  const fullSegments = Math.floor(size / TILE_WIDTH);
  const partialWidth = size % TILE_WIDTH;
  const refs: TileRef[] = [];
  for (let t = 0; t * TILE_WIDTH < fullSegments; t++)
    refs.push({ level: 1, index: t, width: Math.min(TILE_WIDTH, fullSegments - t * TILE_WIDTH) });
  if (partialWidth > 0) refs.push({ level: 0, index: fullSegments, width: partialWidth });
  const tiles = await fetchTiles(source, refs);
  const segmentHashes: Uint8Array[] = [];
  for (const ref of refs) {
    const data = tiles.get(tilePath(ref))!;
    if (data.length !== ref.width * HASH_SIZE) {
      onMismatch(
        `${source.location}: ${tilePath(ref)} is ${data.length} bytes, expected ${ref.width * HASH_SIZE}`,
        { path: tilePath(ref) },
      );
    }
    if (ref.level === 1)
      for (let i = 0; i < ref.width; i++)
        segmentHashes.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
  const partialLeaves: Uint8Array[] = [];
  if (partialWidth > 0) {
    const data = tiles.get(tilePath(refs[refs.length - 1]))!;
    for (let i = 0; i < partialWidth; i++)
      partialLeaves.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
  // The compact range of the tree: the segments' compact range (heights >= 8), then the leaves'.
  const segments = new CompactRange(hasher);
  for (const h of segmentHashes) segments.append(h);
  const leaves = new CompactRange(hasher);
  for (const h of partialLeaves) leaves.append(h);
  const root = new CompactRange(hasher, size, [
    ...segments.nodeHashes(),
    ...leaves.nodeHashes(),
  ]).root();
  if (!bytesEqual(root, target.root)) {
    onMismatch(`${source.location}: the hash tiles do not match the checkpoint's root`, {
      checkpoint: describeCheckpoint(target),
      computedRoot: toBase64(root),
    });
  }
  return {
    forSegment: (k, width) => (width === TILE_WIDTH ? segmentHashes[k] : partialLeaves),
  };
}

/**
 * Finds which entry of a full segment is wrong: the source's level-0 tile, if it hashes to the
 * authenticated segment hash, is authentic too, and the first leaf that differs from it is named.
 */
async function localizeMismatch(
  source: LogStorage,
  hasher: TreeHasher,
  k: number,
  width: number,
  leaves: Uint8Array[],
  expected: Uint8Array | Uint8Array[],
): Promise<number | null> {
  if (Array.isArray(expected) || width !== TILE_WIDTH) return null;
  const tile = await source.read(tilePath({ level: 0, index: k, width })).catch(() => null);
  if (!tile || tile.length !== TILE_WIDTH * HASH_SIZE) return null;
  const hashes = Array.from({ length: TILE_WIDTH }, (_, i) =>
    tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
  );
  const range = new CompactRange(hasher);
  for (const h of hashes) range.append(h);
  if (!bytesEqual(range.root(), expected)) return null;
  const i = hashes.findIndex((h, j) => !leaves[j] || !bytesEqual(leaves[j], h));
  return i < 0 ? null : i;
}

/** The partial (growing) tiles of levels >= 1 as stored, so appends continue them. */
async function loadPartialTiles(cache: CacheStore, logId: number, size: number) {
  const tiles = new Map<string, { level: number; idx: number; hashes: Uint8Array[] }>();
  for (let level = 1; Math.floor(size / TILE_WIDTH ** level) > 0; level++) {
    const count = Math.floor(size / TILE_WIDTH ** level);
    if (count % TILE_WIDTH === 0) continue;
    const idx = Math.floor(count / TILE_WIDTH);
    const data = cache.tile(logId, level, idx);
    if (!data || data.length !== (count % TILE_WIDTH) * HASH_SIZE) {
      throw new Error(
        `the cache's tile ${level}/${idx} does not match its entries; run custos verify --cache`,
      );
    }
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < count % TILE_WIDTH; i++)
      hashes.push(data.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    tiles.set(`${level}/${idx}`, { level, idx, hashes });
  }
  return tiles;
}
