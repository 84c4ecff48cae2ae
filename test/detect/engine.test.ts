/**
 * The engine's logic on small made-up caches: windows (both ends included), group-bys, events
 * without a time or without a key, sequences broken or out of reach, deadlines judged as of a time,
 * context events, and the order of findings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetections, type Finding } from '../../main/detect/engine';
import { parseRule, RuleError, type DetectionRuleInput } from '../../main/detect/rules';
import { at, syntheticCache, type Cache } from './synthetic';

const DAY_MINUTES = 24 * 60;

/** Each finding as its key and the labels (`n`) of its events, in order. */
function labelled(records: Array<{ n: string }>, findings: Finding[]) {
  return findings.map((f) => ({
    key: f.key,
    events: f.events.map((e) => records[e.index].n + (e.role === 'context' ? '(context)' : '')),
  }));
}

function run(cache: Cache, rule: Partial<DetectionRuleInput>, asOf?: number) {
  const full = { title: 'test', description: 'a test rule', severity: 'high', ...rule };
  return runDetections(cache.search, [parseRule(full)], { asOf });
}

describe('threshold rules', () => {
  const records = [
    // a: three events exactly a window apart: counted (both ends are included)
    { n: 'a1', time: at(0), action: 'export', actor: 'a' },
    { n: 'a2', time: at(5), action: 'export', actor: 'a' },
    { n: 'a3', time: at(10), action: 'export', actor: 'a' },
    // b: one millisecond more than a window: not counted
    { n: 'b1', time: at(0), action: 'export', actor: 'b' },
    { n: 'b2', time: at(5), action: 'export', actor: 'b' },
    { n: 'b3', time: at(10, 1), action: 'export', actor: 'b' },
    // c: two bursts make two findings; a lone event between them is in neither
    { n: 'c1', time: at(100), action: 'export', actor: 'c' },
    { n: 'c2', time: at(101), action: 'export', actor: 'c' },
    { n: 'c3', time: at(102), action: 'export', actor: 'c' },
    { n: 'c7', time: at(120), action: 'export', actor: 'c' },
    { n: 'c4', time: at(140), action: 'export', actor: 'c' },
    { n: 'c5', time: at(141), action: 'export', actor: 'c' },
    { n: 'c6', time: at(142), action: 'export', actor: 'c' },
    // d: events without a time take no part in windows
    { n: 'd1', action: 'export', actor: 'd' },
    { n: 'd2', action: 'export', actor: 'd' },
    { n: 'd3', time: at(0), action: 'export', actor: 'd' },
    { n: 'd4', time: at(1), action: 'export', actor: 'd' },
    // x: no actor, so no group: never counted
    { n: 'x1', time: at(0), action: 'export' },
    { n: 'x2', time: at(0), action: 'export' },
    { n: 'x3', time: at(0), action: 'export' },
    // without a group-by, all events count together
    { n: 'p1', time: at(0), action: 'ping' },
    { n: 'p2', time: at(0, 30_000), action: 'ping', actor: 'q' },
    { n: 'p3', time: at(1), action: 'ping', actor: 'r' },
    { n: 'p4', time: at(3), action: 'ping' },
    // times of the week: 2026-07-01 is a Wednesday
    { n: 'n1', time: at(21 * 60 + 59), action: 'night', actor: 'n' },
    { n: 'n2', time: at(22 * 60), action: 'night', actor: 'n' },
    { n: 'n3', time: at(DAY_MINUTES + 5 * 60 + 59), action: 'night', actor: 'n' },
    { n: 'n4', time: at(DAY_MINUTES + 6 * 60), action: 'night', actor: 'n' },
    { n: 's1', time: at(3 * DAY_MINUTES - 1), action: 'weekend', actor: 's' }, // Fri 23:59
    { n: 's2', time: at(3 * DAY_MINUTES), action: 'weekend', actor: 's' }, // Sat 00:00
    { n: 's3', time: at(4 * DAY_MINUTES + 60), action: 'weekend', actor: 's' }, // Sun 01:00
  ];
  let cache: Cache;
  beforeAll(async () => {
    cache = await syntheticCache(records);
  });
  afterAll(() => cache?.cache.close());

  it('counts events per group within a window, both ends included', () => {
    const findings = run(cache, {
      id: 'exports',
      kind: 'threshold',
      query: 'action:export',
      by: ['actor'],
      count: 3,
      window: '10m',
    });
    expect(labelled(records, findings)).toEqual([
      { key: 'a', events: ['a1', 'a2', 'a3'] },
      { key: 'c', events: ['c1', 'c2', 'c3'] },
      { key: 'c', events: ['c4', 'c5', 'c6'] },
    ]);
    expect(findings[0]).toMatchObject({
      ruleId: 'exports',
      from: Date.parse(at(0)),
      to: Date.parse(at(10)),
      summary: '3 matching events for a between 2026-07-01 00:00 and 00:10 UTC',
    });
  });

  it('counts everything together without a group-by', () => {
    const findings = run(cache, {
      id: 'pings',
      kind: 'threshold',
      query: 'action:ping',
      count: 3,
      window: '1m',
    });
    expect(labelled(records, findings)).toEqual([{ key: null, events: ['p1', 'p2', 'p3'] }]);
  });

  it('keeps only events in the spans of the week, in UTC, wrapping past midnight', () => {
    const night = run(cache, {
      id: 'night',
      kind: 'match',
      query: 'action:night',
      during: [{ from: '22:00', to: '06:00' }],
    });
    expect(labelled(records, night).map((f) => f.events)).toEqual([['n2'], ['n3']]);
    const weekend = run(cache, {
      id: 'weekend',
      kind: 'match',
      query: 'action:weekend',
      during: [{ days: ['sat', 'sun'] }],
    });
    expect(labelled(records, weekend).map((f) => f.events)).toEqual([['s2'], ['s3']]);
    const sundayNight = run(cache, {
      id: 'sunday-night',
      kind: 'match',
      query: 'action:(weekend OR night)',
      during: [{ days: ['sun'], from: '00:00', to: '02:00' }, { days: ['wed'] }],
    });
    expect(labelled(records, sundayNight).map((f) => f.events)).toEqual([['n1'], ['n2'], ['s3']]);
  });
});

