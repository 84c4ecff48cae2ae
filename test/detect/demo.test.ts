/**
 * The built-in rules on the demo store, at two sizes and seeds: each planted incident of
 * docs/demo.md is found, its finding lists exactly the incident's events, and nothing else is
 * found (no false positive). Then `custos detect` on the smaller store: exit codes and --json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetections, type Finding } from '../../main/detect/engine';
import { BUILT_IN_RULES } from '../../main/detect/rules';
import { DEMO_INCIDENTS } from '../../main/demo/generateDemo';
import { custos, tempDir } from '../helpers/cli';
import { REPO } from '../helpers/paths';
import { searchableCache } from '../helpers/search';

const TRUST = join(REPO, 'resources/demo/demo.pub');

/** Which rule finds which incident (a rule may not find any other). */
const EXPECTED: Record<string, string[]> = {
  'exports-at-night': ['night-bulk-export'],
  'failed-logins-then-success': ['brute-force-new-country'],
  'privilege-change-without-ticket': ['privilege-escalation'],
  'privilege-change-outside-hours': ['privilege-escalation'],
  'marketing-after-consent-withdrawal': ['messages-after-consent-withdrawal'],
  'data-subject-request-overdue': ['erasure-request-overdue'],
  'student-record-deleted-without-approval': ['student-delete-without-approval'],
};

async function demoCache(size: number, seed: number) {
  const dir = tempDir('custos-detect-demo-');
  const store = join(dir, 'store');
  const r = await custos('demo', '--out', store, '--size', String(size), '--seed', String(seed));
  expect(r.code, r.stderr).toBe(0);
  return { dir, ...(await searchableCache(dir, store, TRUST)) };
}

describe.each([
  { size: 20_000, seed: 1 },
  { size: 6_000, seed: 7 },
])('the built-in rules on a demo store of $size entries (seed $seed)', ({ size, seed }) => {
  let cache: Awaited<ReturnType<typeof demoCache>>;
  let findings: Finding[];
  /** The demo's own event id of each entry of a finding. */
  const eventIds = (f: Finding) =>
    f.events.map((e) => {
      const entry = cache.search.entry(e.id)!;
      return (JSON.parse(new TextDecoder().decode(entry.data)) as { id: string }).id;
    });

  beforeAll(async () => {
    cache = await demoCache(size, seed);
    findings = runDetections(cache.search);
  }, 120_000);
  afterAll(() => cache?.cache.close());

  it.each(DEMO_INCIDENTS.map((i) => [i.id, i] as const))(
    'finds %s with exactly its events',
    (id, incident) => {
      const rules = Object.keys(EXPECTED).filter((r) => EXPECTED[r].includes(id));
      const found = findings.filter((f) => rules.includes(f.ruleId));
      expect(found.map((f) => f.ruleId).sort()).toEqual([...rules].sort());
      for (const f of found) expect(eventIds(f).sort()).toEqual([...incident.eventIds].sort());
    },
  );

  it('finds nothing else: no false positives', () => {
    const incidentEvents = new Set(DEMO_INCIDENTS.flatMap((i) => i.eventIds));
    const unrelated = findings.filter((f) => !eventIds(f).some((e) => incidentEvents.has(e)));
    expect(unrelated.map((f) => `${f.ruleId}: ${f.summary}`)).toEqual([]);
    // Seven findings: the six incidents, the privilege escalation by two rules.
    expect(findings.map((f) => f.ruleId)).toEqual([
      'data-subject-request-overdue',
      'failed-logins-then-success',
      'marketing-after-consent-withdrawal',
      'exports-at-night',
      'privilege-change-without-ticket',
      'student-record-deleted-without-approval',
      'privilege-change-outside-hours',
    ]);
  });

  it('says what happened in one sentence', () => {
    const summary = (rule: string) => findings.find((f) => f.ruleId === rule)!.summary;
    expect(summary('exports-at-night')).toBe(
      'u-1187 made 6 exports between 02:07 and 02:51 UTC on 2026-08-14',
    );
    expect(summary('failed-logins-then-success')).toBe(
      '10 failed logins from 198.51.100.247 starting at 21:14 UTC on 2026-07-22, then a successful login as u-1042 at 21:31',
    );
    expect(summary('marketing-after-consent-withdrawal')).toBe(
      '4 marketing messages to cust-204518 after consent was withdrawn on 2026-08-03, the last on 2026-09-08',
    );
    expect(summary('data-subject-request-overdue')).toBe(
      'request DSR-2026-0147, opened on 2026-07-09 by u-1170, is still open after 83 days',
    );
    expect(summary('student-record-deleted-without-approval')).toBe(
      'u-1085 deleted the record of s-30457 without approval on 2026-09-17 16:48 UTC',
    );
  });

  it('marks the events around an incident as context', () => {
    const f = findings.find((x) => x.ruleId === 'exports-at-night')!;
    expect(f.events.map((e) => `${e.role} ${e.action}`)).toEqual([
      'context user.login',
      ...Array(6).fill('match customer.export'),
      'context user.logout',
    ]);
    expect(f).toMatchObject({
      severity: 'high',
      key: 'u-1187',
      from: Date.parse('2026-08-14T02:07:12.530Z'),
      to: Date.parse('2026-08-14T02:51:27.118Z'),
    });
    expect(f.events.every((e) => e.log === 'demo.custos.example/audit')).toBe(true);
  });

  it('finds nothing from the AWS rules', () => {
    expect(findings.filter((f) => f.ruleId.startsWith('aws-'))).toEqual([]);
    expect(BUILT_IN_RULES.filter((r) => r.id.startsWith('aws-'))).toHaveLength(8);
  });
});

