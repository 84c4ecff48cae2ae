/**
 * Case export bundles: a BagIt bag (RFC 8493) holding a case, its notes, each event's exact bytes
 * with a c2sp.org/tlog-proof, the checkpoints and trust policy they verify against, the evidence
 * files and the custody log. Anyone can check the bag with a BagIt validator and each proof with
 * any tlog verifier; `importCase` checks all of it before anything is stored, and refuses a
 * bundle naming the file at fault.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { fromHex, toHex, utf8, fromUtf8 } from '../../shared/bytes';
import { createTreeHasher } from '../../shared/tlog/hasher';
import { verifyInclusion } from '../../shared/tlog/merkle';
import { parsePolicy, verifyCheckpoint, type TrustPolicy } from '../../shared/tlog/policy';
import { parseTlogProof } from '../../shared/tlog/proofFile';
import { nodeCrypto } from '../crypto/nodeCrypto';
import { proveCachedEntry } from '../store/verifyCache';
import { readBag, writeBag } from './bagit';
import {
  CASE_STATUSES,
  CaseError,
  type CaseService,
  checkEvidenceName,
  sha256Hex,
  type CaseStatus,
} from './service';
import { searchableEntry } from '../sync/prepareSegment';

export const CASE_FORMAT = 'custos.case/v1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const time = z.number().int();
const payloadPath = z.string().min(1).max(300);

const bundleSchema = z.strictObject({
  format: z.literal(CASE_FORMAT),
  exportedAt: time,
  exportedBy: z.string(),
  case: z.strictObject({
    uid: z.string().regex(/^[0-9a-f]{32}$/),
    title: z.string().min(1).max(200),
    owner: z.string().min(1).max(200),
    status: z.enum(CASE_STATUSES),
    periodFrom: time.nullable(),
    periodTo: time.nullable(),
    description: z.string().max(100_000),
    createdAt: time,
    changedAt: time,
  }),
  trustPolicy: payloadPath,
  custody: payloadPath,
  journalCheckpoint: payloadPath.nullable(),
  events: z
    .array(
      z.strictObject({
        seq: z.number().int().positive(),
        origin: z.string().min(1),
        index: z.number().int().nonnegative(),
        leafHash: hex64,
        entry: payloadPath,
        proof: payloadPath,
        tags: z.array(z.string()),
        reason: z.string(),
        addedBy: z.string(),
        addedAt: time,
      }),
    )
    .max(10_000),
  notes: z.array(
    z.strictObject({
      event: z.number().int().positive().nullable(),
      author: z.string(),
      body: z.string(),
      createdAt: time,
    }),
  ),
  evidence: z.array(
    z.strictObject({
      name: z.string(),
      file: payloadPath,
      size: z.number().int().nonnegative(),
      sha256: hex64,
      addedBy: z.string(),
      addedAt: time,
    }),
  ),
});
export type CaseBundle = z.infer<typeof bundleSchema>;

const custodySchema = z.strictObject({
  at: time,
  who: z.string(),
  what: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

export class BundleError extends Error {
  override name = 'BundleError';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

const hasher = createTreeHasher(nodeCrypto.sha256);
/** bag-info.txt values are single lines. */
const oneLine = (s: string) => s.replace(/\p{Cc}+/gu, ' ').trim() || '-';
const seqName = (n: number) => String(n).padStart(6, '0');

export interface ExportResult {
  dir: string;
  events: number;
  evidence: number;
  oxum: string;
}

/**
 * Writes a case as a BagIt bundle into `dir` (which must not exist yet). Every event gets a fresh
 * inclusion proof from the cache, checked against the latest verified checkpoint; an event whose
 * log the cache does not hold keeps the proof it came with. Evidence files are re-hashed first.
 */