describe('match rules', () => {
  const records = [
    { n: 'g1', time: at(0), action: 'grant', actor: 'a' },
    { n: 'g2', time: at(60), action: 'grant', actor: 'a' }, // exactly the gap: same finding
    { n: 'g3', time: at(121), action: 'grant', actor: 'a' }, // 61 minutes later: a new one
    { n: 'g4', action: 'grant', actor: 'a' }, // no time: a gap cannot place it
    { n: 'g5', time: at(30), action: 'grant', actor: 'b' },
    { n: 'g6', time: at(31), action: 'grant' }, // no actor: in no group
    // context: events of the same session from 5 minutes before to 5 minutes after
    { n: 'v1', time: at(994), action: 'view', session: 'S1' },
    { n: 'v2', time: at(996), action: 'view', session: 'S1' },
    { n: 'v3', time: at(999), action: 'view', session: 'S2' },
    { n: 'del', time: at(1000), action: 'delete', session: 'S1', actor: 'z' },
    { n: 'v4', time: at(1005), action: 'view', session: 'S1' },
    { n: 'v5', time: at(1005, 1), action: 'view', session: 'S1' },
    { n: 'v6', time: at(1001), action: 'edit', session: 'S1' },
    { n: 'lone', action: 'delete', session: 'S1', actor: 'y' },
  ];
  let cache: Cache;
  beforeAll(async () => {
    cache = await syntheticCache(records);
  });
  afterAll(() => cache?.cache.close());

  it('groups by a field and splits a group where events are more than the gap apart', () => {
    const findings = run(cache, {
      id: 'grants',
      kind: 'match',
      query: 'action:grant',
      by: ['actor'],
      gap: '1h',
    });
    expect(labelled(records, findings)).toEqual([
      { key: 'a', events: ['g1', 'g2'] },
      { key: 'b', events: ['g5'] },
      { key: 'a', events: ['g3'] },
    ]);
    const whole = run(cache, { id: 'grants', kind: 'match', query: 'action:grant', by: ['actor'] });
    // Without a gap a group is one finding, events without a time included (they sort first).
    expect(labelled(records, whole)).toEqual([
      { key: 'a', events: ['g4', 'g1', 'g2', 'g3'] },
      { key: 'b', events: ['g5'] },
    ]);
  });

  it('lists context events sharing a path value, within before and after, and sorts findings', () => {
    const findings = run(cache, {
      id: 'deletes',
      kind: 'match',
      query: 'action:delete',
      context: { query: 'action:view', sameAs: ['record.session'], before: '5m', after: '5m' },
      summary: '{first.actor} deleted at {fromTime} on {date} ({count} event)',
    });
    // One finding per event; the one without a time comes last and has no context.
    expect(labelled(records, findings)).toEqual([
      { key: null, events: ['v2(context)', 'del', 'v4(context)'] },
      { key: null, events: ['lone'] },
    ]);
    expect(findings.map((f) => f.summary)).toEqual([
      'z deleted at 16:40 on 2026-07-01 (1 event)',
      'y deleted at (no time) on (no date) (1 event)',
    ]);
    expect(findings[1]).toMatchObject({ from: null, to: null });
  });

  it('orders findings by severity, then by time', () => {
    const rules = [
      { id: 'low-grants', severity: 'low', query: 'action:grant' },
      { id: 'critical-views', severity: 'critical', query: 'action:view AND record.session:S2' },
      { id: 'high-deletes', severity: 'high', query: 'action:delete' },
    ].map((r) => parseRule({ ...r, title: r.id, description: r.id, kind: 'match' }));
    const order = runDetections(cache.search, rules).map(
      (f) => `${f.ruleId}:${records[f.events[0].index].n}`,
    );
    expect(order).toEqual([
      'critical-views:v3',
      'high-deletes:del',
      'high-deletes:lone',
      'low-grants:g1',
      'low-grants:g5',
      'low-grants:g6',
      'low-grants:g2',
      'low-grants:g3',
      'low-grants:g4',
    ]);
  });

  it('names the rule whose query cannot be compiled', () => {
    expect(() => run(cache, { id: 'bad-time', kind: 'match', query: 'time:yesterday' })).toThrow(
      RuleError,
    );
    expect(() => run(cache, { id: 'bad-time', kind: 'match', query: 'time:yesterday' })).toThrow(
      /^rule bad-time: "yesterday" is not a time/,
    );
  });
});

