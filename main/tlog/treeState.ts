/** Loading the right edge of an existing tree from its tiles, to append to it or to prove in it. */
import { bytesEqual } from '../../shared/bytes';
import type { TreeHasher } from '../../shared/tlog/hasher';
import { CompactRange, compactRangeNodes } from '../../shared/tlog/merkle';
import {
  parseEntryBundle,
  TILE_WIDTH,
  tileNodeReader,
  tilePath,
  tilesForNodes,
  type TileRef,
} from '../../shared/tlog/tiles';
import type { LogStorage } from './storage';
import { HASH_SIZE } from '../../shared/tlog/hasher';

export class StoreError extends Error {
  override name = 'StoreError';
}

/** Reads the given tiles; a missing or mis-sized tile is an error naming its path. */
export async function readTiles(
  storage: LogStorage,
  refs: TileRef[],
): Promise<Map<string, Uint8Array>> {
  const tiles = new Map<string, Uint8Array>();
  await Promise.all(
    refs.map(async (ref) => {
      const path = tilePath(ref);
      const data = await storage.read(path);
      if (!data) throw new StoreError(`${path} is missing from ${storage.location}`);
      if (ref.level !== 'entries' && data.length !== ref.width * HASH_SIZE) {
        throw new StoreError(`${path} is ${data.length} bytes, expected ${ref.width * HASH_SIZE}`);
      }
      tiles.set(path, data);
    }),
  );
  return tiles;
}

export interface TreeEdge {
  range: CompactRange;
  /** Per tile level, the hashes of its current partial tile (empty when the level is full). */
  partialTiles: Uint8Array[][];
  /** The entries of the partial entry bundle. */
  partialEntries: Uint8Array[];
}

/**
 * Loads the right edge of a tree of `size` leaves whose root must be `root`: the compact range,
 * the partial tiles at every level and the partial entry bundle, each checked against the root.
 */
export async function loadTreeEdge(
  storage: LogStorage,
  hasher: TreeHasher,
  size: number,
  root: Uint8Array,
): Promise<TreeEdge> {
  if (size === 0) return { range: new CompactRange(hasher), partialTiles: [], partialEntries: [] };
  const nodes = compactRangeNodes(size);
  const partialRefs: TileRef[] = [];
  for (let level = 0; Math.floor(size / TILE_WIDTH ** level) > 0; level++) {
    const count = Math.floor(size / TILE_WIDTH ** level);
    if (count % TILE_WIDTH !== 0)
      partialRefs.push({ level, index: Math.floor(count / TILE_WIDTH), width: count % TILE_WIDTH });
  }
  const refs = new Map<string, TileRef>();
  for (const r of [...tilesForNodes(nodes, size), ...partialRefs]) refs.set(tilePath(r), r);
  const tiles = await readTiles(storage, [...refs.values()]);
  const read = tileNodeReader(hasher, size, tiles);
  const range = new CompactRange(
    hasher,
    size,
    nodes.map((n) => read(n.level, n.index)),
  );
  if (!bytesEqual(range.root(), root)) {
    throw new StoreError(`the tiles of ${storage.location} do not hash to its checkpoint's root`);
  }
  // Partial tiles: every hash in them is a node of the compact range's subtrees, so the root check
  // above authenticates them only where they were read. Re-derive each to be sure.
  const partialTiles: Uint8Array[][] = [];
  for (const ref of partialRefs) {
    const data = tiles.get(tilePath(ref))!;
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < ref.width; i++) hashes.push(data.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    partialTiles[ref.level as number] = hashes;
  }
  for (let level = 0; level < partialTiles.length; level++) partialTiles[level] ??= [];
  checkPartialTiles(hasher, size, partialTiles, range);

  let partialEntries: Uint8Array[] = [];
  const width = size % TILE_WIDTH;
  if (width > 0) {
    const ref: TileRef = { level: 'entries', index: Math.floor(size / TILE_WIDTH), width };
    const data = await storage.read(tilePath(ref));
    if (!data) throw new StoreError(`${tilePath(ref)} is missing from ${storage.location}`);
    partialEntries = parseEntryBundle(data, width).map((e) => e.slice());
    partialEntries.forEach((e, i) => {
      if (!bytesEqual(hasher.leafHash(e), partialTiles[0][i])) {
        throw new StoreError(
          `entry ${size - width + i} in ${tilePath(ref)} does not match its leaf hash`,
        );
      }
    });
  }
  return { range, partialTiles, partialEntries };
}

/**
 * The partial tiles, top level first, hashed into perfect subtrees, are exactly the compact range
 * of the tree (size = sum of width_L * 256^L). Comparing roots checks every hash in them.
 */
function checkPartialTiles(
  hasher: TreeHasher,
  size: number,
  partialTiles: Uint8Array[][],
  range: CompactRange,
) {
  const nodes: Uint8Array[] = [];
  for (let level = partialTiles.length - 1; level >= 0; level--) {
    const sub = new CompactRange(hasher);
    for (const h of partialTiles[level]) sub.append(h);
    nodes.push(...sub.nodeHashes());
  }
  const rebuilt = new CompactRange(hasher, size, nodes);
  if (!bytesEqual(rebuilt.root(), range.root()))
    throw new StoreError('partial tiles do not match the tree');
}