export async function exportCase(
  cases: CaseService,
  caseId: number,
  dir: string,
  opts: { trustText: string; journalCheckpoint?: string | null },
): Promise<ExportResult> {
  const c = cases.get(caseId);
  const policy = parsePolicy(nodeCrypto, opts.trustText, 'the trust policy');
  const payload: Array<{ path: string; data: Uint8Array }> = [];
  const events = cases.events(caseId);
  const seqOf = new Map<number, number>();
  const bundleEvents: CaseBundle['events'] = [];
  events.forEach((e, i) => {
    const seq = i + 1;
    seqOf.set(e.id, seq);
    const d = cases.eventData(caseId, e.id);
    let proof: string;
    if (cases.store.logByOrigin(d.origin)) {
      proof = proveCachedEntry(cases.store, d.origin, d.index, policy).proofText;
      cases.setEventProof(e.id, proof);
    } else if (d.proof) proof = d.proof;
    else
      throw new CaseError(
        `event ${d.origin}#${d.index} has no inclusion proof: sync its log before exporting`,
      );
    const entry = `events/${seqName(seq)}.entry`;
    const proofFile = `proofs/${seqName(seq)}.tlog-proof`;
    payload.push({ path: entry, data: d.data }, { path: proofFile, data: utf8(proof) });
    bundleEvents.push({
      seq,
      origin: d.origin,
      index: d.index,
      leafHash: toHex(d.leafHash),
      entry,
      proof: proofFile,
      tags: e.tags,
      reason: e.reason,
      addedBy: e.addedBy,
      addedAt: e.addedAt,
    });
  });
  const evidence: CaseBundle['evidence'] = cases.evidenceList(caseId).map((f) => {
    const { data } = cases.evidenceData(caseId, f.id);
    const file = `evidence/${f.name}`;
    payload.push({ path: file, data });
    return {
      name: f.name,
      file,
      size: f.size,
      sha256: f.sha256,
      addedBy: f.addedBy,
      addedAt: f.addedAt,
    };
  });
  cases.custody(caseId, 'exported', {
    bundle: basename(dir),
    events: bundleEvents.length,
    evidence: evidence.length,
  });
  const custody = cases
    .custodyLog(caseId)
    .map((r) => JSON.stringify({ at: r.at, who: r.who, what: r.what, detail: r.detail }))
    .join('\n');
  payload.push(
    { path: 'trust-policy.txt', data: utf8(opts.trustText) },
    { path: 'custody.jsonl', data: utf8(custody + '\n') },
  );
  if (opts.journalCheckpoint)
    payload.push({ path: 'journal-checkpoint.txt', data: utf8(opts.journalCheckpoint) });
  const bundle: CaseBundle = {
    format: CASE_FORMAT,
    exportedAt: Date.now(),
    exportedBy: cases.officer,
    case: {
      uid: c.uid,
      title: c.title,
      owner: c.owner,
      status: c.status,
      periodFrom: c.periodFrom,
      periodTo: c.periodTo,
      description: c.description,
      createdAt: c.createdAt,
      changedAt: c.changedAt,
    },
    trustPolicy: 'trust-policy.txt',
    custody: 'custody.jsonl',
    journalCheckpoint: opts.journalCheckpoint ? 'journal-checkpoint.txt' : null,
    events: bundleEvents,
    notes: cases.notes(caseId).map((n) => ({
      event: n.eventId === null ? null : (seqOf.get(n.eventId) ?? null),
      author: n.author,
      body: n.body,
      createdAt: n.createdAt,
    })),
    evidence,
  };
  payload.unshift({ path: 'case.json', data: utf8(JSON.stringify(bundle, null, 2) + '\n') });
  const r = await writeBag(dir, payload, {
    info: [
      ['Source-Organization', 'Custos'],
      ['External-Identifier', `custos-case-${c.uid}`],
      ['External-Description', oneLine(c.title)],
      ['Contact-Name', oneLine(cases.officer)],
      ['Bag-Software-Agent', 'Custos (custos.case/v1)'],
    ],
  });
  cases.activity('case.export', {
    case: c.uid,
    dir,
    events: bundleEvents.length,
    evidence: evidence.length,
    oxum: r.oxum,
  });
  return { dir, events: bundleEvents.length, evidence: evidence.length, oxum: r.oxum };
}

export interface ImportResult {
  caseId: number;
  uid: string;
  title: string;
  events: number;
  evidence: number;
  /** Logs whose checkpoints verified against this workspace's own trust policy. */
  trustedByWorkspace: string[];
  /** Logs known only through the bundle's trust policy (the key that signed is named). */
  trustedByBundleOnly: Array<{ origin: string; key: string }>;
}

/**
 * Reads a case bundle, checks everything (bag manifests and payload, the case file, every event's
 * bytes against its leaf hash and its proof against a checkpoint signed by a trusted key for the
 * same log, every evidence file's SHA-256), and only then stores the case. Where this workspace's
 * own trust policy knows a log, the checkpoint must verify against it too.
 */
