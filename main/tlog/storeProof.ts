/** An inclusion proof for one entry of a store, as a c2sp.org/tlog-proof. */
import { parseCheckpointText } from '../../shared/tlog/checkpoint';
import { verifyCheckpoint, type TrustPolicy } from '../../shared/tlog/policy';
import { createTreeHasher } from '../../shared/tlog/hasher';
import {
  inclusionProof,
  inclusionProofRanges,
  nodesForRanges,
  verifyInclusion,
} from '../../shared/tlog/merkle';
import { parseNote } from '../../shared/tlog/note';
import { formatTlogProof } from '../../shared/tlog/proofFile';
import {
  parseEntryBundle,
  TILE_WIDTH,
  tileNodeReader,
  tilePath,
  tilesForNodes,
} from '../../shared/tlog/tiles';
import { fromUtf8 } from '../../shared/bytes';
import { nodeCrypto } from '../crypto/nodeCrypto';
import type { LogStorage } from './storage';
import { readTiles, StoreError } from './treeState';

/**
 * Builds the proof from the store's tiles and checks it before returning it: against the entry's
 * own bytes and the checkpoint's root, and, with a trust policy, the checkpoint's signature.
 */
export async function proveEntryInStore(storage: LogStorage, index: number, trust?: TrustPolicy) {
  const note = await storage.read('checkpoint');
  if (!note) throw new StoreError(`${storage.location} has no checkpoint`);
  const checkpoint = trust
    ? verifyCheckpoint(nodeCrypto, note, trust).checkpoint
    : parseCheckpointText(parseNote(note).text);
  if (index >= checkpoint.size)
    throw new StoreError(`entry ${index} is beyond the log's size ${checkpoint.size}`);
  const hasher = createTreeHasher(nodeCrypto.sha256);
  const tiles = await readTiles(
    storage,
    tilesForNodes(nodesForRanges(inclusionProofRanges(index, checkpoint.size)), checkpoint.size),
  );
  const proof = inclusionProof(
    hasher,
    index,
    checkpoint.size,
    tileNodeReader(hasher, checkpoint.size, tiles),
  );

  const segment = Math.floor(index / TILE_WIDTH);
  const width = Math.min(TILE_WIDTH, checkpoint.size - segment * TILE_WIDTH);
  const bundlePath = tilePath({ level: 'entries', index: segment, width });
  const bundle = await storage.read(bundlePath);
  if (!bundle) throw new StoreError(`${bundlePath} is missing`);
  const entry = parseEntryBundle(bundle, width)[index % TILE_WIDTH];
  try {
    verifyInclusion(hasher, index, checkpoint.size, hasher.leafHash(entry), proof, checkpoint.root);
  } catch (e) {
    throw new StoreError(
      `entry ${index} in ${bundlePath} does not verify against the checkpoint: ${(e as Error).message}`,
    );
  }
  const checkpointText = typeof note === 'string' ? note : fromUtf8(note);
  return {
    entry,
    proof,
    checkpoint,
    proofText: formatTlogProof({ index, proof, checkpoint: checkpointText }),
  };
}
