import type { TreeHasher } from '../../shared/tlog/hasher';
import type { NodeReader } from '../../shared/tlog/merkle';

/** Every perfect-subtree hash of a tree held in memory, by level: a reference for proof tests. */
export function memoryTree(hasher: TreeHasher, leafHashes: Uint8Array[]): NodeReader {
  const levels: Uint8Array[][] = [leafHashes];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < below.length; i += 2)
      next.push(hasher.nodeHash(below[i], below[i + 1]));
    levels.push(next);
  }
  return (level, index) => {
    const h = levels[level]?.[index];
    if (!h) throw new Error(`no node ${level}/${index}`);
    return h;
  };
}