export async function importCase(
  cases: CaseService,
  dir: string,
  workspacePolicy: TrustPolicy | null,
): Promise<ImportResult> {
  const bag = await readBag(dir);
  const file = (path: string): Uint8Array => {
    const d = bag.payload.get(path);
    if (!d) throw new BundleError(`data/${path}`, 'is named in data/case.json but not in the bag');
    return d;
  };
  let bundle: CaseBundle;
  try {
    bundle = bundleSchema.parse(JSON.parse(fromUtf8(file('case.json'))));
  } catch (e) {
    if (e instanceof BundleError) throw e;
    const msg =
      e instanceof z.ZodError
        ? e.issues.map((i) => `${i.path.join('.') || 'case'}: ${i.message}`).join('; ')
        : (e as Error).message;
    throw new BundleError('data/case.json', `not a ${CASE_FORMAT} case: ${msg}`);
  }
  let policy: TrustPolicy;
  try {
    policy = parsePolicy(nodeCrypto, fromUtf8(file(bundle.trustPolicy)), 'the trust policy');
  } catch (e) {
    if (e instanceof BundleError) throw e;
    throw new BundleError(`data/${bundle.trustPolicy}`, (e as Error).message);
  }
  const byWorkspace = new Set<string>();
  const byBundle = new Map<string, string>();
  const events = bundle.events.map((ev) => {
    const data = file(ev.entry);
    const leaf = hasher.leafHash(data);
    if (toHex(leaf) !== ev.leafHash)
      throw new BundleError(
        `data/${ev.entry}`,
        `its leaf hash is ${toHex(leaf)}, the case says ${ev.leafHash}: the event was changed`,
      );
    const proofText = fromUtf8(file(ev.proof));
    const where = `data/${ev.proof}`;
    try {
      const proof = parseTlogProof(proofText);
      if (proof.index !== ev.index)
        throw new Error(`the proof is for entry ${proof.index}, the event is entry ${ev.index}`);
      const checked = verifyCheckpoint(nodeCrypto, proof.checkpoint, policy);
      const cp = checked.checkpoint;
      if (cp.origin !== ev.origin)
        throw new Error(
          `the proof is for log ${cp.origin}, the event is from log ${ev.origin}: a proof for another log`,
        );
      if (workspacePolicy?.logs.some((l) => l.verifier.name === cp.origin)) {
        verifyCheckpoint(nodeCrypto, proof.checkpoint, workspacePolicy);
        byWorkspace.add(cp.origin);
      } else
        byBundle.set(
          cp.origin,
          `${checked.logKey.name}+${checked.logKey.keyId.toString(16).padStart(8, '0')}`,
        );
      if (!(ev.index < cp.size))
        throw new Error(`entry ${ev.index} is beyond the checkpoint's size ${cp.size}`);
      verifyInclusion(hasher, ev.index, cp.size, leaf, proof.proof, cp.root);
    } catch (e) {
      throw new BundleError(where, (e as Error).message);
    }
    return { ...ev, data, leaf, proofText, time: searchableEntry(data).fields.time };
  });
  const evidence = bundle.evidence.map((f) => {
    const data = file(f.file);
    try {
      checkEvidenceName(f.name);
    } catch (e) {
      throw new BundleError('data/case.json', (e as Error).message);
    }
    const actual = sha256Hex(data);
    if (actual !== f.sha256 || data.length !== f.size)
      throw new BundleError(
        `data/${f.file}`,
        `its SHA-256 is ${actual}, the case says ${f.sha256}: the evidence file was changed`,
      );
    return { ...f, data };
  });
  const custody = fromUtf8(file(bundle.custody))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return custodySchema.parse(JSON.parse(line));
      } catch (e) {
        throw new BundleError(`data/${bundle.custody}`, `line ${i + 1}: ${(e as Error).message}`);
      }
    });
  const seqs = new Set(events.map((e) => e.seq));
  for (const n of bundle.notes)
    if (n.event !== null && !seqs.has(n.event))
      throw new BundleError('data/case.json', `a note refers to event ${n.event}, not in the case`);
  const existing = cases.byUid(bundle.case.uid);
  if (existing)
    throw new BundleError(
      'data/case.json',
      `this case is already in the workspace as case ${existing.id} (${existing.title})`,
    );

  const caseId = cases.adopt({
    case: { ...bundle.case, status: bundle.case.status as CaseStatus },
    events: events.map((e) => ({
      seq: e.seq,
      origin: e.origin,
      index: e.index,
      leafHash: fromHex(e.leafHash),
      data: e.data,
      time: e.time,
      proof: e.proofText,
      tags: e.tags,
      reason: e.reason,
      addedBy: e.addedBy,
      addedAt: e.addedAt,
    })),
    notes: bundle.notes,
    evidence,
    custody: custody.map((r) => ({ ...r, detail: r.detail as Record<string, never> })),
    imported: { from: basename(dir), exportedBy: bundle.exportedBy, exportedAt: bundle.exportedAt },
  });
  return {
    caseId,
    uid: bundle.case.uid,
    title: bundle.case.title,
    events: events.length,
    evidence: evidence.length,
    trustedByWorkspace: [...byWorkspace].sort(),
    trustedByBundleOnly: [...byBundle].map(([origin, key]) => ({ origin, key })),
  };
}
