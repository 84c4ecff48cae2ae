/**
 * The rule model: the built-in rules are valid and documented, a bad rule is refused with a
 * message that says what is wrong and where, and the record tests behind the AWS rules judge
 * CloudTrail records correctly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_RULES,
  parseRule,
  parseRules,
  PREDICATES,
  RuleError,
} from '../../main/detect/rules';
import type { JsonValue } from '../../shared/entry/json';
import { REPO } from '../helpers/paths';

const meta = { id: 'x', title: 'A rule', description: 'What it means.', severity: 'high' };
const base = { ...meta, kind: 'match', query: 'action:user.login' };

function problem(rule: unknown): string {
  try {
    parseRule(rule);
  } catch (e) {
    expect(e).toBeInstanceOf(RuleError);
    return (e as Error).message;
  }
  throw new Error('the rule was accepted');
}

describe('the built-in rules', () => {
  it('are valid, with unique kebab-case ids and plain descriptions', () => {
    expect(BUILT_IN_RULES).toHaveLength(15);
    const ids = BUILT_IN_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of BUILT_IN_RULES) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.description.length).toBeGreaterThan(100);
      expect(r.summary).toBeDefined();
      // A built-in rule parses back to itself: it is plain data.
      expect(parseRule(JSON.parse(JSON.stringify(r)))).toEqual(r);
    }
  });

  it('are each described in docs/detections.md', () => {
    const doc = readFileSync(join(REPO, 'docs/detections.md'), 'utf8');
    const documented = [...doc.matchAll(/^### `([a-z0-9-]+)`/gm)].map((m) => m[1]);
    expect(documented).toEqual(BUILT_IN_RULES.map((r) => r.id));
  });
});

describe('a rule that does not fit the model', () => {
  it.each([
    [
      { ...base, id: 'Night_Export' },
      'rule "Night_Export" is not a valid detection rule: id: an id is kebab-case: lower-case letters, digits and single hyphens, like night-bulk-export',
    ],
    [{ ...base, kind: 'frequency' }, 'kind: kind must be match, threshold, sequence or absence'],
    [
      { ...base, query: 'action:(a OR' },
      'query: the query ends where a term was expected at column 13',
    ],
    [
      { ...base, kind: 'threshold', count: 1, window: '1 hour' },
      'count: a threshold counts 2 or more events (use a match rule for 1); window: a duration is a number of ms or text like 90s, 10m, 1h, 30d, 2w',
    ],
    [{ ...base, during: [{ from: '22:00' }] }, 'during.0: give both from and to, or neither'],
    [
      { ...base, during: [{ from: '25:00', to: '06:00' }] },
      'during.0.from: a time of day is HH:MM in UTC, like 22:00',
    ],
    [{ ...base, summary: '{who} did it' }, 'summary: unknown placeholder {who}; use {key}'],
    [{ ...base, threshold: 5 }, '(rule): Unrecognized key: "threshold"'],
    [{ ...base, severity: 'urgent' }, 'severity: Invalid option'],
    [
      { ...base, where: [{ predicate: 'is-evil' }] },
      'where.0: a record test is { differ: [path, path] } or { predicate: aws-public-access-granted',
    ],
    [{ ...base, by: ['actor name'] }, 'by.0: a group-by is a field'],
    [{ ...base, gap: '1h' }, 'gap: gap splits groups: give by too'],
    [
      {
        ...base,
        kind: 'sequence',
        by: ['ip'],
        first: { query: 'outcome:failure', count: 3 },
        then: { query: 'outcome:success' },
        within: '1h',
      },
      'first.window: counting more than one first event needs a window',
    ],
    [
      { ...base, kind: 'absence', by: ['attributes.requestId'], open: { query: 'a' } },
      'close: Invalid input: expected object, received undefined; deadline:',
    ],
    ['a string', 'rule is not a valid detection rule: (rule): Invalid input: expected object'],
  ])('%j is refused', (rule, message) => {
    expect(problem(rule)).toContain(message);
  });

  it('is refused in a list with where it is, and ids must be unique', () => {
    expect(() => parseRules([base, { ...base, id: 'Y' }], 'my-rules.json')).toThrow(
      /^my-rules\.json\[1\] "Y" is not a valid detection rule: id: /,
    );
    expect(() => parseRules([base, base], 'my-rules.json')).toThrow(
      'my-rules.json: the rule id x is used twice',
    );
  });

  it('reads durations as ms or as text with a unit', () => {
    const r = parseRule({
      ...meta,
      kind: 'sequence',
      by: ['ip'],
      first: { query: 'a', count: 2, window: '90s' },
      then: { query: 'b' },
      within: '2w',
      context: { sameAs: ['ip'], before: 1500, after: '1h' },
    });
    expect(r).toMatchObject({
      first: { window: 90_000 },
      within: 14 * 86_400_000,
      context: { query: '', before: 1500, after: 3_600_000 },
    });
  });
});

describe('the record tests', () => {
  const trail = (eventName: string, requestParameters: object, extra: object = {}) => ({
    kind: 'aws.cloudtrail/v1',
    record: {
      eventName,
      recipientAccountId: '111111111111',
      userIdentity: { type: 'IAMUser', accountId: '111111111111', userName: 'alice' },
      requestParameters,
      ...extra,
    },
  });
  const policy = (statement: object) => ({
    bucketName: 'b',
    bucketPolicy: { Version: '2012-10-17', Statement: [statement] },
  });

  it.each([
    [trail('PutBucketPolicy', policy({ Effect: 'Allow', Principal: '*', Action: 's3:*' })), true],
    [trail('PutBucketPolicy', policy({ Effect: 'Allow', Principal: { AWS: ['*'] } })), true],
    [
      trail('PutBucketPolicy', {
        bucketPolicy: JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*' } }),
      }),
      true,
    ],
    [trail('PutBucketPolicy', policy({ Effect: 'Deny', Principal: '*' })), false],
    [
      trail(
        'PutBucketPolicy',
        policy({ Effect: 'Allow', Principal: '*', Condition: { StringEquals: { x: 'y' } } }),
      ),
      false,
    ],
    [
      trail('PutBucketPolicy', policy({ Effect: 'Allow', Principal: '*' }), { errorCode: 'X' }),
      false,
    ],
    [
      trail('PutBucketAcl', {
        AccessControlPolicy: {
          AccessControlList: {
            Grant: [
              {
                Grantee: { URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
                Permission: 'READ',
              },
            ],
          },
        },
      }),
      true,
    ],
    [trail('PutObjectAcl', { 'x-amz-acl': ['public-read'] }), true],
    [trail('PutBucketAcl', { 'x-amz-acl': ['private'] }), false],
    [trail('DeleteBucketPublicAccessBlock', { bucketName: 'b' }), true],
    [
      trail('PutBucketPublicAccessBlock', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: false },
      }),
      true,
    ],
    [
      trail('PutBucketPublicAccessBlock', {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true },
      }),
      false,
    ],
    [{ kind: 'json/v1', record: { eventName: 'DeleteBucketPublicAccessBlock' } }, false],
  ])('aws-public-access-granted %#', (doc, expected) => {
    expect(PREDICATES['aws-public-access-granted'](doc as JsonValue)).toBe(expected);
  });

  it.each([
    [
      trail(
        'PutBucketPolicy',
        policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' } }),
      ),
      true,
    ],
    [
      trail(
        'PutBucketPolicy',
        policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/r' } }),
      ),
      false,
    ],
    [
      trail(
        'PutBucketPolicy',
        policy({ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' } }),
      ),
      false,
    ],
    [
      trail('ModifySnapshotAttribute', {
        createVolumePermission: { add: { items: [{ userId: '222222222222' }] } },
      }),
      true,
    ],
    [
      trail('ModifySnapshotAttribute', {
        createVolumePermission: { add: { items: [{ userId: '111111111111' }] } },
      }),
      false,
    ],
    [
      trail('ModifySnapshotAttribute', {
        createVolumePermission: { remove: { items: [{ userId: '222222222222' }] } },
      }),
      false,
    ],
    [
      trail('ModifyImageAttribute', { launchPermission: { add: { items: [{ group: 'all' }] } } }),
      true,
    ],
    [trail('ModifyDBSnapshotAttribute', { attributeName: 'restore', valuesToAdd: ['all'] }), true],
    [
      trail('ModifyDBSnapshotAttribute', {
        attributeName: 'restore',
        valuesToRemove: ['222222222222'],
      }),
      false,
    ],
  ])('aws-shared-with-other-account %#', (doc, expected) => {
    expect(PREDICATES['aws-shared-with-other-account'](doc as JsonValue)).toBe(expected);
  });

  it.each([
    [
      trail('PutEventSelectors', {
        eventSelectors: [{ readWriteType: 'All', includeManagementEvents: false }],
      }),
      true,
    ],
    [
      trail('PutEventSelectors', {
        eventSelectors: [{ readWriteType: 'ReadOnly', includeManagementEvents: true }],
      }),
      true,
    ],
    [
      trail('PutEventSelectors', {
        eventSelectors: [{ readWriteType: 'All', includeManagementEvents: true }],
      }),
      false,
    ],
  ])('aws-trail-logging-reduced %#', (doc, expected) => {
    expect(PREDICATES['aws-trail-logging-reduced'](doc as JsonValue)).toBe(expected);
  });
});