describe('sequence rules', () => {
  const f = (n: string, ip: string, minutes: number, ms = 0) => ({
    n,
    ip,
    time: at(minutes, ms),
    action: 'login',
    outcome: 'failure',
    actor: 'someone',
  });
  const s = (n: string, ip: string, minutes: number, ms = 0) => ({
    ...f(n, ip, minutes, ms),
    outcome: 'success',
    actor: `user-${n}`,
  });
  const records = [
    // 1: three failures, then a success exactly `within` after the last: a finding
    ...['1a', '1b', '1c'].map((n, i) => f(n, '10.0.0.1', i)),
    s('1s', '10.0.0.1', 12),
    // 2: the success 1 ms too late
    ...['2a', '2b', '2c'].map((n, i) => f(n, '10.0.0.2', i)),
    s('2s', '10.0.0.2', 12, 1),
    // 3: too few failures
    f('3a', '10.0.0.3', 0),
    f('3b', '10.0.0.3', 1),
    s('3s', '10.0.0.3', 2),
    // 4: a reset between breaks the sequence
    ...['4a', '4b', '4c'].map((n, i) => f(n, '10.0.0.4', i)),
    { n: '4r', ip: '10.0.0.4', time: at(3), action: 'reset' },
    s('4s', '10.0.0.4', 4),
    // 5: a success at the same instant as the last failure follows it
    ...['5a', '5b', '5c'].map((n, i) => f(n, '10.0.0.5', i)),
    s('5s', '10.0.0.5', 2),
    // 6: the failures are not within one window of 5 minutes
    f('6a', '10.0.0.6', 0),
    f('6b', '10.0.0.6', 6),
    f('6c', '10.0.0.6', 7),
    s('6s', '10.0.0.6', 8),
    // 7: later successes join the sequence; a new burst starts another
    ...['7a', '7b', '7c'].map((n, i) => f(n, '10.0.0.7', i)),
    s('7s', '10.0.0.7', 3),
    s('7t', '10.0.0.7', 5),
    ...['7d', '7e', '7f'].map((n, i) => f(n, '10.0.0.7', 100 + i)),
    s('7u', '10.0.0.7', 103),
    // 9: a success before the failures is not a sequence
    s('9s', '10.0.0.9', 0),
    ...['9a', '9b', '9c'].map((n, i) => f(n, '10.0.0.9', 1 + i)),
    // a failure without a time takes no part
    { n: '8x', ip: '10.0.0.8', action: 'login', outcome: 'failure' },
    f('8a', '10.0.0.8', 0),
    f('8b', '10.0.0.8', 1),
    s('8s', '10.0.0.8', 2),
  ];
  let cache: Cache;
  beforeAll(async () => {
    cache = await syntheticCache(records);
  });
  afterAll(() => cache?.cache.close());

  it('finds N first events within a window, then a second one within reach, unless broken', () => {
    const findings = run(cache, {
      id: 'guessing',
      kind: 'sequence',
      by: ['ip'],
      first: { query: 'action:login AND outcome:failure', count: 3, window: '5m' },
      then: { query: 'action:login AND outcome:success' },
      within: '10m',
      unless: 'action:reset',
      summary: '{firstCount} failures from {key}, then {thenCount} logins as {last.actor}',
    });
    expect(labelled(records, findings)).toEqual([
      { key: '10.0.0.1', events: ['1a', '1b', '1c', '1s'] },
      { key: '10.0.0.5', events: ['5a', '5b', '5c', '5s'] },
      { key: '10.0.0.7', events: ['7a', '7b', '7c', '7s', '7t'] },
      { key: '10.0.0.7', events: ['7d', '7e', '7f', '7u'] },
    ]);
    expect(findings.map((x) => x.summary)).toEqual([
      '3 failures from 10.0.0.1, then 1 logins as user-1s',
      '3 failures from 10.0.0.5, then 1 logins as user-5s',
      '3 failures from 10.0.0.7, then 2 logins as user-7t',
      '3 failures from 10.0.0.7, then 1 logins as user-7u',
    ]);
  });

  it('with one first event, the latest one opens the sequence', () => {
    const findings = run(cache, {
      id: 'after-reset',
      kind: 'sequence',
      by: ['ip'],
      first: { query: 'action:reset' },
      then: { query: 'action:login' },
      within: '1d',
    });
    expect(labelled(records, findings)).toEqual([{ key: '10.0.0.4', events: ['4r', '4s'] }]);
  });
});

