/**
 * `custos verify-report`: checks a report the way a regulator would, trusting nothing in it but
 * what the given trust policy vouches for. The PDF signature must cover the whole file and verify;
 * every embedded event must hash to a leaf that its embedded proof includes in a checkpoint signed
 * by a key of the given policy, and each embedded checkpoint must verify the same way.
 */
import { fromUtf8, toHex } from '../../shared/bytes';
import { createTreeHasher } from '../../shared/tlog/hasher';
import { verifyInclusion } from '../../shared/tlog/merkle';
import { verifyCheckpoint, type TrustPolicy } from '../../shared/tlog/policy';
import { parseTlogProof } from '../../shared/tlog/proofFile';
import { nodeCrypto } from '../crypto/nodeCrypto';
import { checkpointName, entryName, proofName } from './evidence';
import { listAttachments } from './pdfAttachments';
import { verifyPdfSignatures } from './pdfVerify';

export interface ProofCheck {
  /** The proof attachment. */
  name: string;
  origin: string | null;
  index: number | null;
  ok: boolean;
  problem: string | null;
}

export interface ReportVerification {
  ok: boolean;
  signature: Awaited<ReturnType<typeof verifyPdfSignatures>>;
  attachments: number;
  checkpoints: Array<{
    name: string;
    origin: string | null;
    size: number | null;
    ok: boolean;
    problem: string | null;
  }>;
  proofs: ProofCheck[];
  problems: string[];
}

const hasher = createTreeHasher(nodeCrypto.sha256);

export async function verifyReport(
  pdf: Uint8Array,
  trust: TrustPolicy,
): Promise<ReportVerification> {
  const problems: string[] = [];
  const signature = await verifyPdfSignatures(pdf);
  if (signature.signatures.length === 0) problems.push('the report carries no signature');
  for (const s of signature.signatures)
    for (const p of s.problems) problems.push(`signature ${s.field}: ${p}`);
  if (
    signature.signatures.length > 0 &&
    !signature.ok &&
    !signature.signatures.some((s) => s.problems.length)
  )
    problems.push('the signature does not verify');

  const files = new Map<string, Uint8Array>();
  for (const a of await listAttachments(pdf)) {
    if (files.has(a.name)) problems.push(`${a.name} is attached twice`);
    files.set(a.name, a.data);
  }

  const checkpoints: ReportVerification['checkpoints'] = [];
  for (const [name, data] of files) {
    if (!name.startsWith('checkpoint-')) continue;
    try {
      const { checkpoint } = verifyCheckpoint(nodeCrypto, fromUtf8(data), trust);
      if (name !== checkpointName(checkpoint.origin))
        throw new Error(`it is the checkpoint of ${checkpoint.origin}, not the log its name says`);
      checkpoints.push({
        name,
        origin: checkpoint.origin,
        size: checkpoint.size,
        ok: true,
        problem: null,
      });
    } catch (e) {
      checkpoints.push({
        name,
        origin: null,
        size: null,
        ok: false,
        problem: (e as Error).message,
      });
      problems.push(`${name}: ${(e as Error).message}`);
    }
  }

  const proofs: ProofCheck[] = [];
  for (const [name, data] of files) {
    if (!name.endsWith('.tlog-proof')) continue;
    const check: ProofCheck = { name, origin: null, index: null, ok: false, problem: null };
    try {
      const proof = parseTlogProof(fromUtf8(data));
      const { checkpoint } = verifyCheckpoint(nodeCrypto, proof.checkpoint, trust);
      check.origin = checkpoint.origin;
      check.index = proof.index;
      const cited = { origin: checkpoint.origin, index: proof.index };
      if (name !== proofName(cited))
        throw new Error(
          `it proves entry ${proof.index} of ${checkpoint.origin}, not the entry its name says`,
        );
      const embedded = files.get(checkpointName(checkpoint.origin));
      if (embedded && fromUtf8(embedded) !== proof.checkpoint)
        throw new Error(
          `its checkpoint differs from the embedded ${checkpointName(checkpoint.origin)}`,
        );
      const entry = files.get(entryName(cited));
      if (!entry) throw new Error(`the entry it proves (${entryName(cited)}) is not attached`);
      const leaf = hasher.leafHash(entry);
      if (!(proof.index < checkpoint.size))
        throw new Error(`entry ${proof.index} is beyond the checkpoint's size ${checkpoint.size}`);
      try {
        verifyInclusion(hasher, proof.index, checkpoint.size, leaf, proof.proof, checkpoint.root);
      } catch {
        throw new Error(
          `${entryName(cited)} (leaf hash ${toHex(leaf)}) is not in the log at checkpoint ${checkpoint.size}: the entry or the proof was changed`,
        );
      }
      check.ok = true;
    } catch (e) {
      check.problem = (e as Error).message;
      problems.push(`${name}: ${check.problem}`);
    }
    proofs.push(check);
  }
  // An attached entry that no proof covers proves nothing: say so.
  for (const name of files.keys())
    if (
      name.startsWith('entry-') &&
      !proofs.some(
        (p) =>
          p.ok && p.origin !== null && entryName({ origin: p.origin, index: p.index! }) === name,
      )
    )
      problems.push(`${name}: no valid proof in the report covers this entry`);

  return {
    ok: problems.length === 0,
    signature,
    attachments: files.size,
    checkpoints,
    proofs,
    problems,
  };
}
