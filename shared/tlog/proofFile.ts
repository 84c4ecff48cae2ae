/** c2sp.org/tlog-proof: an offline-verifiable proof that an entry is in a checkpointed log. */
import { fromBase64, toBase64 } from '../bytes';
import { HASH_SIZE } from './hasher';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProof {
  extra?: Uint8Array;
  index: number;
  proof: Uint8Array[];
  /** The checkpoint note, verbatim (with its signatures). */
  checkpoint: string;
}

export class TlogProofError extends Error {
  override name = 'TlogProofError';
}

export function formatTlogProof(p: TlogProof): string {
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra) lines.push(`extra ${toBase64(p.extra)}`);
  lines.push(`index ${p.index}`, ...p.proof.map(toBase64), '');
  return lines.join('\n') + '\n' + p.checkpoint;
}

/** Parses a tlog-proof strictly; the checkpoint inside still has to be verified by the caller. */
export function parseTlogProof(text: string): TlogProof {
  const blank = text.indexOf('\n\n');
  if (blank < 0) throw new TlogProofError('tlog-proof has no blank line before its checkpoint');
  const head = text.slice(0, blank).split('\n');
  const checkpoint = text.slice(blank + 2);
  if (head[0] !== TLOG_PROOF_HEADER)
    throw new TlogProofError(`tlog-proof must start with ${TLOG_PROOF_HEADER}`);
  let i = 1;
  let extra: Uint8Array | undefined;
  if (head[i]?.startsWith('extra ')) {
    try {
      extra = fromBase64(head[i].slice(6));
    } catch {
      throw new TlogProofError('tlog-proof line 2: extra data is not base64');
    }
    i++;
  }
  const m = /^index (0|[1-9]\d*)$/.exec(head[i] ?? '');
  if (!m || !Number.isSafeInteger(Number(m[1])))
    throw new TlogProofError(`tlog-proof line ${i + 1}: expected "index <n>"`);
  const index = Number(m[1]);
  const proof = head.slice(i + 1).map((line, k) => {
    let h: Uint8Array;
    try {
      h = fromBase64(line);
    } catch {
      throw new TlogProofError(`tlog-proof line ${i + 2 + k}: proof hash is not base64`);
    }
    if (h.length !== HASH_SIZE)
      throw new TlogProofError(`tlog-proof line ${i + 2 + k}: proof hash is not 32 bytes`);
    return h;
  });
  if (proof.length > 63) throw new TlogProofError('tlog-proof has more than 63 proof hashes');
  return extra ? { extra, index, proof, checkpoint } : { index, proof, checkpoint };
}
