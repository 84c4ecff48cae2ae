/**
 * Detection rules: what a suspicious pattern looks like, written declaratively in the query
 * language (docs/search.md) plus time windows, group-bys and times of the week, so that a rule is
 * data (JSON) that could be written by a user and checked by {@link parseRule} before it runs.
 * The engine (engine.ts) runs them; docs/detections.md describes the model and every built-in rule.
 *
 * Pure: no I/O, so the console can validate and show rules too.
 */
import { z } from 'zod';
import type { JsonValue } from '../../shared/entry/json';
import { MAX_QUERY_LENGTH, parseQuery, QueryError } from '../../shared/query/parse';

export const RULE_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: MINUTE,
  h: HOUR,
  d: DAY,
  w: 7 * DAY,
};

/** A rule that does not fit the model: every problem, each with where it is. */
export class RuleError extends Error {
  override name = 'RuleError';
}

/** A query of the query language; checked by parsing it, so an error names its column. */
const query = z
  .string()
  .max(MAX_QUERY_LENGTH)
  .superRefine((q, ctx) => {
    try {
      parseQuery(q);
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      // The parser's messages end with the column (`... at column 8`).
      ctx.addIssue({ code: 'custom', message: e.message });
    }
  });

/** A named field (`actor`, `ip`, `subject`) or a path into the entry (`attributes.requestId`). */
const keyName = z
  .string()
  .regex(
    /^[A-Za-z_@][A-Za-z0-9_@-]*(\.[A-Za-z0-9_@-]+)*$/,
    'a group-by is a field (actor, ip, subject) or a path such as attributes.requestId',
  );

/** Milliseconds, or text such as `90s`, `10m`, `1h`, `30d`, `2w`. */
const duration = z
  .union([
    z.number().int('a duration in ms is a whole number').positive('a duration must be positive'),
    z
      .string()
      .regex(
        /^\d{1,9}(ms|s|m|h|d|w)$/,
        'a duration is a number of ms or text like 90s, 10m, 1h, 30d, 2w',
      ),
  ])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const [, n, unit] = /^(\d+)(ms|s|m|h|d|w)$/.exec(v)!;
    return Number(n) * UNIT_MS[unit];
  })
  .refine((ms) => ms > 0, 'a duration must be positive');

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM in UTC, like 22:00');

/**
 * A span of the week, in UTC: the event's own weekday is one of `days` (any, when absent) and its
 * time of day is in [from, to); `from` after `to` wraps past midnight (22:00 to 06:00 is night).
 */
const weekSpan = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    from: clock.optional(),
    to: clock.optional(),
  })
  .refine((s) => (s.from === undefined) === (s.to === undefined), {
    message: 'give both from and to, or neither',
  })
  .refine((s) => s.from === undefined || s.from !== s.to, {
    message: 'from and to are the same time: leave both out for the whole day',
  })
  .refine((s) => s.days !== undefined || s.from !== undefined, {
    message: 'a span of the week needs days, or from and to',
  });

/** Tests that can look at the entry itself, where the query language cannot. */
export const PREDICATE_NAMES = [
  'aws-public-access-granted',
  'aws-shared-with-other-account',
  'aws-trail-logging-reduced',
] as const;
export type PredicateName = (typeof PREDICATE_NAMES)[number];

const recordTest = z.union(
  [
    z.strictObject({
      /** The first path has a value and the second a different one (or none). */
      differ: z.tuple([keyName, keyName]),
    }),
    z.strictObject({ predicate: z.enum(PREDICATE_NAMES) }),
  ],
  {
    error: `a record test is { differ: [path, path] } or { predicate: ${PREDICATE_NAMES.join(' | ')} }`,
  },
);

/** Which events take part: a query, then optionally times of the week and tests on the record. */
const stepFields = {
  query,
  /** Only events in one of these spans of the week (UTC). */
  during: z.array(weekSpan).min(1).optional(),
  /** Only events whose record passes every test. */
  where: z.array(recordTest).min(1).optional(),
};
const step = z.strictObject(stepFields);

