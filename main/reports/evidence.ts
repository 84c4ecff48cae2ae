/**
 * The evidence a report carries inside itself, as PDF file attachments: the checkpoint of each log
 * it cites, the trust policy they verify against, and for every cited event its exact bytes and a
 * c2sp.org/tlog-proof of them.
 * A reader checks them with `custos verify-report` or any C2SP tool, without trusting Custos.
 */
import { createHash } from 'node:crypto';
import { utf8 } from '../../shared/bytes';
import { parsePolicy } from '../../shared/tlog/policy';
import { nodeCrypto } from '../crypto/nodeCrypto';
import type { CacheStore } from '../store/cacheStore';
import { proveCachedEntry } from '../store/verifyCache';

export interface CitedEvent {
  origin: string;
  index: number;
}

export interface EvidenceFile {
  /** The attachment's file name, e.g. `proof-demo.custos.example-audit-2269.tlog-proof`. */
  name: string;
  data: Uint8Array;
  mimeType: string;
  description: string;
  sha256: string;
  size: number;
}

/** The attachment names (stable, so a reader can find an event's proof from its citation). */
export const TRUST_POLICY_NAME = 'trust-policy.txt';
const safe = (origin: string) => origin.replace(/[^A-Za-z0-9.-]+/g, '-');
export const checkpointName = (origin: string) => `checkpoint-${safe(origin)}.txt`;
export const proofName = (e: CitedEvent) => `proof-${safe(e.origin)}-${e.index}.tlog-proof`;
/** The entry itself, byte for byte as sealed: what the proof's leaf hash is computed from. */
export const entryName = (e: CitedEvent) => `entry-${safe(e.origin)}-${e.index}.json`;
export const JOURNAL_CHECKPOINT_NAME = 'journal-checkpoint.txt';

function file(name: string, data: Uint8Array, mimeType: string, description: string): EvidenceFile {
  return {
    name,
    data,
    mimeType,
    description,
    sha256: createHash('sha256').update(data).digest('hex'),
    size: data.length,
  };
}

/**
 * The evidence files for the cited events, each proof made from the cache now and checked against
 * the latest verified checkpoint of its log. Throws naming the event when one cannot be proved.
 */
export function collectEvidence(
  store: CacheStore,
  trustText: string,
  cited: readonly CitedEvent[],
  journalCheckpoint: string | null = null,
): EvidenceFile[] {
  const policy = parsePolicy(nodeCrypto, trustText, 'the trust policy');
  const seen = new Set<string>();
  const checkpoints = new Map<string, string>();
  const proofs: EvidenceFile[] = [];
  for (const e of cited) {
    const key = `${e.origin}\n${e.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let p;
    try {
      p = proveCachedEntry(store, e.origin, e.index, policy);
    } catch (err) {
      throw new Error(`cited event ${e.origin}#${e.index}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    checkpoints.set(e.origin, p.checkpoint.note);
    proofs.push(
      file(
        entryName(e),
        p.entry,
        'application/json',
        `entry ${e.index} of ${e.origin}, byte for byte as sealed in the log`,
      ),
      file(
        proofName(e),
        utf8(p.proofText),
        'text/plain',
        `c2sp.org/tlog-proof of entry ${e.index} of ${e.origin}`,
      ),
    );
  }
  // Logs the report covers without citing an event still get their checkpoint.
  for (const log of store.listLogs()) {
    if (checkpoints.has(log.origin)) continue;
    const cp = store.latestAccepted(log.id);
    if (cp) checkpoints.set(log.origin, cp.note);
  }
  return [
    file(
      TRUST_POLICY_NAME,
      utf8(trustText),
      'text/plain',
      'the trust policy the checkpoints verify against',
    ),
    ...[...checkpoints].map(([origin, note]) =>
      file(
        checkpointName(origin),
        utf8(note),
        'text/plain',
        `the signed checkpoint of ${origin} the proofs lead to`,
      ),
    ),
    ...proofs,
    ...(journalCheckpoint
      ? [
          file(
            JOURNAL_CHECKPOINT_NAME,
            utf8(journalCheckpoint),
            'text/plain',
            "the officer's activity journal checkpoint when the report was made",
          ),
        ]
      : []),
  ];
}