describe('custos detect', () => {
  let cache: Awaited<ReturnType<typeof demoCache>>;
  let keyFile: string;
  beforeAll(async () => {
    cache = await demoCache(6_000, 7);
    keyFile = join(cache.dir, 'cache.key');
    writeFileSync(keyFile, `${cache.key.toString('hex')}\n`, { mode: 0o600 });
  }, 120_000);
  afterAll(() => cache?.cache.close());

  it('lists each finding with its rule, its summary and its events', async () => {
    const r = await custos('detect', '--cache', cache.path, '--key-file', keyFile);
    expect(r.code, r.stderr).toBe(0);
    const blocks = r.stdout.trimEnd().split('\n\n');
    expect(blocks).toHaveLength(8);
    expect(blocks[7]).toBe('7 findings (6 high, 1 medium) from 15 rules');
    const exports = blocks.find((b) => b.includes('exports-at-night'))!.split('\n');
    expect(exports[0]).toBe(
      'HIGH  exports-at-night  u-1187 made 6 exports between 02:07 and 02:51 UTC on 2026-08-14',
    );
    expect(exports).toHaveLength(9);
    expect(exports[1]).toMatch(
      /^ {2}demo\.custos\.example\/audit#\d+ {2}2026-08-14T02:03:41\.207Z {2}user\.login {2}u-1187 {2}\(context\)$/,
    );
    expect(exports[2]).toMatch(
      /^ {2}demo\.custos\.example\/audit#\d+ {2}2026-08-14T02:07:12\.530Z {2}customer\.export {2}u-1187$/,
    );
  });

  it('writes JSON with the rules run and every finding', async () => {
    const r = await custos('detect', '--cache', cache.path, '--key-file', keyFile, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { rules: string[]; asOf: null; findings: Finding[] };
    expect(out.rules).toEqual(BUILT_IN_RULES.map((x) => x.id));
    expect(out.asOf).toBeNull();
    expect(out.findings).toEqual(runDetections(cache.search));
    expect(Object.keys(out.findings[0]).sort()).toEqual(
      ['events', 'from', 'key', 'ruleId', 'severity', 'summary', 'title', 'to'].sort(),
    );
    expect(Object.keys(out.findings[0].events[0]).sort()).toEqual(
      ['action', 'actor', 'id', 'index', 'log', 'role', 'time'].sort(),
    );
  });

  it('runs only the rules asked for, judged as of a given time', async () => {
    const one = await custos(
      'detect',
      '--cache',
      cache.path,
      '--key-file',
      keyFile,
      '--json',
      '--rule',
      'data-subject-request-overdue',
      '--as-of',
      '2026-08-09',
    );
    expect(one.code, one.stderr).toBe(0);
    const out = JSON.parse(one.stdout) as { rules: string[]; asOf: number; findings: Finding[] };
    expect(out.rules).toEqual(['data-subject-request-overdue']);
    expect(out.asOf).toBe(Date.parse('2026-08-09T00:00:00Z'));
    expect(out.findings.map((f) => f.summary)).toEqual([
      'request DSR-2026-0147, opened on 2026-07-09 by u-1170, is still open after 30 days',
    ]);
    const early = await custos(
      'detect',
      '--cache',
      cache.path,
      '--key-file',
      keyFile,
      '--rule',
      'data-subject-request-overdue',
      '--as-of',
      '2026-08-08',
    );
    expect(early).toEqual({ code: 0, stdout: 'no findings from 1 rule\n', stderr: '' });
  });

  it('refuses bad usage with exit code 2', async () => {
    const unknown = await custos(
      'detect',
      '--cache',
      cache.path,
      '--key-file',
      keyFile,
      '--rule',
      'nope',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^custos detect: --rule: there is no rule "nope"; the rules are exports-at-night, /,
    );
    expect(unknown.stdout).toBe('');
    const noCache = await custos('detect', '--key-file', keyFile);
    expect(noCache).toMatchObject({ code: 2, stderr: 'custos detect: --cache is required\n' });
    const badTime = await custos(
      'detect',
      '--cache',
      cache.path,
      '--key-file',
      keyFile,
      '--as-of',
      'soon',
    );
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/^custos detect: --as-of: "soon" is not a time/);
    const otherKey = join(cache.dir, 'other.key');
    writeFileSync(otherKey, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    const wrongKey = await custos('detect', '--cache', cache.path, '--key-file', otherKey);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stdout).toBe('');
    const extra = await custos('detect', '--cache', cache.path, '--key-file', keyFile, 'stray');
    expect(extra.code).toBe(2);
  });
});