const PLACEHOLDER = /\{([a-zA-Z.]+)\}/g;
const EVENT_PLACEHOLDER_FIELDS = [
  'actor',
  'action',
  'ip',
  'target',
  'subject',
  'source',
  'outcome',
];
export const SUMMARY_PLACEHOLDERS = [
  'key',
  'count',
  'failures',
  'firstCount',
  'thenCount',
  'from',
  'to',
  'date',
  'toDate',
  'fromTime',
  'toTime',
  'status',
  'deadlineDays',
  ...EVENT_PLACEHOLDER_FIELDS.flatMap((f) => [`first.${f}`, `last.${f}`]),
];

const summary = z
  .string()
  .min(1)
  .max(500)
  .superRefine((s, ctx) => {
    for (const m of s.matchAll(PLACEHOLDER))
      if (!SUMMARY_PLACEHOLDERS.includes(m[1]))
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder {${m[1]}}; use ${SUMMARY_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
        });
  });

const common = {
  id: z
    .string()
    .max(80)
    .regex(
      /^[a-z0-9]+(-[a-z0-9]+)*$/,
      'an id is kebab-case: lower-case letters, digits and single hyphens, like night-bulk-export',
    ),
  title: z.string().min(1).max(120),
  /** Plain language: what the rule means and why it matters. */
  description: z.string().min(1).max(2000),
  severity: z.enum(RULE_SEVERITIES),
  /** Words to group rules by, e.g. `aws`, `privacy`. */
  tags: z.array(z.string().regex(/^[a-z0-9-]+$/)).optional(),
  /**
   * The finding's sentence, with placeholders (SUMMARY_PLACEHOLDERS): `{key}` the group values,
   * `{count}` the events that matched, `{from}` .. `{to}` their span, `{first.actor}` ...
   */
  summary: summary.optional(),
  /**
   * Events listed with a finding for context: those matching `query` that share the `sameAs`
   * values of the finding's first event, from `before` its first event to `after` its last.
   */
  context: z
    .strictObject({
      query: query.default(''),
      sameAs: z.array(keyName).min(1),
      before: duration.optional(),
      after: duration.optional(),
    })
    .optional(),
};

const matchRule = z.strictObject({
  ...common,
  ...stepFields,
  kind: z.literal('match'),
  /** One finding per value of these (events without a value are left out); else one per event. */
  by: z.array(keyName).min(1).optional(),
  /** With `by`: a group's events more than this apart make separate findings. */
  gap: duration.optional(),
});

const thresholdRule = z.strictObject({
  ...common,
  ...stepFields,
  kind: z.literal('threshold'),
  /** Events are counted per value of these; none: all events together. */
  by: z.array(keyName).optional(),
  /** At least this many events ... */
  count: z.number().int().min(2, 'a threshold counts 2 or more events (use a match rule for 1)'),
  /** ... within a window of this length (both ends included). */
  window: duration,
});

const sequenceRule = z.strictObject({
  ...common,
  kind: z.literal('sequence'),
  by: z.array(keyName).min(1),
  /** At least `count` events of the first step, all within `window` of each other ... */
  first: z.strictObject({
    ...stepFields,
    count: z.number().int().min(1).default(1),
    window: duration.optional(),
  }),
  /** ... then events of this step with the same key, at most `within` after the last of them. */
  then: step,
  within: duration,
  /** An event of this query with the same key in between breaks the sequence. */
  unless: query.optional(),
});

const absenceRule = z.strictObject({
  ...common,
  kind: z.literal('absence'),
  by: z.array(keyName).min(1),
  /** An opening event ... */
  open: step,
  /** ... with no closing event of the same key within `deadline` after it. */
  close: step,
  deadline: duration,
});

export const detectionRuleSchema = z
  .discriminatedUnion('kind', [matchRule, thresholdRule, sequenceRule, absenceRule])
  .superRefine((r, ctx) => {
    if (r.kind === 'match' && r.gap !== undefined && r.by === undefined)
      ctx.addIssue({ code: 'custom', path: ['gap'], message: 'gap splits groups: give by too' });
    if (r.kind === 'sequence' && r.first.count > 1 && r.first.window === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['first', 'window'],
        message: 'counting more than one first event needs a window',
      });
  });

