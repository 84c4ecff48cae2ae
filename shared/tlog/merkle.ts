/**
 * RFC 9162 section 2.1 Merkle trees: incremental building, proof generation and verification.
 * Sizes and indices are plain numbers (exact up to 2^53), so no 32-bit bit operations are used.
 */
import { bytesEqual } from '../bytes';
import { HASH_SIZE, type TreeHasher } from './hasher';

/** A perfect subtree: 2^level leaves starting at leaf index `index * 2^level`. */
export interface NodeId {
  level: number;
  index: number;
}

/** Reads the hash of a perfect subtree of a tree whose hashes are stored somewhere. */
export type NodeReader = (level: number, index: number) => Uint8Array;

export class ProofError extends Error {
  override name = 'ProofError';
}

const isOdd = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);

/** The largest power of two strictly smaller than n (n >= 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees of a tree of `size` leaves, largest (leftmost) first: one per set bit of
 * `size`. Their hashes are the "compact range" from which the root and further appends follow.
 */
export function compactRangeNodes(size: number): NodeId[] {
  const out: NodeId[] = [];
  let start = 0;
  for (let level = Math.floor(Math.log2(Math.max(size, 1))) + 1; level >= 0; level--) {
    const width = 2 ** level;
    if (start + width <= size) {
      out.push({ level, index: start / width });
      start += width;
    }
  }
  return out;
}

/**
 * The frontier of an append-only Merkle tree: the hashes of its perfect subtrees, largest first.
 * Appending a leaf costs O(log n) hashes amortised O(1); the root costs O(log n).
 */
export class CompactRange {
  private readonly hashes: Uint8Array[];
  private count: number;

  constructor(
    private readonly hasher: TreeHasher,
    size = 0,
    hashes: Uint8Array[] = [],
  ) {
    if (hashes.length !== compactRangeNodes(size).length) {
      throw new ProofError(
        `a compact range of size ${size} needs ${compactRangeNodes(size).length} hashes`,
      );
    }
    this.count = size;
    this.hashes = hashes.slice();
  }

  get size(): number {
    return this.count;
  }

  /** Hashes of the perfect subtrees (see compactRangeNodes), largest first. */
  nodeHashes(): Uint8Array[] {
    return this.hashes.slice();
  }

  /**
   * Appends one leaf hash. `onNode` sees every perfect subtree completed by this append (level 0 is
   * the leaf itself), which is what a tile writer stores.
   */
  append(leafHash: Uint8Array, onNode?: (level: number, index: number, hash: Uint8Array) => void) {
    let hash = leafHash;
    let level = 0;
    let index = this.count;
    onNode?.(0, index, hash);
    while (isOdd(index)) {
      const left = this.hashes.pop()!;
      hash = this.hasher.nodeHash(left, hash);
      level++;
      index = half(index);
      onNode?.(level, index, hash);
    }
    this.hashes.push(hash);
    this.count++;
  }

  root(): Uint8Array {
    if (this.hashes.length === 0) return this.hasher.emptyRoot();
    let hash = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i--)
      hash = this.hasher.nodeHash(this.hashes[i], hash);
    return hash;
  }
}

/** MTH of a list of leaf hashes. */
export function rootFromLeafHashes(hasher: TreeHasher, leafHashes: Uint8Array[]): Uint8Array {
  const range = new CompactRange(hasher);
  for (const h of leafHashes) range.append(h);
  return range.root();
}

/** Leaf ranges [start, end) whose MTHs form the inclusion proof of `index` (RFC 9162 PATH). */
export function inclusionProofRanges(index: number, size: number): Array<[number, number]> {
  if (!(index >= 0 && index < size))
    throw new ProofError(`index ${index} is outside a tree of size ${size}`);
  const out: Array<[number, number]> = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      lo += k;
    }
  }
  return out.reverse();
}

/** Leaf ranges whose MTHs form the consistency proof from size1 to size2 (RFC 9162 PROOF). */
export function consistencyProofRanges(size1: number, size2: number): Array<[number, number]> {
  if (!(size1 > 0 && size1 <= size2))
    throw new ProofError(`no consistency proof from ${size1} to ${size2}`);
  const out: Array<[number, number]> = [];
  let lo = 0;
  let hi = size2;
  let m = size1;
  let complete = true;
  for (;;) {
    if (m === hi - lo) {
      if (!complete) out.push([lo, hi]);
      break;
    }
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m <= k) {
      out.push([lo + k, hi]);
      hi = lo + k;
    } else {
      out.push([lo, lo + k]);
      lo += k;
      m -= k;
      complete = false;
    }
  }
  return out.reverse();
}

