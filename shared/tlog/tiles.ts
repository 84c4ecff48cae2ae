/** c2sp.org/tlog-tiles: tile coordinates, paths, entry bundles, and reading tree hashes from tiles. */
import { HASH_SIZE, type TreeHasher } from './hasher';
import type { NodeId, NodeReader } from './merkle';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** An entry is length-prefixed with a big-endian uint16 in a bundle. */
export const MAX_ENTRY_SIZE = 65535;

/** One tile of hashes (level >= 0) or one entry bundle (level 'entries'). */
export interface TileRef {
  level: number | 'entries';
  index: number;
  /** 1..256; 256 is a full tile. */
  width: number;
}

export class TileError extends Error {
  override name = 'TileError';
}

/** The `x001/x234/067` encoding of a tile index. */
export function encodeTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new TileError(`invalid tile index ${index}`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export function tilePath(tile: TileRef): string {
  if (!(Number.isInteger(tile.width) && tile.width >= 1 && tile.width <= TILE_WIDTH)) {
    throw new TileError(`invalid tile width ${tile.width}`);
  }
  const level = tile.level === 'entries' ? 'entries' : String(tile.level);
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${level}/${encodeTileIndex(tile.index)}${partial}`;
}

/** Parses a tile path back into its coordinates; strict, as a server or a store scan needs. */
export function parseTilePath(path: string): TileRef {
  const m = /^tile\/(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/([1-9]\d{0,2}))?$/.exec(
    path,
  );
  if (!m) throw new TileError(`not a tile path: ${path}`);
  const level = m[1] === 'entries' ? 'entries' : Number(m[1]);
  if (level !== 'entries' && level > 63) throw new TileError(`tile level ${level} is above 63`);
  const groups = [
    ...m[2]
      .split('/')
      .filter(Boolean)
      .map((g) => g.slice(1)),
    m[3],
  ];
  const index = groups.reduce((acc, g) => acc * 1000 + Number(g), 0);
  const width = m[4] ? Number(m[4]) : TILE_WIDTH;
  if (m[4] && width >= TILE_WIDTH)
    throw new TileError(`partial tile width ${width} is not below 256`);
  if (encodeTileIndex(index) !== [...m[2].split('/').filter(Boolean), m[3]].join('/')) {
    throw new TileError(`non-canonical tile index in ${path}`);
  }
  return { level, index, width };
}

/** Number of stored hashes at tile level `level` for a tree of `size`: floor(size / 256^level). */
function hashesAtLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** Every tile (and, with `entries`, every bundle) a tree of `size` has, as a store must serve them. */
export function tilesForSize(size: number, withEntries = true): TileRef[] {
  const out: TileRef[] = [];
  for (let level = 0; hashesAtLevel(size, level) > 0; level++) {
    out.push(...levelTiles(size, level));
  }
  if (withEntries)
    out.push(...levelTiles(size, 0).map((t) => ({ ...t, level: 'entries' as const })));
  return out;
}

function levelTiles(size: number, level: number): TileRef[] {
  const n = hashesAtLevel(size, level);
  const out: TileRef[] = [];
  for (let index = 0; index * TILE_WIDTH < n; index++) {
    out.push({ level, index, width: Math.min(TILE_WIDTH, n - index * TILE_WIDTH) });
  }
  return out;
}

/** The tile (with its width in a tree of `size`) holding the stored hash `index` of tile level `level`. */
export function tileForStoredHash(level: number, index: number, size: number): TileRef {
  const tileIndex = Math.floor(index / TILE_WIDTH);
  const n = hashesAtLevel(size, level);
  if (index >= n)
    throw new TileError(`hash ${index} of level ${level} is not in a tree of size ${size}`);
  return { level, index: tileIndex, width: Math.min(TILE_WIDTH, n - tileIndex * TILE_WIDTH) };
}

/** The tiles needed to compute the given perfect-subtree hashes in a tree of `size`. */
export function tilesForNodes(nodes: NodeId[], size: number): TileRef[] {
  const seen = new Map<string, TileRef>();
  for (const { level, index } of nodes) {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const span = 2 ** (level - tileLevel * TILE_HEIGHT);
    const first = tileForStoredHash(tileLevel, index * span, size);
    const last = tileForStoredHash(tileLevel, index * span + span - 1, size);
    for (const t of [first, last]) seen.set(tilePath(t), t);
  }
  return [...seen.values()];
}

/**
 * A NodeReader over tiles already fetched (keyed by tilePath). A node at height h is rebuilt from
 * the 2^(h mod 8) hashes of tile level floor(h / 8) below it, as the spec says.
 */
export function tileNodeReader(
  hasher: TreeHasher,
  size: number,
  tiles: ReadonlyMap<string, Uint8Array>,
): NodeReader {
  const stored = (tileLevel: number, index: number): Uint8Array => {
    const ref = tileForStoredHash(tileLevel, index, size);
    const path = tilePath(ref);
    const data = tiles.get(path);
    if (!data) throw new TileError(`tile ${path} is needed but was not loaded`);
    if (data.length !== ref.width * HASH_SIZE) {
      throw new TileError(
        `tile ${path} is ${data.length} bytes, expected ${ref.width * HASH_SIZE}`,
      );
    }
    const offset = (index % TILE_WIDTH) * HASH_SIZE;
    return data.subarray(offset, offset + HASH_SIZE);
  };
  const read = (level: number, index: number): Uint8Array => {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const rest = level - tileLevel * TILE_HEIGHT;
    if (rest === 0) return stored(tileLevel, index);
    return hasher.nodeHash(read(level - 1, index * 2), read(level - 1, index * 2 + 1));
  };
  return read;
}

/** Concatenates big-endian uint16 length-prefixed entries. */
export function encodeEntryBundle(entries: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE)
      throw new TileError(`entry of ${e.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    len += 2 + e.length;
  }
  const out = new Uint8Array(len);
  let o = 0;
  for (const e of entries) {
    out[o] = e.length >> 8;
    out[o + 1] = e.length & 255;
    out.set(e, o + 2);
    o += 2 + e.length;
  }
  return out;
}

/**
 * Splits an entry bundle as far as it is well formed. `error` says where and how it stops being so
 * (a cut-off length prefix or entry), so a verifier can still name the entries before the damage.
 */
export function splitEntryBundle(data: Uint8Array): { entries: Uint8Array[]; error?: string } {
  const entries: Uint8Array[] = [];
  let o = 0;
  while (o < data.length) {
    if (o + 2 > data.length) {
      return {
        entries,
        error: `a cut-off length prefix at byte ${o} (trailing data after entry ${entries.length - 1})`,
      };
    }
    const len = (data[o] << 8) | data[o + 1];
    if (o + 2 + len > data.length) {
      return {
        entries,
        error: `entry ${entries.length} at byte ${o} claims ${len} bytes but only ${data.length - o - 2} remain`,
      };
    }
    entries.push(data.subarray(o + 2, o + 2 + len));
    o += 2 + len;
  }
  return { entries };
}

/** Splits an entry bundle into its entries (views into `data`), strictly: any damage throws. */
export function parseEntryBundle(data: Uint8Array, expected?: number): Uint8Array[] {
  const { entries, error } = splitEntryBundle(data);
  if (error) throw new TileError(`entry bundle: ${error}`);
  if (expected !== undefined && entries.length !== expected) {
    throw new TileError(`entry bundle holds ${entries.length} entries, expected ${expected}`);
  }
  return entries;
}
