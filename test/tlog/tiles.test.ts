import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8 } from '../../shared/bytes';
import { createTreeHasher } from '../../shared/tlog/hasher';
import {
  CompactRange,
  inclusionProof,
  inclusionProofRanges,
  nodesForRanges,
} from '../../shared/tlog/merkle';
import {
  encodeEntryBundle,
  encodeTileIndex,
  parseEntryBundle,
  parseTilePath,
  splitEntryBundle,
  tileNodeReader,
  tilePath,
  tilesForNodes,
  tilesForSize,
  TILE_HEIGHT,
} from '../../shared/tlog/tiles';
import { nodeCrypto } from '../../main/crypto/nodeCrypto';
import { memoryTree } from '../helpers/memoryTree';

const hasher = createTreeHasher(nodeCrypto.sha256);

describe('tile paths', () => {
  it('encode indices as the spec shows', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 'entries', index: 5, width: 7 })).toBe('tile/entries/005.p/7');
  });

  it('parse back what they print, and refuse look-alikes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 256 }),
        (level, index, width) => {
          expect(parseTilePath(tilePath({ level, index, width }))).toEqual({ level, index, width });
        },
      ),
    );
    for (const bad of [
      'tile/0/1',
      'tile/00/000',
      'tile/0/x000/001',
      'tile/0/000.p/256',
      'tile/0/000.p/0',
      'tile/64/000',
      'tile/0/001/002',
      '../tile/0/000',
    ]) {
      expect(() => parseTilePath(bad), bad).toThrow();
    }
  });

  it('list the tiles of a tree as in the spec example (size 70,000)', () => {
    const tiles = tilesForSize(70000, false);
    const level0 = tiles.filter((t) => t.level === 0);
    expect(level0.filter((t) => t.width === 256)).toHaveLength(273);
    expect(level0.filter((t) => t.width < 256).map((t) => t.width)).toEqual([112]);
    expect(tiles.filter((t) => t.level === 1).map((t) => t.width)).toEqual([256, 17]);
    expect(tiles.filter((t) => t.level === 2).map((t) => t.width)).toEqual([1]);
    expect(tilesForSize(256, false).map(tilePath)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
  });
});

describe('reading a tree from its tiles', () => {
  it('gives the same node hashes and proofs as the tree itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70000 }), fc.nat(), (size, r) => {
        const leaves = Array.from({ length: size }, (_, i) => hasher.leafHash(utf8(String(i))));
        // Build the tiles the way a log does: every completed subtree at a multiple of 8 levels.
        const stored: Uint8Array[][] = [];
        const range = new CompactRange(hasher);
        for (const h of leaves) {
          range.append(h, (level, _index, hash) => {
            if (level % TILE_HEIGHT === 0) (stored[level / TILE_HEIGHT] ??= []).push(hash);
          });
        }
        const tiles = new Map<string, Uint8Array>();
        for (const t of tilesForSize(size, false)) {
          const hashes = stored[t.level as number].slice(
            (t.index as number) * 256,
            (t.index as number) * 256 + t.width,
          );
          tiles.set(tilePath(t), concatBytes(...hashes));
        }
        const index = r % size;
        const needed = tilesForNodes(nodesForRanges(inclusionProofRanges(index, size)), size);
        const subset = new Map([...tiles].filter(([p]) => needed.some((t) => tilePath(t) === p)));
        const fromTiles = inclusionProof(hasher, index, size, tileNodeReader(hasher, size, subset));
        expect(fromTiles).toEqual(inclusionProof(hasher, index, size, memoryTree(hasher, leaves)));
      }),
      { numRuns: 15 },
    );
  });
});

describe('entry bundles', () => {
  it('round-trip entries', () => {
    const entries = [utf8('a'), new Uint8Array(0), utf8('x'.repeat(65535))];
    expect(parseEntryBundle(encodeEntryBundle(entries), 3)).toEqual(entries);
  });
  it('reject trailing bytes, truncation and a wrong count, naming where', () => {
    const bundle = encodeEntryBundle([utf8('hello'), utf8('world')]);
    expect(() => parseEntryBundle(concatBytes(bundle, new Uint8Array([7])))).toThrow(
      /cut-off length prefix at byte 14/,
    );
    expect(() => parseEntryBundle(bundle.subarray(0, bundle.length - 1))).toThrow(
      /entry 1 at byte 7 claims 5 bytes but only 4 remain/,
    );
    expect(() => parseEntryBundle(bundle, 3)).toThrow(/holds 2 entries, expected 3/);
    expect(splitEntryBundle(bundle.subarray(0, 9)).entries).toHaveLength(1);
  });
  it('refuse entries over 65,535 bytes', () => {
    expect(() => encodeEntryBundle([new Uint8Array(65536)])).toThrow(/exceeds 65535/);
  });
});
