/** RFC 6962 / RFC 9162 section 2.1 Merkle tree hashing over SHA-256. */
export const HASH_SIZE = 32;

export interface TreeHasher {
  /** MTH({d}) = SHA-256(0x00 || d) */
  leafHash(entry: Uint8Array): Uint8Array;
  /** SHA-256(0x01 || left || right) */
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
  /** MTH({}) = SHA-256() */
  emptyRoot(): Uint8Array;
}

export function createTreeHasher(sha256: (data: Uint8Array) => Uint8Array): TreeHasher {
  const node = new Uint8Array(1 + 2 * HASH_SIZE);
  node[0] = 1;
  let leafBuf = new Uint8Array(1024);
  return {
    leafHash(entry) {
      if (leafBuf.length < entry.length + 1) leafBuf = new Uint8Array(entry.length + 1024);
      leafBuf[0] = 0;
      leafBuf.set(entry, 1);
      return sha256(leafBuf.subarray(0, entry.length + 1));
    },
    nodeHash(left, right) {
      node.set(left, 1);
      node.set(right, 1 + HASH_SIZE);
      return sha256(node);
    },
    emptyRoot() {
      return sha256(new Uint8Array(0));
    },
  };
}
