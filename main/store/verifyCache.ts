/**
 * `custos verify --cache`: re-verifies the cache at rest from the stored entry bytes, against the
 * stored checkpoints (whose signatures are checked against the trust policy). Detects a cache
 * altered by someone who holds the key: a changed, missing or extra entry, a changed leaf hash or
 * tile, a checkpoint whose columns no longer match its signed note.
 */
import { bytesEqual, toBase64 } from '../../shared/bytes';
import { parseCheckpointText } from '../../shared/tlog/checkpoint';
import { createTreeHasher, HASH_SIZE } from '../../shared/tlog/hasher';
import { CompactRange, inclusionProof, verifyInclusion } from '../../shared/tlog/merkle';
import { parseNote } from '../../shared/tlog/note';
import {
  CheckpointPolicyError,
  verifyCheckpoint,
  type TrustPolicy,
} from '../../shared/tlog/policy';
import { formatTlogProof } from '../../shared/tlog/proofFile';
import { TILE_HEIGHT, TILE_WIDTH } from '../../shared/tlog/tiles';
import { nodeCrypto } from '../crypto/nodeCrypto';
import type { CacheStore, CheckpointRow, LogRow } from './cacheStore';
import { cacheNodeReader } from './cacheTree';

export interface CacheProblem {
  origin: string;
  entry?: number;
  message: string;
}

export interface CacheLogReport {
  origin: string;
  entries: number;
  verifiedSize: number;
  root: string | null;
  checkpoints: number;
  /** Entries stored by a sync still in progress, beyond the newest accepted checkpoint. */
  pendingEntries: number;
}

export interface CacheVerifyReport {
  ok: boolean;
  logs: CacheLogReport[];
  problems: CacheProblem[];
}

const MAX_PROBLEMS_PER_LOG = 50;

/**
 * Checks a stored checkpoint against its signed note and the policy. An older checkpoint signed by
 * a key the policy has since rotated out is still history (its root is checked against the
 * entries); the newest must be signed by a key the policy trusts now.
 */
function checkNote(
  cp: CheckpointRow,
  origin: string,
  policy: TrustPolicy | null,
  newest = true,
): string | null {
  try {
    let body;
    try {
      body = policy
        ? verifyCheckpoint(nodeCrypto, cp.note, policy).checkpoint
        : parseCheckpointText(parseNote(cp.note).text);
    } catch (e) {
      const rotatedOut =
        e instanceof CheckpointPolicyError && (e.reason === 'unknown-key' || e.reason === 'quorum');
      if (newest || !rotatedOut) throw e;
      body = parseCheckpointText(parseNote(cp.note).text);
    }
    if (body.origin !== origin || body.size !== cp.size || !bytesEqual(body.root, cp.root)) {
      return `stored checkpoint ${cp.size} does not match its own signed note`;
    }
    return null;
  } catch (e) {
    return `stored checkpoint ${cp.size}: ${(e as Error).message}`;
  }
}

export function verifyCache(
  store: CacheStore,
  policy: TrustPolicy | null,
  onProgress?: (origin: string, done: number, total: number) => void,
): CacheVerifyReport {
  const report: CacheVerifyReport = { ok: false, logs: [], problems: [] };
  for (const log of store.listLogs())
    report.logs.push(verifyLog(store, log, policy, report.problems, onProgress));
  report.ok = report.problems.length === 0;
  return report;
}

