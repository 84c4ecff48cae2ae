/**
 * The searchable fields of an entry, whatever its kind. `custos.audit/v1` maps directly; CloudTrail
 * records map their well-known fields; other JSON records are searched for common field names.
 */
import type { JsonValue } from './json';
import type { Entry } from './model';

export interface NormalizedFields {
  kind: string;
  /** Milliseconds since the epoch (UTC), or null when the record has no recognisable time. */
  time: number | null;
  source: string | null;
  category: string | null;
  action: string | null;
  outcome: string | null;
  actor: string | null;
  actorType: string | null;
  actorRole: string | null;
  ip: string | null;
  target: string | null;
  targetType: string | null;
  subject: string | null;
  severity: string | null;
}

const EMPTY: Omit<NormalizedFields, 'kind'> = {
  time: null,
  source: null,
  category: null,
  action: null,
  outcome: null,
  actor: null,
  actorType: null,
  actorRole: null,
  ip: null,
  target: null,
  targetType: null,
  subject: null,
  severity: null,
};

type Obj = { [key: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: JsonValue | undefined): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;

function parseTime(v: JsonValue | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v))
    return v > 1e11 ? Math.round(v) : Math.round(v * 1000);
  if (typeof v !== 'string') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/** CloudTrail's service and event name, e.g. `s3.amazonaws.com` and `GetObject`. */
function cloudTrail(r: Obj): Omit<NormalizedFields, 'kind'> {
  const identity = isObj(r.userIdentity) ? r.userIdentity : {};
  const sessionIssuer =
    isObj(identity.sessionContext) && isObj(identity.sessionContext.sessionIssuer)
      ? identity.sessionContext.sessionIssuer
      : {};
  const resources = Array.isArray(r.resources) ? r.resources.filter(isObj) : [];
  const firstResource = resources[0];
  const errorCode = str(r.errorCode);
  return {
    ...EMPTY,
    time: parseTime(r.eventTime),
    source: str(r.eventSource),
    category: str(r.eventCategory),
    action: str(r.eventName),
    outcome: errorCode ? 'failure' : 'success',
    actor:
      str(identity.arn) ??
      str(identity.userName) ??
      str(sessionIssuer.userName) ??
      str(identity.principalId) ??
      str(identity.invokedBy),
    actorType: str(identity.type),
    actorRole: str(sessionIssuer.userName),
    ip: str(r.sourceIPAddress),
    target: firstResource ? str(firstResource.ARN) : null,
    targetType: firstResource ? str(firstResource.type) : null,
    severity: errorCode ? 'low' : 'info',
  };
}

const TIME_KEYS = [
  'time',
  'timestamp',
  '@timestamp',
  'eventTime',
  'event_time',
  'ts',
  'date',
  'created_at',
  'createdAt',
];
const ACTOR_KEYS = [
  'actor',
  'user',
  'userName',
  'username',
  'user_id',
  'userId',
  'principal',
  'account',
];
const ACTION_KEYS = [
  'action',
  'event',
  'eventName',
  'event_type',
  'eventType',
  'type',
  'operation',
];
const IP_KEYS = [
  'ip',
  'sourceIp',
  'source_ip',
  'sourceIPAddress',
  'client_ip',
  'clientIp',
  'remote_addr',
];

function firstOf(r: Obj, keys: string[], pick: (v: JsonValue) => string | null): string | null {
  for (const k of keys) {
    const v = r[k];
    if (v === undefined) continue;
    const s = isObj(v) ? (str(v.id) ?? str(v.name)) : pick(v);
    if (s) return s;
  }
  return null;
}

function genericJson(r: Obj): Omit<NormalizedFields, 'kind'> {
  let time: number | null = null;
  for (const k of TIME_KEYS) if ((time = parseTime(r[k])) !== null) break;
  return {
    ...EMPTY,
    time,
    source: str(r.source) ?? str(r.service),
    action: firstOf(r, ACTION_KEYS, str),
    outcome: str(r.outcome) ?? str(r.status) ?? str(r.result),
    actor: firstOf(r, ACTOR_KEYS, str),
    ip: firstOf(r, IP_KEYS, str),
    severity: str(r.severity) ?? str(r.level),
  };
}

export function normalizeEntry(entry: Entry): NormalizedFields {
  switch (entry.kind) {
    case 'custos.audit/v1':
      return {
        kind: entry.kind,
        time: Date.parse(entry.time),
        source: entry.source,
        category: entry.category,
        action: entry.action,
        outcome: entry.outcome,
        actor: entry.actor.id,
        actorType: entry.actor.type,
        actorRole: entry.actor.role ?? null,
        ip: entry.actor.ip ?? null,
        target: entry.target?.id ?? null,
        targetType: entry.target?.type ?? null,
        subject: entry.subject?.id ?? null,
        severity: entry.severity,
      };
    case 'aws.cloudtrail/v1':
      return { kind: entry.kind, ...cloudTrail(entry.record) };
    case 'json/v1':
      return { kind: entry.kind, ...genericJson(entry.record) };
  }
}

/**
 * The same fields straight from a strictly parsed value, without schema validation: for entries a
 * verified log already holds (sync), where every field is read defensively and a malformed entry
 * is still stored, with whatever fields it does have.
 */
export function normalizeValue(value: JsonValue): NormalizedFields {
  if (!isObj(value) || typeof value.kind !== 'string') return undecodableFields();
  const kind = value.kind.slice(0, 128);
  if (kind === 'aws.cloudtrail/v1' && isObj(value.record))
    return { kind, ...cloudTrail(value.record) };
  if (kind === 'json/v1' && isObj(value.record)) return { kind, ...genericJson(value.record) };
  if (kind !== 'custos.audit/v1') return { kind, ...genericJson(value) };
  const actor = isObj(value.actor) ? value.actor : {};
  const target = isObj(value.target) ? value.target : {};
  const subject = isObj(value.subject) ? value.subject : {};
  return {
    kind,
    time: parseTime(value.time),
    source: str(value.source),
    category: str(value.category),
    action: str(value.action),
    outcome: str(value.outcome),
    actor: str(actor.id),
    actorType: str(actor.type),
    actorRole: str(actor.role),
    ip: str(actor.ip),
    target: str(target.id),
    targetType: str(target.type),
    subject: str(subject.id),
    severity: str(value.severity),
  };
}

/** Fields of an entry that could not be decoded: it is kept, verified, and marked. */
export function undecodableFields(): NormalizedFields {
  return { kind: 'invalid', ...EMPTY };
}
