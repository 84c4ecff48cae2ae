/**
 * The entry envelopes Custos writes and reads. Every entry is RFC 8785 canonical JSON with a `kind`:
 * - `custos.audit/v1`: an event in Custos's own model (below);
 * - `aws.cloudtrail/v1`: `{kind, record}` with an AWS CloudTrail record kept unchanged;
 * - `json/v1`: `{kind, record}` with any other JSON object kept unchanged.
 */
import { z } from 'zod';
import { MAX_ENTRY_SIZE } from '../tlog/tiles';
import { canonicalJsonBytes, JsonError, parseJsonStrict, type JsonValue } from './json';

export const CATEGORIES = [
  'access',
  'data',
  'communication',
  'transaction',
  'security',
  'privacy',
  'system',
] as const;
export const OUTCOMES = ['success', 'failure', 'unknown'] as const;
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const ACTOR_TYPES = ['user', 'service', 'system', 'anonymous'] as const;

const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(json),
    z.record(z.string(), json),
  ]),
);

/** UTC with milliseconds, e.g. 2026-07-01T08:15:00.000Z */
export const utcMillis = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    'time must be UTC with milliseconds, like 2026-07-01T08:15:00.000Z',
  )
  .refine(
    (t) => !Number.isNaN(Date.parse(t)) && new Date(t).toISOString() === t,
    'time is not a real instant',
  );

const text = (max: number) => z.string().min(1).max(max);

export const actorSchema = z.strictObject({
  id: text(256),
  type: z.enum(ACTOR_TYPES),
  name: text(256).optional(),
  role: text(128).optional(),
  ip: text(64).optional(),
  session: text(256).optional(),
});

export const targetSchema = z.strictObject({
  type: text(128),
  id: text(256),
  name: text(512).optional(),
});

export const subjectSchema = z.strictObject({
  id: text(256),
  type: text(128).optional(),
  name: text(512).optional(),
});

export const changeSchema = z.strictObject({
  field: text(256),
  before: json.optional(),
  after: json.optional(),
});

/** An audit event in Custos's own model (`custos.audit/v1`). */
export const custosAuditSchema = z.strictObject({
  kind: z.literal('custos.audit/v1'),
  /** The event's identifier in its source system. */
  id: text(256),
  time: utcMillis,
  /** The audited system, e.g. `school.lessonline`. */
  source: text(128),
  category: z.enum(CATEGORIES),
  /** Dotted verb, e.g. `user.login`, `customer.export`. */
  action: text(128),
  outcome: z.enum(OUTCOMES),
  actor: actorSchema,
  target: targetSchema.optional(),
  subject: subjectSchema.optional(),
  changes: z.array(changeSchema).max(256).optional(),
  reason: text(4096).optional(),
  severity: z.enum(SEVERITIES),
  attributes: z.record(z.string(), json).optional(),
});
export type CustosAuditEvent = z.infer<typeof custosAuditSchema>;

export const cloudTrailEnvelopeSchema = z.strictObject({
  kind: z.literal('aws.cloudtrail/v1'),
  record: z.record(z.string(), json),
});
export const jsonEnvelopeSchema = z.strictObject({
  kind: z.literal('json/v1'),
  record: z.record(z.string(), json),
});

export const entrySchema = z.discriminatedUnion('kind', [
  custosAuditSchema,
  cloudTrailEnvelopeSchema,
  jsonEnvelopeSchema,
]);
export type Entry = z.infer<typeof entrySchema>;
export type EntryKind = Entry['kind'];

export class EntryError extends Error {
  override name = 'EntryError';
}

function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.length ? issue.path.join('.') : '(entry)';
  return `${path}: ${issue.message}`;
}

/** Validates an envelope and returns its canonical bytes, refusing entries over 65,535 bytes. */
export function encodeEntry(entry: unknown): Uint8Array {
  const result = entrySchema.safeParse(entry);
  if (!result.success) throw new EntryError(describeZodError(result.error));
  const bytes = canonicalJsonBytes(result.data as JsonValue);
  if (bytes.length > MAX_ENTRY_SIZE) {
    throw new EntryError(
      `entry is ${bytes.length} bytes in canonical form; the limit is ${MAX_ENTRY_SIZE}`,
    );
  }
  return bytes;
}

/**
 * Decodes entry bytes strictly: valid UTF-8, strict JSON, a known kind that validates. `canonical`
 * tells whether the bytes are exactly the canonical form (entries written by other tools may not be).
 */
export function decodeEntry(bytes: Uint8Array): { entry: Entry; canonical: boolean } {
  if (bytes.length > MAX_ENTRY_SIZE)
    throw new EntryError(`entry is ${bytes.length} bytes; the limit is ${MAX_ENTRY_SIZE}`);
  let value: JsonValue;
  try {
    value = parseJsonStrict(bytes);
  } catch (e) {
    if (e instanceof JsonError) throw new EntryError(`not strict JSON: ${e.message}`);
    throw e;
  }
  const result = entrySchema.safeParse(value);
  if (!result.success) throw new EntryError(describeZodError(result.error));
  const canonicalBytes = canonicalJsonBytes(value);
  let same = canonicalBytes.length === bytes.length;
  for (let i = 0; same && i < bytes.length; i++) same = canonicalBytes[i] === bytes[i];
  return { entry: result.data, canonical: same };
}
