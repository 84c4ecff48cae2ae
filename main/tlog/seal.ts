/**
 * `custos seal`: append entries to a tlog-tiles store. Tiles and entry bundles are written first and
 * the signed checkpoint last, each atomically, so a crash at any point leaves a store that verifies
 * at its previous checkpoint, and the next seal overwrites the uncommitted files.
 */
import { bytesEqual } from '../../shared/bytes';
import { formatCheckpointText, openCheckpoint } from '../../shared/tlog/checkpoint';
import { createTreeHasher } from '../../shared/tlog/hasher';
import { signNote } from '../../shared/tlog/note';
import {
  encodeEntryBundle,
  MAX_ENTRY_SIZE,
  TILE_HEIGHT,
  TILE_WIDTH,
  tilePath,
} from '../../shared/tlog/tiles';
import { concatBytes } from '../../shared/bytes';
import { nodeCrypto } from '../crypto/nodeCrypto';
import type { LogKey } from './keys';
import type { WritableLogStorage } from './storage';
import { loadTreeEdge, StoreError } from './treeState';
import { WriteQueue } from './writeQueue';

export interface SealResult {
  origin: string;
  previousSize: number;
  size: number;
  root: Uint8Array;
  checkpoint: string;
}

export interface SealOptions {
  onProgress?: (sealed: number) => void;
  /** For crash tests: called after tiles and bundles are written, before the checkpoint. */
  beforeCheckpoint?: () => Promise<void> | void;
}

/** Reads and verifies the store's current checkpoint with the log key; size 0 for a new store. */
export async function readCurrentCheckpoint(storage: WritableLogStorage, key: LogKey) {
  const note = await storage.read('checkpoint');
  if (!note) return null;
  try {
    return openCheckpoint(nodeCrypto, note, [key.verifier], key.name).checkpoint;
  } catch (e) {
    throw new StoreError(`${storage.location}/checkpoint: ${(e as Error).message}`);
  }
}

export async function sealEntries(
  storage: WritableLogStorage,
  key: LogKey,
  entries: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: SealOptions = {},
): Promise<SealResult> {
  const hasher = createTreeHasher(nodeCrypto.sha256);
  const current = await readCurrentCheckpoint(storage, key);
  const previousSize = current?.size ?? 0;
  const edge = await loadTreeEdge(
    storage,
    hasher,
    previousSize,
    current?.root ?? hasher.emptyRoot(),
  );
  const { range } = edge;
  const pendingTiles = edge.partialTiles.map((t) => t.slice());
  let pendingEntries = edge.partialEntries.slice();
  const queue = new WriteQueue();

  const writeTile = (level: number, index: number, hashes: Uint8Array[]) => {
    const path = tilePath({ level, index, width: hashes.length });
    const data = concatBytes(...hashes);
    return queue.push(() => storage.write(path, data));
  };
  const writeBundle = (index: number, bundle: Uint8Array[]) => {
    const path = tilePath({ level: 'entries', index, width: bundle.length });
    const data = encodeEntryBundle(bundle);
    return queue.push(() => storage.write(path, data));
  };

  const completed: Array<[number, number]> = [];
  const onNode = (level: number, index: number, hash: Uint8Array) => {
    if (level % TILE_HEIGHT !== 0) return;
    const tileLevel = level / TILE_HEIGHT;
    (pendingTiles[tileLevel] ??= []).push(hash);
    if (pendingTiles[tileLevel].length === TILE_WIDTH)
      completed.push([tileLevel, Math.floor(index / TILE_WIDTH)]);
  };

  for await (const entry of entries) {
    if (entry.length > MAX_ENTRY_SIZE)
      throw new StoreError(`entry ${range.size} is larger than ${MAX_ENTRY_SIZE} bytes`);
    const index = range.size;
    range.append(hasher.leafHash(entry), onNode);
    pendingEntries.push(entry);
    if (pendingEntries.length === TILE_WIDTH) {
      await writeBundle(Math.floor(index / TILE_WIDTH), pendingEntries);
      pendingEntries = [];
    }
    for (const [tileLevel, tileIndex] of completed) {
      await writeTile(tileLevel, tileIndex, pendingTiles[tileLevel]);
      pendingTiles[tileLevel] = [];
    }
    completed.length = 0;
    if (options.onProgress && (range.size - previousSize) % 4096 === 0)
      options.onProgress(range.size - previousSize);
  }

  const size = range.size;
  const root = range.root();
  if (size === previousSize) {
    return { origin: key.name, previousSize, size, root, checkpoint: current?.note ?? '' };
  }
  if (pendingEntries.length > 0) await writeBundle(Math.floor(size / TILE_WIDTH), pendingEntries);
  for (const [level, hashes] of pendingTiles.entries()) {
    if (hashes && hashes.length > 0)
      await writeTile(
        level,
        Math.floor(Math.floor(size / TILE_WIDTH ** level) / TILE_WIDTH),
        hashes,
      );
  }
  await queue.drain();
  await storage.flush();
  await options.beforeCheckpoint?.();

  const note = signNote(formatCheckpointText({ origin: key.name, size, root, extensions: [] }), [
    key.signer,
  ]);
  // Read back our own checkpoint before publishing it: a broken signer must never publish.
  const check = openCheckpoint(nodeCrypto, note, [key.verifier], key.name).checkpoint;
  if (!bytesEqual(check.root, root) || check.size !== size)
    throw new StoreError('signed checkpoint does not read back');
  await storage.write('checkpoint', new TextEncoder().encode(note));
  await storage.flush();
  options.onProgress?.(size - previousSize);
  return { origin: key.name, previousSize, size, root, checkpoint: note };
}