describe('absence rules', () => {
  const day = (d: number, ms = 0) => at(d * DAY_MINUTES, ms);
  const records = [
    { n: 'r1o', time: day(0), action: 'open', req: 'R-1' },
    { n: 'r1c', time: day(30), action: 'close', req: 'R-1' }, // exactly the deadline: in time
    { n: 'r2o', time: day(0), action: 'open', req: 'R-2' },
    { n: 'r2c', time: day(30, 1), action: 'close', req: 'R-2' }, // 1 ms late
    { n: 'r3o', time: day(70), action: 'open', req: 'R-3' }, // exactly 30 days before asOf
    { n: 'r4o', time: day(60), action: 'open', req: 'R-4' }, // 40 days before asOf
    { n: 'r5c', time: day(1), action: 'close', req: 'R-5' }, // a close before the open is no close
    { n: 'r5o', time: day(2), action: 'open', req: 'R-5' },
    { n: 'r6o', time: day(101), action: 'open', req: 'R-6' }, // after asOf
    { n: 'r7o', action: 'open', req: 'R-7' }, // no time
    { n: 'n1o', time: day(0), action: 'open', req: 42 }, // a number is a key too
    { n: 'b1o', time: day(0), action: 'open', req: true }, // and a boolean (not in the full text)
    { n: 'b1c', time: day(1), action: 'close', req: true },
    { n: 'nk', time: day(0), action: 'open' }, // no key
    { n: 'r8o', time: day(0), action: 'open', req: 'R-8' },
    { n: 'r8c', time: day(50), action: 'close', req: 'R-8' }, // late, and after day 40
  ];
  const rule = {
    id: 'unanswered',
    kind: 'absence' as const,
    by: ['record.req'],
    open: { query: 'action:open' },
    close: { query: 'action:close' },
    deadline: '30d',
  };
  let cache: Cache;
  beforeAll(async () => {
    cache = await syntheticCache(records);
  });
  afterAll(() => cache?.cache.close());

  it('finds openings closed late or not at all, as of a time', () => {
    const findings = run(cache, rule, Date.parse(day(100)));
    expect(labelled(records, findings)).toEqual([
      { key: 'R-2', events: ['r2o', 'r2c'] },
      { key: '42', events: ['n1o'] },
      { key: 'R-8', events: ['r8o', 'r8c'] },
      { key: 'R-5', events: ['r5o'] },
      { key: 'R-4', events: ['r4o'] },
    ]);
    expect(findings.map((f) => f.summary)).toEqual([
      'R-2, opened on 2026-07-01, was closed only after 30 days',
      '42, opened on 2026-07-01, is still open after 100 days',
      'R-8, opened on 2026-07-01, was closed only after 50 days',
      'R-5, opened on 2026-07-03, is still open after 98 days',
      'R-4, opened on 2026-08-30, is still open after 40 days',
    ]);
  });

  it('judges at the newest entry by default', () => {
    // The newest entry is R-6's opening, on day 101: R-3 is then 31 days old.
    const keys = run(cache, rule).map((f) => f.key);
    expect(keys).toEqual(['R-2', '42', 'R-8', 'R-5', 'R-4', 'R-3']);
  });

  it('ignores what comes after asOf', () => {
    // As of day 40, R-8's close (day 50) has not happened, and R-3, R-4 were not yet opened.
    const findings = run(cache, rule, Date.parse(day(40)));
    expect(labelled(records, findings)).toEqual([
      { key: 'R-2', events: ['r2o', 'r2c'] },
      { key: '42', events: ['n1o'] },
      { key: 'R-8', events: ['r8o'] },
      { key: 'R-5', events: ['r5o'] },
    ]);
    expect(findings[2].summary).toBe('R-8, opened on 2026-07-01, is still open after 40 days');
  });
});