export type DetectionRule = z.output<typeof detectionRuleSchema>;
export type DetectionRuleInput = z.input<typeof detectionRuleSchema>;
export type RuleStep = z.output<typeof step>;
export type RecordTest = z.output<typeof recordTest>;
export type WeekSpan = z.output<typeof weekSpan>;

/** Checks a rule (e.g. read from JSON); a RuleError lists every problem with where it is. */
export function parseRule(input: unknown, where = 'rule'): DetectionRule {
  const parsed = detectionRuleSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const id =
    typeof input === 'object' &&
    input !== null &&
    typeof (input as { id?: unknown }).id === 'string'
      ? ` ${JSON.stringify((input as { id: string }).id)}`
      : '';
  const problems = parsed.error.issues.map((i) => {
    const path = i.path.join('.');
    // A union's message alone ("Invalid input") does not say which kinds exist.
    const message =
      i.code === 'invalid_union' && path === 'kind'
        ? 'kind must be match, threshold, sequence or absence'
        : i.message;
    return `${path || '(rule)'}: ${message}`;
  });
  throw new RuleError(`${where}${id} is not a valid detection rule: ${problems.join('; ')}`);
}

/** Checks a list of rules; ids must be unique. */
export function parseRules(inputs: unknown[], where = 'rules'): DetectionRule[] {
  const rules = inputs.map((r, i) => parseRule(r, `${where}[${i}]`));
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new RuleError(`${where}: the rule id ${r.id} is used twice`);
    seen.add(r.id);
  }
  return rules;
}

// ---------------------------------------------------------------------------------------------
// Record tests

