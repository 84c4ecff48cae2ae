/**
 * Search over real records: the 2,900 CloudTrail events of the Invictus dataset. The expected
 * counts were computed from the original JSON files independently of Custos (a short Python
 * script over Records[]: field equality, and full text as runs of letters and digits).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custos, tempDir } from '../helpers/cli';
import { cloudTrailFiles, sealCloudTrail } from '../helpers/cloudtrail';
import { searchableCache } from '../helpers/search';

let cache: Awaited<ReturnType<typeof searchableCache>>;

beforeAll(async () => {
  const dir = tempDir('custos-ct-search-');
  await custos('keygen', '--origin', 'cloudtrail.example/audit', '--out', join(dir, 'ct'));
  const store = join(dir, 'store');
  const r = await sealCloudTrail(store, join(dir, 'ct.key'), cloudTrailFiles());
  expect(r.code, r.stderr).toBe(0);
  cache = await searchableCache(dir, store, join(dir, 'ct.pub'));
}, 120_000);
afterAll(() => cache?.cache.close());

describe('searching CloudTrail records', () => {
  it.each([
    ['', 2900],
    ['kind:aws.cloudtrail/v1', 2900],
    ['source:ec2.amazonaws.com', 892],
    ['outcome:failure', 300],
    ['_exists_:record.errorCode', 300],
    ['record.errorCode:ThrottlingException', 102],
    ['ip:192.168.10.20', 2154],
    ['actor.type:AssumedRole', 76],
    ['record.awsRegion:us-east-1', 2900],
    ['time:[2023-07-10T12:00 TO 2023-07-10T12:59]', 2102],
    ['time:<2023-07-10T12:00', 798],
    ['action:List*', 258],
    ['action:list*', 258],
    ['record.requestParameters.bucketName:stratus-red-team-ctlr-bucket-zqfsvooxqj', 41],
    ['record.readOnly:false', 574],
    ['record.readOnly:true', 2326],
    ['source:iam.amazonaws.com AND -_exists_:record.errorCode', 393],
    ['AccessDenied', 16],
    ['"stratus red team"', 1934],
    ['throttl*', 102],
    ['ctlr', 51],
    ['decrypt AND kms', 178],
  ])('%s → %i entries', (query, expected) => {
    expect(cache.search.count(query)).toBe(expected);
    // The pages agree with the count.
    let seen = 0;
    let after = null;
    do {
      const page = cache.search.page({ query, limit: 1000, after });
      seen += page.rows.length;
      after = page.next;
    } while (after);
    expect(seen).toBe(expected);
  });

  it('maps the CloudTrail fields and offers them as facets', () => {
    const f = cache.search.facets('outcome:failure', ['source', 'outcome'], 3);
    expect(f.outcome).toEqual([{ value: 'failure', count: 300 }]);
    expect(f.source.length).toBe(3);
    expect(f.source.reduce((n, v) => n + v.count, 0)).toBeLessThanOrEqual(300);
    const h = cache.search.histogram('');
    expect(h.buckets.reduce((n, b) => n + b.count, 0)).toBe(2900);
    expect(h.buckets.length).toBeLessThanOrEqual(100);
  });
});
