/**
 * The investigation channels of the IPC contract: cases (events, tags, notes, evidence, timeline,
 * custody, export and import), detections, and the officer's activity journal.
 */
import { z } from 'zod';
import { searchRowSchema } from './rows';

const int = z.number().int().safe();
const nonNeg = int.nonnegative();
const id = int.positive();
const text = (max: number) => z.string().max(max);

export const caseStatusSchema = z.enum(['open', 'in-review', 'closed']);

const caseSummarySchema = z.strictObject({
  id,
  uid: z.string(),
  title: z.string(),
  owner: z.string(),
  status: caseStatusSchema,
  periodFrom: int.nullable(),
  periodTo: int.nullable(),
  createdAt: int,
  changedAt: int,
  importedAt: int.nullable(),
  events: nonNeg,
  notes: nonNeg,
  evidence: nonNeg,
});
const caseSchema = caseSummarySchema.extend({ description: z.string() });
export type CaseDto = z.infer<typeof caseSchema>;

const { id: _rowId, log: _log, index: _index, ...fieldShape } = searchRowSchema.shape;
void _rowId;
void _log;
void _index;

const caseEventSchema = z.strictObject({
  id,
  origin: z.string(),
  index: nonNeg,
  entryId: id.nullable(),
  fields: z.strictObject(fieldShape),
  tags: z.array(z.string()),
  reason: z.string(),
  addedBy: z.string(),
  addedAt: int,
});
export type CaseEventDto = z.infer<typeof caseEventSchema>;

const noteSchema = z.strictObject({
  id,
  eventId: id.nullable(),
  author: z.string(),
  body: z.string(),
  createdAt: int,
});

const evidenceSchema = z.strictObject({
  id,
  name: z.string(),
  size: nonNeg,
  sha256: z.string(),
  addedBy: z.string(),
  addedAt: int,
});

const custodySchema = z.strictObject({
  id,
  at: int,
  who: z.string(),
  what: z.string(),
  detail: z.record(z.string(), z.unknown()),
});

const timelineSchema = z.strictObject({
  time: int,
  kind: z.enum(['event', 'note', 'evidence', 'activity']),
  ref: id,
  label: z.string(),
});

const caseFields = {
  title: text(200).min(1),
  owner: text(200).min(1).optional(),
  description: text(100_000).optional(),
  periodFrom: int.nullable().optional(),
  periodTo: int.nullable().optional(),
};

export const findingSchema = z.strictObject({
  ruleId: z.string(),
  title: z.string(),
  severity: z.string(),
  key: z.string().nullable(),
  from: int.nullable(),
  to: int.nullable(),
  summary: z.string(),
  events: z.array(
    z.strictObject({
      id,
      log: z.string(),
      index: nonNeg,
      time: int.nullable(),
      action: z.string().nullable(),
      actor: z.string().nullable(),
      /** `match`: the rule matched it; `context`: listed to show what surrounded it. */
      role: z.enum(['match', 'context']).optional(),
    }),
  ),
});
export type FindingDto = z.infer<typeof findingSchema>;

const journalEntrySchema = z.strictObject({
  index: nonNeg,
  time: int,
  officer: z.string(),
  action: z.string(),
  details: z.record(z.string(), z.unknown()),
});

/** 48 MiB of base64: the 32 MiB an evidence file may have when it comes through the console. */
const MAX_UPLOAD_BASE64 = 48 * 1024 * 1024;

export const REPORT_TEMPLATE_NAMES = [
  'quarterly',
  'monthly',
  'weekly',
  'daily',
  'investigation',
  'certificate',
] as const;

const reportRecordSchema = z.strictObject({
  id,
  template: z.string(),
  period: z.string().nullable(),
  caseId: id.nullable(),
  title: z.string(),
  path: z.string(),
  createdAt: int,
  createdBy: z.string(),
  sha256: z.string(),
  size: nonNeg,
  signer: z.string().nullable(),
  cited: nonNeg,
});
export type ReportRecordDto = z.infer<typeof reportRecordSchema>;

