/** Property tests: proofs generated for random trees verify, and any single mutation fails. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/bytes';
import { createTreeHasher } from '../../shared/tlog/hasher';
import {
  CompactRange,
  consistencyProof,
  inclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '../../shared/tlog/merkle';
import { nodeCrypto } from '../../main/crypto/nodeCrypto';
import { memoryTree } from '../helpers/memoryTree';

const hasher = createTreeHasher(nodeCrypto.sha256);
const leaves = (n: number, salt: number) =>
  Array.from({ length: n }, (_, i) => hasher.leafHash(utf8(`${salt}:${i}`)));

/** MTH straight from RFC 6962's recursive definition, as an independent reference. */
function referenceRoot(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return hasher.emptyRoot();
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return hasher.nodeHash(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

const flip = (h: Uint8Array, bit: number) => {
  const c = h.slice();
  c[Math.floor(bit / 8) % c.length] ^= 1 << (bit % 8);
  return c;
};

const treeWithIndex = fc
  .record({ size: fc.integer({ min: 1, max: 700 }), salt: fc.nat() })
  .chain(({ size, salt }) =>
    fc.record({
      size: fc.constant(size),
      salt: fc.constant(salt),
      index: fc.integer({ min: 0, max: size - 1 }),
    }),
  );

describe('Merkle trees (property tests)', () => {
  it('CompactRange agrees with the recursive RFC 6962 definition', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.nat(), (size, salt) => {
        const hs = leaves(size, salt);
        expect(rootFromLeafHashes(hasher, hs)).toEqual(referenceRoot(hs));
      }),
      { numRuns: 60 },
    );
  });

  it('a compact range rebuilt from its node hashes keeps appending correctly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (a, b) => {
        const hs = leaves(a + b, 7);
        const first = new CompactRange(hasher);
        hs.slice(0, a).forEach((h) => first.append(h));
        const resumed = new CompactRange(hasher, a, first.nodeHashes());
        hs.slice(a).forEach((h) => resumed.append(h));
        expect(resumed.root()).toEqual(referenceRoot(hs));
      }),
      { numRuns: 40 },
    );
  });

  it('every generated inclusion proof verifies, and every single mutation fails', () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), ({ size, salt, index }, r) => {
        const hs = leaves(size + 1, salt).slice(0, size);
        const root = referenceRoot(hs);
        const proof = inclusionProof(hasher, index, size, memoryTree(hasher, hs));
        // A changed size comes with the root of the tree at that size: (size, root) travel together
        // in a checkpoint, and the same root with another size is not a tree head anyone signed.
        const rootAt = (n: number) => referenceRoot(leaves(size + 1, salt).slice(0, n));
        verifyInclusion(hasher, index, size, hs[index], proof, root);

        const bad: Array<() => void> = [
          () => verifyInclusion(hasher, index, size, flip(hs[index], r), proof, root),
          () => verifyInclusion(hasher, index, size, hs[index], proof, flip(root, r)),
          () => verifyInclusion(hasher, index, size + 1, hs[index], proof, rootAt(size + 1)),
          () => verifyInclusion(hasher, index, size - 1, hs[index], proof, rootAt(size - 1)),
          () => verifyInclusion(hasher, index, size, hs[index], [...proof, hs[0]], root),
        ];
        if (size > 1)
          bad.push(() => verifyInclusion(hasher, (index + 1) % size, size, hs[index], proof, root));
        if (proof.length > 0) {
          const i = r % proof.length;
          bad.push(() =>
            verifyInclusion(
              hasher,
              index,
              size,
              hs[index],
              proof.map((p, k) => (k === i ? flip(p, r) : p)),
              root,
            ),
          );
          bad.push(() => verifyInclusion(hasher, index, size, hs[index], proof.slice(0, -1), root));
        }
        for (const f of bad) expect(f).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('every generated consistency proof verifies, and every single mutation fails', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        fc.nat(),
        (size1, extra, r) => {
          const size2 = size1 + extra;
          const all = leaves(size2 + 1, 3);
          const hs = all.slice(0, size2);
          const root1 = referenceRoot(hs.slice(0, size1));
          const root2 = referenceRoot(hs);
          const proof = consistencyProof(hasher, size1, size2, memoryTree(hasher, hs));
          verifyConsistency(hasher, size1, size2, root1, root2, proof);
          const bad: Array<() => void> = [
            () => verifyConsistency(hasher, size1, size2, flip(root1, r), root2, proof),
            () => verifyConsistency(hasher, size1, size2, root1, flip(root2, r), proof),
            () => verifyConsistency(hasher, size1, size2 + 1, root1, referenceRoot(all), proof),
            () => verifyConsistency(hasher, size1, size2, root1, root2, [...proof, hs[0]]),
          ];
          if (size1 > 1) {
            bad.push(() =>
              verifyConsistency(
                hasher,
                size1 - 1,
                size2,
                referenceRoot(hs.slice(0, size1 - 1)),
                root2,
                proof,
              ),
            );
          }
          if (size1 < size2) {
            bad.push(() =>
              verifyConsistency(
                hasher,
                size1 + 1,
                size2,
                referenceRoot(hs.slice(0, size1 + 1)),
                root2,
                proof,
              ),
            );
          }
          if (proof.length > 0) {
            const i = r % proof.length;
            bad.push(() =>
              verifyConsistency(
                hasher,
                size1,
                size2,
                root1,
                root2,
                proof.map((p, k) => (k === i ? flip(p, r) : p)),
              ),
            );
            bad.push(() =>
              verifyConsistency(hasher, size1, size2, root1, root2, proof.slice(0, -1)),
            );
          }
          for (const f of bad) expect(f).toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });
});
