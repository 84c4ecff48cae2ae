/**
 * The IPC contract between the console (renderer) and the services (main): every operation as a
 * channel with a zod schema for its input and its output, and the event streams. Electron's IPC and
 * web mode's HTTP carry exactly these messages; main validates every input and the renderer every
 * output. Results are envelopes: handlers return errors rather than throw across the boundary.
 */
import { z } from 'zod';
import type { ChannelListName } from './channels';
import { investigationChannels } from './investigationsContract';
import { searchRowSchema, type SearchRowDto } from './rows';

const int = z.number().int().safe();
const nonNeg = int.nonnegative();
const text = (max: number) => z.string().max(max);

export const cursorSchema = z.strictObject({ key: int.nullable(), id: int });

export { searchRowSchema, type SearchRowDto };

const query = text(4096);

const pageInput = z.strictObject({
  query,
  sort: z.enum(['time', 'index']).optional(),
  order: z.enum(['asc', 'desc']).optional(),
  limit: int.min(1).max(1000).optional(),
  after: cursorSchema.nullable().optional(),
  offset: nonNeg.max(1e12).optional(),
});

const logSchema = z.strictObject({
  origin: z.string(),
  entries: nonNeg,
  /** The size of the newest checkpoint accepted (verified and complete), or 0. */
  verifiedSize: nonNeg,
  checkpointTime: int.nullable(),
  rootHash: z.string().nullable(),
});

const sourceSchema = z.strictObject({
  id: nonNeg,
  location: z.string(),
  origin: z.string().nullable(),
  lastSyncAt: int.nullable(),
  lastStatus: z.string().nullable(),
  lastError: z.string().nullable(),
});

const alarmSchema = z.strictObject({
  id: nonNeg,
  origin: z.string().nullable(),
  source: z.string().nullable(),
  kind: z.string(),
  message: z.string(),
  evidence: z.string(),
  createdAt: int,
  acknowledgedAt: int.nullable(),
});

const savedSearchSchema = z.strictObject({
  id: nonNeg,
  name: z.string(),
  query: z.string(),
  sort: z.string(),
  createdAt: int,
  updatedAt: int,
});

const proofSchema = z.strictObject({
  /** Whether the inclusion proof verified against the checkpoint just now. */
  verified: z.boolean(),
  /** The proof (c2sp.org/tlog-proof), when it could be made. */
  text: z.string().nullable(),
  checkpointSize: nonNeg.nullable(),
  rootHash: z.string().nullable(),
  problem: z.string().nullable(),
});

const verifyReportSchema = z.strictObject({
  ok: z.boolean(),
  logs: z.array(
    z.strictObject({
      origin: z.string(),
      entries: nonNeg,
      checkpoints: nonNeg,
      ok: z.boolean(),
    }),
  ),
  problems: z.array(
    z.strictObject({ origin: z.string(), entry: nonNeg.nullable(), message: z.string() }),
  ),
});

const syncResultSchema = z.strictObject({
  results: z.array(
    z.strictObject({
      location: z.string(),
      ok: z.boolean(),
      origin: z.string().nullable(),
      newEntries: nonNeg,
      size: nonNeg,
      message: z.string(),
    }),
  ),
});

