/** The Merkle tree of a log as the cache holds it: leaf hashes in entries, higher tiles in tiles. */
import { HASH_SIZE, type TreeHasher } from '../../shared/tlog/hasher';
import type { NodeReader } from '../../shared/tlog/merkle';
import { TILE_HEIGHT, TILE_WIDTH } from '../../shared/tlog/tiles';
import type { CacheStore } from './cacheStore';

export class CacheTreeError extends Error {
  override name = 'CacheTreeError';
}

/** A NodeReader over the cache's stored hashes (memoised per tile, for one proof or a few). */
export function cacheNodeReader(store: CacheStore, hasher: TreeHasher, logId: number): NodeReader {
  const tiles = new Map<string, Uint8Array[]>();
  const storedTile = (tileLevel: number, tileIdx: number): Uint8Array[] => {
    const key = `${tileLevel}/${tileIdx}`;
    let hashes = tiles.get(key);
    if (!hashes) {
      if (tileLevel === 0) {
        hashes = store.leafHashes(logId, tileIdx * TILE_WIDTH, (tileIdx + 1) * TILE_WIDTH);
      } else {
        const data = store.tile(logId, tileLevel, tileIdx) ?? new Uint8Array(0);
        hashes = [];
        for (let o = 0; o + HASH_SIZE <= data.length; o += HASH_SIZE)
          hashes.push(data.subarray(o, o + HASH_SIZE));
      }
      tiles.set(key, hashes);
    }
    return hashes;
  };
  const read: NodeReader = (level, index) => {
    if (level % TILE_HEIGHT === 0) {
      const tileLevel = level / TILE_HEIGHT;
      const h = storedTile(tileLevel, Math.floor(index / TILE_WIDTH))[index % TILE_WIDTH];
      if (!h) throw new CacheTreeError(`the cache has no hash ${index} at tile level ${tileLevel}`);
      return h;
    }
    return hasher.nodeHash(read(level - 1, index * 2), read(level - 1, index * 2 + 1));
  };
  return read;
}