function verifyLog(
  store: CacheStore,
  log: LogRow,
  policy: TrustPolicy | null,
  problems: CacheProblem[],
  onProgress?: (origin: string, done: number, total: number) => void,
): CacheLogReport {
  const hasher = createTreeHasher(nodeCrypto.sha256);
  const origin = log.origin;
  let count = 0;
  const problem = (message: string, entry?: number) => {
    if (++count <= MAX_PROBLEMS_PER_LOG)
      problems.push(entry === undefined ? { origin, message } : { origin, entry, message });
    else if (count === MAX_PROBLEMS_PER_LOG + 1)
      problems.push({ origin, message: 'more problems not listed' });
  };

  const checkpoints = store.acceptedCheckpoints(log.id);
  for (const [i, cp] of checkpoints.entries()) {
    const p = checkNote(cp, origin, policy, i === checkpoints.length - 1);
    if (p) problem(p);
  }
  const bySize = new Map<number, CheckpointRow[]>();
  for (const cp of checkpoints) bySize.set(cp.size, [...(bySize.get(cp.size) ?? []), cp]);
  const verifiedSize = checkpoints.length ? checkpoints[checkpoints.length - 1].size : 0;
  const total = store.entryCount(log.id);

  const range = new CompactRange(hasher);
  const tileCache = new Map<number, { idx: number; data: Uint8Array | null }>();
  const storedTileHash = (tileLevel: number, index: number): Uint8Array | null => {
    const idx = Math.floor(index / TILE_WIDTH);
    let t = tileCache.get(tileLevel);
    if (!t || t.idx !== idx)
      tileCache.set(tileLevel, (t = { idx, data: store.tile(log.id, tileLevel, idx) }));
    const o = (index % TILE_WIDTH) * HASH_SIZE;
    return t.data && t.data.length >= o + HASH_SIZE ? t.data.subarray(o, o + HASH_SIZE) : null;
  };
  const checkRoot = () => {
    for (const cp of bySize.get(range.size) ?? []) {
      if (!bytesEqual(range.root(), cp.root))
        problem(
          `the stored entries do not hash to the root of checkpoint ${cp.size} (${toBase64(cp.root)})`,
        );
    }
  };

  checkRoot();
  let expected = 0;
  for (const e of store.iterateEntries(log.id)) {
    if (e.idx !== expected) {
      problem(
        e.idx > expected
          ? `entries ${expected}..${e.idx - 1} are missing`
          : `entry ${e.idx} is out of order`,
        expected,
      );
      if (e.idx < expected) continue;
      // Keep hashing with the stored leaf hashes cannot make up for missing entries: stop here.
      break;
    }
    const leaf = hasher.leafHash(e.data);
    if (!bytesEqual(leaf, e.leafHash))
      problem('its bytes do not match its stored leaf hash (altered at rest)', e.idx);
    range.append(leaf, (level, index, hash) => {
      if (level === 0 || level % TILE_HEIGHT !== 0) return;
      const stored = storedTileHash(level / TILE_HEIGHT, index);
      if (!stored || !bytesEqual(stored, hash))
        problem(
          `tile ${level / TILE_HEIGHT}/${Math.floor(index / TILE_WIDTH)}: hash ${index % TILE_WIDTH} does not match the entries below it`,
        );
    });
    expected++;
    checkRoot();
    if (onProgress && expected % 8192 === 0) onProgress(origin, expected, total);
  }
  if (expected < verifiedSize)
    problem(
      `the cache holds ${expected} consecutive entries but its checkpoint covers ${verifiedSize}`,
      expected,
    );
  const state = store.syncState(log.id);
  const pendingEntries = Math.max(0, expected - verifiedSize);
  if (pendingEntries > 0 && !state?.targetCheckpointId) {
    problem(
      `${pendingEntries} entries beyond the newest checkpoint, with no sync in progress`,
      verifiedSize,
    );
  }
  onProgress?.(origin, expected, total);
  const newest = checkpoints[checkpoints.length - 1];
  return {
    origin,
    entries: expected,
    verifiedSize,
    root: newest ? toBase64(newest.root) : null,
    checkpoints: checkpoints.length,
    pendingEntries,
  };
}

/** Verifies one entry at rest and returns its c2sp.org/tlog-proof against the newest checkpoint. */
export function proveCachedEntry(
  store: CacheStore,
  origin: string,
  index: number,
  policy: TrustPolicy | null,
) {
  const log = store.logByOrigin(origin);
  if (!log) throw new Error(`the cache holds no log ${JSON.stringify(origin)}`);
  const cp = store.latestAccepted(log.id);
  if (!cp) throw new Error(`the cache holds no verified checkpoint for ${origin}`);
  if (!(index < cp.size))
    throw new Error(`entry ${index} is beyond the verified size ${cp.size} of ${origin}`);
  const noteProblem = checkNote(cp, origin, policy);
  if (noteProblem) throw new Error(noteProblem);
  const entry = store.entry(log.id, index);
  if (!entry) throw new Error(`entry ${index} of ${origin} is missing from the cache`);
  const hasher = createTreeHasher(nodeCrypto.sha256);
  const leaf = hasher.leafHash(entry.data);
  if (!bytesEqual(leaf, entry.leafHash))
    throw new Error(
      `entry ${index}: its bytes do not match its stored leaf hash (altered at rest)`,
    );
  const proof = inclusionProof(hasher, index, cp.size, cacheNodeReader(store, hasher, log.id));
  verifyInclusion(hasher, index, cp.size, leaf, proof, cp.root);
  return {
    entry: entry.data,
    checkpoint: cp,
    proof,
    proofText: formatTlogProof({ index, proof, checkpoint: cp.note }),
  };
}