export const investigationChannels = {
  'cases.list': { input: z.strictObject({}), output: z.array(caseSummarySchema) },
  'cases.get': { input: z.strictObject({ id }), output: caseSchema },
  'cases.create': {
    input: z.strictObject({
      ...caseFields,
      /** Cached entries to bookmark at once (from a selection or a finding). */
      entryIds: z.array(id).max(10_000).optional(),
      reason: text(500).optional(),
    }),
    output: caseSchema,
  },
  'cases.update': {
    input: z.strictObject({ id, ...caseFields, title: caseFields.title.optional() }),
    output: caseSchema,
  },
  'cases.setStatus': {
    input: z.strictObject({ id, status: caseStatusSchema }),
    output: caseSchema,
  },
  'cases.events': {
    input: z.strictObject({ id, query: text(4096).optional() }),
    output: z.array(caseEventSchema),
  },
  'cases.addEvents': {
    input: z.strictObject({
      id,
      entryIds: z.array(id).min(1).max(10_000),
      reason: text(500).optional(),
    }),
    output: z.strictObject({ added: nonNeg, already: nonNeg }),
  },
  'cases.removeEvent': { input: z.strictObject({ id, eventId: id }), output: z.null() },
  'cases.tag': {
    input: z.strictObject({
      id,
      eventIds: z.array(id).min(1).max(10_000),
      tag: text(100),
      remove: z.boolean().optional(),
    }),
    output: z.null(),
  },
  'cases.notes': { input: z.strictObject({ id }), output: z.array(noteSchema) },
  'cases.addNote': {
    input: z.strictObject({ id, body: text(20_000).min(1), eventId: id.nullable().optional() }),
    output: noteSchema,
  },
  'cases.evidence': { input: z.strictObject({ id }), output: z.array(evidenceSchema) },
  'cases.addEvidence': {
    input: z.strictObject({ id, name: text(200).min(1), dataBase64: text(MAX_UPLOAD_BASE64) }),
    output: evidenceSchema,
  },
  /** An evidence file out of the cache, re-hashed first: downloaded (web) or saved (desktop). */
  'cases.saveEvidence': {
    input: z.strictObject({ id, evidenceId: id }),
    output: z.strictObject({ download: z.string().nullable(), path: z.string().nullable() }),
  },
  'cases.timeline': { input: z.strictObject({ id }), output: z.array(timelineSchema) },
  'cases.custody': { input: z.strictObject({ id }), output: z.array(custodySchema) },
  'cases.export': {
    input: z.strictObject({ id }),
    output: z.strictObject({ dir: z.string(), events: nonNeg, evidence: nonNeg, oxum: z.string() }),
  },
  'cases.import': {
    input: z.strictObject({ dir: text(4096).min(1) }),
    output: z.strictObject({
      caseId: id,
      uid: z.string(),
      title: z.string(),
      events: nonNeg,
      evidence: nonNeg,
      trustedByWorkspace: z.array(z.string()),
      trustedByBundleOnly: z.array(z.strictObject({ origin: z.string(), key: z.string() })),
    }),
  },
  'reports.make': {
    input: z.strictObject({
      template: z.enum(REPORT_TEMPLATE_NAMES),
      period: text(20).optional(),
      caseId: id.optional(),
      organisation: text(200).min(1),
      systems: z.array(text(100)).max(50).optional(),
      classification: text(100).min(1),
      version: text(50).min(1),
      signatory: z.strictObject({ name: text(200).min(1), role: text(200).min(1) }).optional(),
      /** The officer's PKCS#12 and its passphrase, for this signature only (never kept). */
      sign: z.strictObject({ p12Base64: text(1 << 20).min(1), passphrase: text(1024) }).optional(),
    }),
    output: z.strictObject({
      record: reportRecordSchema,
      /** Web mode: where the browser downloads the PDF (once, within a minute). */
      download: z.string().nullable(),
    }),
  },
  'reports.history': { input: z.strictObject({}), output: z.array(reportRecordSchema) },
  /** A report's PDF as made (for the preview), checked against the SHA-256 it was made with. */
  'reports.pdf': {
    input: z.strictObject({ id }),
    output: z.strictObject({ base64: z.string() }),
  },
  'detect.run': {
    input: z.strictObject({}),
    output: z.strictObject({ findings: z.array(findingSchema), rules: nonNeg, ms: nonNeg }),
  },
  'journal.list': {
    input: z.strictObject({ limit: int.min(1).max(1000).optional() }),
    output: z.strictObject({
      size: nonNeg,
      origin: z.string().nullable(),
      entries: z.array(journalEntrySchema),
    }),
  },
  'journal.verify': {
    input: z.strictObject({}),
    output: z.strictObject({ ok: z.boolean(), size: nonNeg, problems: z.array(z.string()) }),
  },
} as const;

export type InvestigationChannel = keyof typeof investigationChannels;