export const channels = {
  'app.overview': {
    input: z.strictObject({}),
    output: z.strictObject({
      cache: z.string(),
      logs: z.array(logSchema),
      sources: z.array(sourceSchema),
      openAlarms: nonNeg,
      /** Entries per day over the whole cache, for the activity timeline. */
      activity: z.array(z.strictObject({ start: int, count: nonNeg })),
    }),
  },
  'search.page': {
    input: pageInput,
    output: z.strictObject({ rows: z.array(searchRowSchema), next: cursorSchema.nullable() }),
  },
  'search.count': { input: z.strictObject({ query }), output: nonNeg },
  'search.facets': {
    input: z.strictObject({
      query,
      fields: z.array(text(64)).min(1).max(20),
      limit: int.min(1).max(100).optional(),
    }),
    output: z.record(z.string(), z.array(z.strictObject({ value: z.string(), count: nonNeg }))),
  },
  'search.histogram': {
    input: z.strictObject({
      query,
      from: int.optional(),
      to: int.optional(),
      target: int.min(1).max(2000).optional(),
    }),
    output: z.strictObject({
      bucketMs: int.positive(),
      buckets: z.array(z.strictObject({ start: int, count: nonNeg })),
    }),
  },
  'search.entry': {
    input: z.strictObject({ id: nonNeg }),
    output: z.strictObject({
      row: searchRowSchema,
      /** The entry's bytes as text (canonical JSON), exactly as logged. */
      entry: z.string(),
      leafHash: z.string(),
      proof: proofSchema,
    }),
  },
  'search.saved.list': { input: z.strictObject({}), output: z.array(savedSearchSchema) },
  'search.saved.save': {
    input: z.strictObject({ name: text(200), query, sort: text(32).optional() }),
    output: savedSearchSchema,
  },
  'search.saved.delete': { input: z.strictObject({ name: text(200) }), output: z.boolean() },
  'search.history': {
    input: z.strictObject({ limit: int.min(1).max(500).optional() }),
    output: z.array(z.strictObject({ query: z.string(), ranAt: int, total: nonNeg.nullable() })),
  },
  'search.remember': {
    input: z.strictObject({ query, total: nonNeg.nullable() }),
    output: z.null(),
  },
  'search.export': {
    input: z.strictObject({
      query,
      format: z.enum(['csv', 'jsonl']),
      proofs: z.boolean().optional(),
      sort: z.enum(['time', 'index']).optional(),
      order: z.enum(['asc', 'desc']).optional(),
    }),
    output: z.discriminatedUnion('kind', [
      /** Desktop: written to the file the user chose. */
      z.strictObject({ kind: z.literal('file'), path: z.string(), rows: nonNeg }),
      /** Web mode: a one-time address the browser downloads it from. */
      z.strictObject({ kind: z.literal('download'), url: z.string().startsWith('/api/download/') }),
    ]),
  },
  'alarms.list': { input: z.strictObject({}), output: z.array(alarmSchema) },
  'alarms.acknowledge': { input: z.strictObject({ id: nonNeg }), output: z.boolean() },
  'sync.run': {
    input: z.strictObject({ locations: z.array(text(2048)).max(64).optional() }),
    output: syncResultSchema,
  },
  'sync.cancel': { input: z.strictObject({}), output: z.boolean() },
  'sync.history': {
    input: z.strictObject({ limit: int.min(1).max(500).optional() }),
    output: z.array(
      z.strictObject({
        location: z.string(),
        at: int,
        status: z.string(),
        message: z.string().nullable(),
      }),
    ),
  },
  'sources.add': {
    input: z.strictObject({ location: text(2048).min(1) }),
    output: z.array(sourceSchema),
  },
  'sources.edit': {
    input: z.strictObject({ id: nonNeg, location: text(2048).min(1) }),
    output: z.array(sourceSchema),
  },
  'sources.remove': {
    input: z.strictObject({ id: nonNeg }),
    output: z.array(sourceSchema),
  },
  'sources.test': {
    input: z.strictObject({ location: text(2048).min(1) }),
    output: z.strictObject({
      ok: z.boolean(),
      origin: z.string().nullable(),
      size: nonNeg.nullable(),
      message: z.string(),
    }),
  },
  'trust.set': {
    input: z.strictObject({ text: text(65536).min(1) }),
    output: z.strictObject({ logs: z.array(z.string()), witnesses: z.array(z.string()) }),
  },
  'trust.get': {
    input: z.strictObject({}),
    output: z.strictObject({
      text: z.string().nullable(),
      logs: z.array(z.string()),
      witnesses: z.array(z.string()),
      quorum: z.string().nullable(),
    }),
  },
  'verify.run': { input: z.strictObject({}), output: verifyReportSchema },
  'verify.cancel': { input: z.strictObject({}), output: z.boolean() },
  'verify.checkpoints': {
    input: z.strictObject({}),
    output: z.array(
      z.strictObject({
        origin: z.string(),
        size: nonNeg,
        rootHash: z.string(),
        acceptedAt: int,
        witnesses: nonNeg,
      }),
    ),
  },
  ...investigationChannels,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type Input<C extends ChannelName> = z.input<Channels[C]['input']>;
export type Output<C extends ChannelName> = z.output<Channels[C]['output']>;

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

// The preload's list of names (channels.ts) must be exactly these: checked by the compiler.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesAgree: Same<ChannelName, ChannelListName> = true;
void namesAgree;

export function isChannel(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

/** The kinds of error a channel returns. */
export type ErrorKind = 'bad-request' | 'query' | 'not-found' | 'failed' | 'forbidden';

export interface IpcError {
  kind: ErrorKind;
  message: string;
  /** For a query error: the 1-based column at fault. */
  column?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Events main sends to the console. */
export const events = {
  'sync.progress': z.strictObject({
    location: z.string(),
    done: nonNeg,
    total: nonNeg.nullable(),
  }),
  'verify.progress': z.strictObject({ origin: z.string(), done: nonNeg, total: nonNeg }),
  'alarm.raised': z.strictObject({ message: z.string() }),
  'report.progress': z.strictObject({ step: z.string() }),
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** What the console calls: one typed function per channel. */
export type ConsoleApi = {
  [C in ChannelName]: (input: Input<C>) => Promise<Result<Output<C>>>;
};
