/**
 * The AWS rules on real records: the 2,900 CloudTrail events of the Invictus attack simulation.
 * The expected findings were computed from the original delivery files without Custos, by
 * `python3 test/detect/cloudtrailExpected.py ../shared/datasets/cloudtrail-invictus/CloudTrail`
 * (plain filters over Records[]); the test runs it again and compares (python3 is installed by .ci/run).
 * The dataset makes nothing public, so that rule is also run on a few made-up records.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetections, type Finding } from '../../main/detect/engine';
import { BUILT_IN_RULES } from '../../main/detect/rules';
import { custos, tempDir } from '../helpers/cli';
import { CLOUDTRAIL_DIR, cloudTrailFiles, sealCloudTrail } from '../helpers/cloudtrail';
import { REPO } from '../helpers/paths';
import { searchableCache } from '../helpers/search';
import { syntheticCache, type Cache } from './synthetic';

/** Per AWS rule, its findings, each as the times (UTC) and names of its events. */
const EXPECTED: Record<string, string[][]> = {
  'aws-console-login-without-mfa': [['12:23:15 ConsoleLogin']],
  'aws-trail-stopped-or-deleted': [
    ['11:59:02 DeleteTrail'],
    ['12:00:42 StopLogging', '12:01:23 StopLogging', '12:01:27 StopLogging'],
    ['12:08:04 DeleteTrail'],
    ['12:08:04 DeleteTrail'],
  ],
  'aws-trail-logging-reduced': [['12:00:08 PutEventSelectors']],
  'aws-access-key-for-other-user': [['12:24:29 CreateAccessKey'], ['12:24:50 CreateAccessKey']],
  'aws-login-profile-for-other-user': [
    ['12:23:06 CreateLoginProfile'],
    ['12:25:04 CreateLoginProfile'],
  ],
  'aws-policy-attached-to-user': [['12:24:49 AttachUserPolicy']],
  'aws-bucket-made-public': [],
  'aws-resource-shared-outside-account': [
    ['12:11:01 ModifyImageAttribute'],
    ['12:11:28 ModifySnapshotAttribute'],
    ['12:22:06 ModifyDBSnapshotAttribute'],
    ['12:22:41 PutBucketPolicy'],
  ],
};

const AWS_RULES = BUILT_IN_RULES.filter((r) => r.id.startsWith('aws-'));

const shape = (findings: Finding[], rule: string) =>
  findings
    .filter((f) => f.ruleId === rule)
    .map((f) => f.events.map((e) => `${new Date(e.time!).toISOString().slice(11, 19)} ${e.action}`))
    .sort((a, b) => (a.join() < b.join() ? -1 : a.join() > b.join() ? 1 : 0));

describe('the AWS rules on the Invictus CloudTrail records', () => {
  let cache: Cache;
  let findings: Finding[];
  beforeAll(async () => {
    const dir = tempDir('custos-detect-ct-');
    await custos('keygen', '--origin', 'cloudtrail.example/audit', '--out', join(dir, 'ct'));
    const store = join(dir, 'store');
    const r = await sealCloudTrail(store, join(dir, 'ct.key'), cloudTrailFiles());
    expect(r.code, r.stderr).toBe(0);
    cache = await searchableCache(dir, store, join(dir, 'ct.pub'));
    findings = runDetections(cache.search);
  }, 120_000);
  afterAll(() => cache?.cache.close());

  it('covers every AWS rule', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(AWS_RULES.map((r) => r.id).sort());
  });

  it.each(Object.entries(EXPECTED))('%s finds exactly the expected events', (rule, expected) => {
    expect(shape(findings, rule)).toEqual([...expected].sort());
  });

  it('finds nothing with the rules written for Custos events', () => {
    expect(findings.filter((f) => !f.ruleId.startsWith('aws-'))).toEqual([]);
    expect(findings).toHaveLength(15);
  });

  it('says who did what', () => {
    const bert = 'arn:aws:iam::123837392027:user/bert-jan';
    const trail = findings.find((f) => f.key === 'stratus-red-team-ct-stop-trail-qzbgnfqisx')!;
    expect(trail).toMatchObject({
      ruleId: 'aws-trail-stopped-or-deleted',
      severity: 'critical',
      summary: `${bert} tried to stop or delete trail stratus-red-team-ct-stop-trail-qzbgnfqisx: 3 calls, 3 failed, 2023-07-10 12:00 to 12:01 UTC`,
    });
    expect(findings.find((f) => f.ruleId === 'aws-console-login-without-mfa')!.summary).toBe(
      'arn:aws:iam::123837392027:user/stratus-red-team-nmfalu-gfjyeaypjt signed in to the console without MFA from 192.168.10.20 on 2023-07-10 12:23 UTC',
    );
    // The most severe first.
    expect(findings.slice(0, 4).every((f) => f.severity === 'critical')).toBe(true);
  });

  it('agrees with the independent count from the original files', () => {
    const out = execFileSync(
      'python3',
      [join(REPO, 'test/detect/cloudtrailExpected.py'), CLOUDTRAIL_DIR],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });
});

describe('a bucket made public', () => {
  const s3 = (eventName: string, requestParameters: object, extra: object = {}) => ({
    eventVersion: '1.08',
    eventTime: '2026-07-01T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName,
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userIdentity: {
      type: 'IAMUser',
      accountId: '111111111111',
      arn: 'arn:aws:iam::111111111111:user/alice',
      userName: 'alice',
    },
    requestParameters: { bucketName: 'reports', ...requestParameters },
    recipientAccountId: '111111111111',
    ...extra,
  });
  const allUsers = {
    AccessControlPolicy: {
      AccessControlList: {
        Grant: [
          {
            Grantee: {
              'xsi:type': 'Group',
              URI: 'http://acs.amazonaws.com/groups/global/AllUsers',
            },
            Permission: 'READ',
          },
        ],
      },
    },
  };
  const records = [
    s3('PutBucketPolicy', {
      bucketPolicy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] },
    }),
    s3('PutBucketPolicy', {
      bucketPolicy: {
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
          },
        ],
      },
    }),
    s3('PutBucketAcl', allUsers),
    s3('PutBucketAcl', allUsers, { errorCode: 'AccessDenied', errorMessage: 'Access Denied' }),
    s3('PutBucketPublicAccessBlock', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: true,
      },
    }),
    s3('DeleteBucketPublicAccessBlock', {}),
    s3('PutObjectAcl', { key: 'a.csv', 'x-amz-acl': ['private'] }),
  ];
  let cache: Cache;
  beforeAll(async () => {
    cache = await syntheticCache(records, 'cloudtrail');
  });
  afterAll(() => cache?.cache.close());

  it('is found from a public policy, ACL or access block, and not from a narrowed or failed one', () => {
    const findings = runDetections(cache.search, AWS_RULES);
    expect(findings.map((f) => `${f.ruleId} #${f.events[0].index}`)).toEqual([
      'aws-bucket-made-public #0',
      'aws-bucket-made-public #2',
      'aws-bucket-made-public #4',
      'aws-bucket-made-public #5',
    ]);
    expect(findings[0].summary).toBe(
      'arn:aws:iam::111111111111:user/alice made S3 data public (PutBucketPolicy) on 2026-07-01 10:00 UTC',
    );
  });
});