/** The perfect subtrees covering [start, end), left to right, as RFC 6962's MTH splits them. */
export function rangeNodes(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let lo = start;
  while (lo < end) {
    let width = 1;
    while (width * 2 <= end - lo && lo % (width * 2) === 0) width *= 2;
    out.push({ level: Math.log2(width), index: lo / width });
    lo += width;
  }
  return out;
}

/** MTH of the leaves [start, end) from the hashes of its perfect subtrees. */
export function hashRange(
  hasher: TreeHasher,
  start: number,
  end: number,
  read: NodeReader,
): Uint8Array {
  const nodes = rangeNodes(start, end);
  let hash = read(nodes[nodes.length - 1].level, nodes[nodes.length - 1].index);
  for (let i = nodes.length - 2; i >= 0; i--)
    hash = hasher.nodeHash(read(nodes[i].level, nodes[i].index), hash);
  return hash;
}

export function inclusionProof(
  hasher: TreeHasher,
  index: number,
  size: number,
  read: NodeReader,
): Uint8Array[] {
  return inclusionProofRanges(index, size).map(([a, b]) => hashRange(hasher, a, b, read));
}

export function consistencyProof(
  hasher: TreeHasher,
  size1: number,
  size2: number,
  read: NodeReader,
): Uint8Array[] {
  return consistencyProofRanges(size1, size2).map(([a, b]) => hashRange(hasher, a, b, read));
}

/** Every perfect subtree a proof over these ranges reads: what a tile client must fetch first. */
export function nodesForRanges(ranges: Array<[number, number]>): NodeId[] {
  return ranges.flatMap(([a, b]) => rangeNodes(a, b));
}

function checkProofHashes(proof: Uint8Array[]) {
  for (const [i, p] of proof.entries()) {
    if (p.length !== HASH_SIZE)
      throw new ProofError(`proof hash ${i} is ${p.length} bytes, not ${HASH_SIZE}`);
  }
}

/** The root implied by an inclusion proof (RFC 9162 section 2.1.3.2), or a ProofError. */
export function rootFromInclusionProof(
  hasher: TreeHasher,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
): Uint8Array {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
    throw new ProofError(`index ${index} is outside a tree of size ${size}`);
  }
  if (leafHash.length !== HASH_SIZE) throw new ProofError(`leaf hash is ${leafHash.length} bytes`);
  checkProofHashes(proof);
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new ProofError('inclusion proof is too long');
    if (isOdd(fn) || fn === sn) {
      r = hasher.nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = hasher.nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('inclusion proof is too short');
  return r;
}

/** Verifies an inclusion proof; throws ProofError naming what is wrong. */
export function verifyInclusion(
  hasher: TreeHasher,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(hasher, index, size, leafHash, proof);
  if (!bytesEqual(computed, root))
    throw new ProofError('inclusion proof does not lead to the root');
}

/** Verifies a consistency proof (RFC 9162 section 2.1.4.2); throws ProofError naming what is wrong. */
export function verifyConsistency(
  hasher: TreeHasher,
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: Uint8Array[],
): void {
  if (!(Number.isSafeInteger(size1) && Number.isSafeInteger(size2) && size1 >= 0)) {
    throw new ProofError('tree sizes must be non-negative integers');
  }
  if (size2 < size1) throw new ProofError(`tree shrank from ${size1} to ${size2}`);
  // A proof from the empty tree proves nothing; callers treat size 0 as "nothing trusted yet".
  if (size1 === 0) throw new ProofError('a consistency proof from an empty tree is meaningless');
  if (size1 === size2) {
    if (proof.length > 0) throw new ProofError('proof must be empty for equal tree sizes');
    if (!bytesEqual(root1, root2)) throw new ProofError('same tree size with different roots');
    return;
  }
  if (proof.length === 0) throw new ProofError('empty consistency proof');
  checkProofHashes(proof);
  let path = proof;
  if (Number.isInteger(Math.log2(size1))) path = [root1, ...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofError('consistency proof is too long');
    if (isOdd(fn) || fn === sn) {
      fr = hasher.nodeHash(c, fr);
      sr = hasher.nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = hasher.nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('consistency proof is too short');
  if (!bytesEqual(fr, root1))
    throw new ProofError('consistency proof does not lead to the old root');
  if (!bytesEqual(sr, root2))
    throw new ProofError('consistency proof does not lead to the new root');
}