type Obj = { [key: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: JsonValue | undefined): JsonValue[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];

/** The value at a dotted path as text (strings, numbers, booleans), or null. */
export function valueAtPath(doc: JsonValue | undefined, path: string): string | null {
  let v: JsonValue | undefined = doc;
  for (const k of path.split('.')) {
    if (!isObj(v)) return null;
    v = v[k];
  }
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function cloudTrailRecord(doc: JsonValue): Obj | null {
  if (!isObj(doc) || doc.kind !== 'aws.cloudtrail/v1' || !isObj(doc.record)) return null;
  return doc.record;
}

/** A bucket policy as CloudTrail logs it: an object, or the JSON text of one. */
function policyStatements(policy: JsonValue | undefined): Obj[] {
  let p = policy;
  if (typeof p === 'string') {
    try {
      p = JSON.parse(p) as JsonValue;
    } catch {
      return [];
    }
  }
  return isObj(p) ? asArray(p.Statement).filter(isObj) : [];
}

/** The AWS principals a statement allows ('*' for anyone). */
function allowedPrincipals(s: Obj): string[] {
  if (s.Effect !== 'Allow') return [];
  const p = s.Principal;
  if (p === '*') return ['*'];
  if (!isObj(p)) return [];
  return asArray(p.AWS).filter((x): x is string => typeof x === 'string');
}

const PUBLIC_GRANTEES = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;
const PUBLIC_CANNED_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const PUBLIC_ACCESS_BLOCK_FLAGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
];

/** An S3 change that lets anyone read or write: a policy, an ACL, or a public access block. */
function awsPublicAccessGranted(doc: JsonValue): boolean {
  const r = cloudTrailRecord(doc);
  if (!r || r.errorCode) return false;
  const params = isObj(r.requestParameters) ? r.requestParameters : {};
  switch (r.eventName) {
    case 'PutBucketPolicy':
      // Anyone, unconditionally: a Condition usually narrows '*' to a VPC or an organisation.
      return policyStatements(params.bucketPolicy).some(
        (s) => allowedPrincipals(s).includes('*') && s.Condition === undefined,
      );
    case 'PutBucketAcl':
    case 'PutObjectAcl':
      return (
        asArray(params['x-amz-acl']).some(
          (a) => typeof a === 'string' && PUBLIC_CANNED_ACLS.has(a),
        ) || PUBLIC_GRANTEES.test(JSON.stringify(params))
      );
    case 'DeleteBucketPublicAccessBlock':
    case 'DeleteAccountPublicAccessBlock':
      return true;
    case 'PutBucketPublicAccessBlock':
    case 'PutAccountPublicAccessBlock': {
      const c = params.PublicAccessBlockConfiguration;
      return isObj(c) && PUBLIC_ACCESS_BLOCK_FLAGS.some((f) => c[f] === false);
    }
    default:
      return false;
  }
}

/** An account id in a principal: `123456789012`, or the one in an ARN. */
const accountOf = (principal: string) => /^(\d{12})$|^arn:aws[\w-]*:iam::(\d{12}):/.exec(principal);

/**
 * A resource opened to another AWS account (or everyone): a bucket policy allowing a foreign
 * principal, an EBS snapshot's or an AMI's permissions extended, an RDS snapshot shared.
 */
function awsSharedWithOtherAccount(doc: JsonValue): boolean {
  const r = cloudTrailRecord(doc);
  if (!r || r.errorCode) return false;
  const own =
    (typeof r.recipientAccountId === 'string' && r.recipientAccountId) ||
    (isObj(r.userIdentity) && typeof r.userIdentity.accountId === 'string'
      ? r.userIdentity.accountId
      : null);
  const foreign = (principal: string) => {
    const m = accountOf(principal);
    return m !== null && (m[1] ?? m[2]) !== own;
  };
  const params = isObj(r.requestParameters) ? r.requestParameters : {};
  const added = (v: JsonValue | undefined) => {
    const add = isObj(v) && isObj(v.add) ? asArray(v.add.items).filter(isObj) : [];
    return add.some(
      (i) => (typeof i.userId === 'string' && foreign(i.userId)) || i.group === 'all',
    );
  };
  switch (r.eventName) {
    case 'PutBucketPolicy':
      return policyStatements(params.bucketPolicy).some((s) => allowedPrincipals(s).some(foreign));
    case 'ModifySnapshotAttribute':
      return added(params.createVolumePermission);
    case 'ModifyImageAttribute':
      return added(params.launchPermission);
    case 'ModifyDBSnapshotAttribute':
    case 'ModifyDBClusterSnapshotAttribute':
      return asArray(params.valuesToAdd).some(
        (v) => typeof v === 'string' && (v === 'all' || foreign(v)),
      );
    default:
      return false;
  }
}

/** Event selectors that stop a trail recording management events, or writes. */
function awsTrailLoggingReduced(doc: JsonValue): boolean {
  const r = cloudTrailRecord(doc);
  if (!r || r.errorCode || r.eventName !== 'PutEventSelectors') return false;
  const params = isObj(r.requestParameters) ? r.requestParameters : {};
  return asArray(params.eventSelectors)
    .filter(isObj)
    .some((s) => s.includeManagementEvents === false || s.readWriteType === 'ReadOnly');
}

export const PREDICATES: Record<PredicateName, (doc: JsonValue) => boolean> = {
  'aws-public-access-granted': awsPublicAccessGranted,
  'aws-shared-with-other-account': awsSharedWithOtherAccount,
  'aws-trail-logging-reduced': awsTrailLoggingReduced,
};

// ---------------------------------------------------------------------------------------------
// The built-in rules

const CLOUDTRAIL = 'kind:aws.cloudtrail/v1';

const BUILT_IN: DetectionRuleInput[] = [
  {
    id: 'exports-at-night',
    title: 'Several exports by one person at night',
    description:
      'Three or more exports (any action ending in .export) by the same actor within an hour, ' +
      'between 22:00 and 06:00 UTC. Exports copy personal data out of the system; people export ' +
      'in working hours, so a run of them at night is how a departing employee or a stolen ' +
      'session takes data. The sign-in and sign-out around them are listed for context.',
    severity: 'high',
    tags: ['data', 'exfiltration'],
    kind: 'threshold',
    query: 'action:*.export',
    during: [{ from: '22:00', to: '06:00' }],
    by: ['actor'],
    count: 3,
    window: '1h',
    summary: '{key} made {count} exports between {fromTime} and {toTime} UTC on {date}',
    context: {
      query: 'action:(user.login OR user.logout)',
      sameAs: ['actor'],
      before: '1h',
      after: '1h',
    },
  },
  {
    id: 'failed-logins-then-success',
    title: 'A burst of failed logins, then a success from the same address',
    description:
      'Five or more failed logins from one address within ten minutes, followed within an hour ' +
      'by a successful login from that address. Guessing passwords (brute force, credential ' +
      'stuffing) looks like this, and the success means the guess worked. What the new session ' +
      'did in the following hour is listed for context.',
    severity: 'high',
    tags: ['access', 'account-takeover'],
    kind: 'sequence',
    by: ['ip'],
    first: { query: 'action:user.login AND outcome:failure', count: 5, window: '10m' },
    then: { query: 'action:user.login AND outcome:success' },
    within: '1h',
    summary:
      '{firstCount} failed logins from {key} starting at {fromTime} UTC on {date}, then a ' +
      'successful login as {last.actor} at {toTime}',
    context: { query: '', sameAs: ['ip'], after: '1h' },
  },
  {
    id: 'privilege-change-without-ticket',
    title: 'Role change or permission grant without a change ticket',
    description:
      'A role change or permission grant that carries no change ticket ' +
      '(attributes.changeTicket). Privileges are changed through change management; a change ' +
      'without a ticket was not approved, and raising an account to admin is the usual step ' +
      'before abusing it. Changes by one actor less than an hour apart make one finding; the ' +
      "actor's sign-in before them is listed for context.",
    severity: 'high',
    tags: ['security', 'privilege'],
    kind: 'match',
    query:
      'category:security AND action:(user.role.change OR permission.grant) AND -_exists_:attributes.changeTicket',
    by: ['actor'],
    gap: '1h',
    summary: '{key} made {count} privilege changes without a change ticket, {from} to {toTime} UTC',
    context: { query: 'action:user.login', sameAs: ['actor'], before: '1h' },
  },
  {
    id: 'privilege-change-outside-hours',
    title: 'Role change or permission grant outside working hours',
    description:
      'A role change or permission grant at night (19:00 to 07:00 UTC) or at a weekend. Such ' +
      'changes are planned for working hours; one made when nobody is watching deserves a look ' +
      'even when it has a ticket. Changes by one actor less than an hour apart make one finding.',
    severity: 'medium',
    tags: ['security', 'privilege'],
    kind: 'match',
    query: 'category:security AND action:(user.role.change OR permission.grant)',
    during: [{ from: '19:00', to: '07:00' }, { days: ['sat', 'sun'] }],
    by: ['actor'],
    gap: '1h',
    summary: '{key} made {count} privilege changes outside working hours, {from} to {toTime} UTC',
    context: { query: 'action:user.login', sameAs: ['actor'], before: '1h' },
  },
  {
    id: 'marketing-after-consent-withdrawal',
    title: 'Marketing sent after consent was withdrawn',
    description:
      'A marketing message (attributes.kind marketing) sent to a data subject after that subject ' +
      'withdrew consent, with no new consent in between. Marketing without consent breaks ' +
      'POPIA s69 and GDPR art. 21 and is what regulators fine most often; it usually means a ' +
      'campaign used a stale audience list. Transactional messages are not counted: they do not ' +
      'need marketing consent.',
    severity: 'high',
    tags: ['privacy', 'consent'],
    kind: 'sequence',
    by: ['subject'],
    first: { query: 'action:consent.withdraw' },
    then: { query: 'category:communication AND attributes.kind:marketing' },
    unless: 'action:consent.give',
    within: '365d',
    summary:
      '{thenCount} marketing messages to {key} after consent was withdrawn on {date}, the last on {toDate}',
    context: { query: 'action:consent.give', sameAs: ['subject'], before: '365d' },
  },
  {
    id: 'data-subject-request-overdue',
    title: 'Data-subject request not closed within 30 days',
    description:
      'A data-subject request (dsr.open, gdpr.erasure.request) with no closing event ' +
      '(dsr.close, client.erase) of the same attributes.requestId within 30 days, judged at the ' +
      'end of the data. POPIA and GDPR give one month to answer; an erasure left open keeps ' +
      'personal data the organisation must no longer hold. Every event of the request is listed.',
    severity: 'high',
    tags: ['privacy', 'data-subject-rights'],
    kind: 'absence',
    by: ['attributes.requestId'],
    open: { query: 'category:privacy AND action:(dsr.open OR gdpr.erasure.request)' },
    close: { query: 'action:(dsr.close OR client.erase)' },
    deadline: '30d',
    summary: 'request {key}, opened on {date} by {first.actor}, {status}',
    context: { query: '', sameAs: ['attributes.requestId'], after: '30d' },
  },
  {
    id: 'student-record-deleted-without-approval',
    title: 'Student record deleted without approval',
    description:
      'A student record deleted (student.delete) without an approval (attributes.approvalId). ' +
      "Deleting a learner's record needs the principal's approval and keeps an archive; a " +
      'deletion without one may destroy records the school must keep, or hide something. What ' +
      'the same person did to the same student in the hour before is listed for context.',
    severity: 'high',
    tags: ['data', 'retention'],
    kind: 'match',
    query: 'action:student.delete AND -_exists_:attributes.approvalId',
    summary: '{first.actor} deleted the record of {first.subject} without approval on {from} UTC',
    context: { query: '', sameAs: ['actor', 'subject'], before: '1h' },
  },

  // AWS CloudTrail
  {
    id: 'aws-console-login-without-mfa',
    title: 'AWS console sign-in without MFA',
    description:
      'A successful AWS console sign-in by an IAM user or the root user without multi-factor ' +
      'authentication (additionalEventData.MFAUsed No). A password alone is easily phished or ' +
      'reused; console users should have MFA, and a new user signing in without it is often an ' +
      'attacker using credentials they just created.',
    severity: 'medium',
    tags: ['aws', 'access'],
    kind: 'match',
    query: `${CLOUDTRAIL} AND action:ConsoleLogin AND actor.type:(IAMUser OR Root) AND record.responseElements.ConsoleLogin:Success AND record.additionalEventData.MFAUsed:No`,
    summary: '{first.actor} signed in to the console without MFA from {first.ip} on {from} UTC',
  },
  {
    id: 'aws-trail-stopped-or-deleted',
    title: 'CloudTrail logging stopped or a trail deleted',
    description:
      'StopLogging or DeleteTrail, successful or not, one finding per trail. Turning off the ' +
      'audit trail is how an attacker hides what comes next; even a failed attempt shows intent.',
    severity: 'critical',
    tags: ['aws', 'defence-evasion'],
    kind: 'match',
    query: `${CLOUDTRAIL} AND source:cloudtrail.amazonaws.com AND action:(StopLogging OR DeleteTrail)`,
    by: ['record.requestParameters.name'],
    summary:
      '{first.actor} tried to stop or delete trail {key}: {count} calls, {failures} failed, {from} to {toTime} UTC',
  },
  {
    id: 'aws-trail-logging-reduced',
    title: 'CloudTrail event selectors reduced',
    description:
      'PutEventSelectors that stops a trail recording management events or write events. The ' +
      'trail keeps running, so it looks healthy, but the actions an attacker cares about are no ' +
      'longer logged.',
    severity: 'high',
    tags: ['aws', 'defence-evasion'],
    kind: 'match',
    query: `${CLOUDTRAIL} AND action:PutEventSelectors AND -outcome:failure`,
    where: [{ predicate: 'aws-trail-logging-reduced' }],
    summary: '{first.actor} reduced what a trail records on {from} UTC',
  },
  {
    id: 'aws-access-key-for-other-user',
    title: 'AWS access key created for another user',
    description:
      'CreateAccessKey where the key is for a different IAM user than the caller ' +
      '(requestParameters.userName differs from userIdentity.userName). Users create their own ' +
      'keys; creating one for someone else gives the caller a second, quieter identity (a ' +
      'persistence technique).',
    severity: 'high',
    tags: ['aws', 'persistence'],
    kind: 'match',
    query: `${CLOUDTRAIL} AND action:CreateAccessKey AND -outcome:failure`,
    where: [{ differ: ['record.requestParameters.userName', 'record.userIdentity.userName'] }],
    summary: '{first.actor} created an access key for another user on {from} UTC',
  },
  {
    id: 'aws-login-profile-for-other-user',
    title: 'AWS console password set for another user',
    description:
      'CreateLoginProfile or UpdateLoginProfile for a different IAM user than the caller. ' +
      'Giving another user a console password (or changing theirs) lets the caller sign in as ' +
      'them.',
    severity: 'high',
    tags: ['aws', 'persistence'],
    kind: 'match',
    query: `${CLOUDTRAIL} AND source:iam.amazonaws.com AND action:(CreateLoginProfile OR UpdateLoginProfile) AND -outcome:failure`,
    where: [{ differ: ['record.requestParameters.userName', 'record.userIdentity.userName'] }],
    summary: '{first.actor} set a console password for another user on {from} UTC',
  },
  {
    id: 'aws-policy-attached-to-user',
    title: 'AWS policy attached to a user',
    description:
      'AttachUserPolicy or PutUserPolicy. Permissions belong on groups and roles; a policy put ' +
      'straight on a user (often AdministratorAccess) is a classic privilege escalation and ' +
      'escapes the reviews that groups get.',
    severity: 'high',
    tags: ['aws', 'privilege'],
    kind: 'match',
    query: `${CLOUDTRAIL} AND source:iam.amazonaws.com AND action:(AttachUserPolicy OR PutUserPolicy) AND -outcome:failure`,
    summary: '{first.actor} attached a policy to a user on {from} UTC',
  },
  {
    id: 'aws-bucket-made-public',
    title: 'S3 bucket or object made public',
    description:
      'A bucket policy allowing anyone (Principal *) without a condition, an ACL granting ' +
      'AllUsers or AuthenticatedUsers (or a public canned ACL), or a public access block removed ' +
      'or weakened. Public buckets are the most common cause of cloud data leaks.',
    severity: 'critical',
    tags: ['aws', 'exposure'],
    kind: 'match',
    query: `${CLOUDTRAIL} AND source:s3.amazonaws.com AND action:(PutBucketPolicy OR PutBucketAcl OR PutObjectAcl OR DeleteBucketPublicAccessBlock OR PutBucketPublicAccessBlock OR DeleteAccountPublicAccessBlock OR PutAccountPublicAccessBlock) AND -outcome:failure`,
    where: [{ predicate: 'aws-public-access-granted' }],
    summary: '{first.actor} made S3 data public ({first.action}) on {from} UTC',
  },
  {
    id: 'aws-resource-shared-outside-account',
    title: 'AWS resource shared with another account',
    description:
      'A bucket policy allowing a principal of another AWS account, or an EBS snapshot, AMI or ' +
      'RDS snapshot shared with another account or with everyone. Sharing a snapshot or a ' +
      'bucket with an account the attacker owns is a quiet way to copy data out.',
    severity: 'high',
    tags: ['aws', 'exfiltration'],
    kind: 'match',
    query: `${CLOUDTRAIL} AND action:(PutBucketPolicy OR ModifySnapshotAttribute OR ModifyImageAttribute OR ModifyDBSnapshotAttribute OR ModifyDBClusterSnapshotAttribute) AND -outcome:failure`,
    where: [{ predicate: 'aws-shared-with-other-account' }],
    summary: '{first.actor} shared a resource with another account ({first.action}) on {from} UTC',
  },
];

/** The rules Custos ships with, checked when this module loads. */
export const BUILT_IN_RULES: readonly DetectionRule[] = parseRules(BUILT_IN, 'BUILT_IN_RULES');
