import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import {
  DEMO_INCIDENTS,
  DEMO_MIN_SIZE,
  DEMO_ORIGIN,
  generateDemoEvents,
} from '../../main/demo/generateDemo';
import { custosAuditSchema, type CustosAuditEvent } from '../../shared/entry/model';
import { canonicalJson, type JsonValue } from '../../shared/entry/json';

const Q3_START = '2026-07-01T00:00:00.000Z';
const Q3_END = '2026-10-01T00:00:00.000Z';

const collect = (size: number, seed: number) => [...generateDemoEvents({ size, seed })];
const bytes = (e: CustosAuditEvent) =>
  new TextEncoder().encode(canonicalJson(e as unknown as JsonValue)).length;
const attr = (e: CustosAuditEvent, key: string) => e.attributes?.[key];
const incident = (id: string) => {
  const found = DEMO_INCIDENTS.find((i) => i.id === id);
  if (!found) throw new Error(`no incident ${id}`);
  return found;
};
const eventsOf = (events: CustosAuditEvent[], id: string) => {
  const ids = new Set(incident(id).eventIds);
  return events.filter((e) => ids.has(e.id));
};
const working = (e: CustosAuditEvent) => {
  const t = new Date(e.time);
  const day = t.getUTCDay();
  return day !== 0 && day !== 6 && t.getUTCHours() >= 7 && t.getUTCHours() < 19;
};

// One medium-sized run shared by the property checks: big enough for background look-alikes.
const SIZE = 40_000;
const events = collect(SIZE, 1);

describe('generateDemoEvents', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = collect(3000, 42).map((e) => canonicalJson(e as unknown as JsonValue));
    const b = collect(3000, 42).map((e) => canonicalJson(e as unknown as JsonValue));
    const c = collect(3000, 43).map((e) => canonicalJson(e as unknown as JsonValue));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(c.filter((x, i) => x === a[i]).length).toBeLessThan(100);
  });

  it('produces exactly `size` events, ascending in time, within 2026-Q3, with unique ids', () => {
    for (const size of [DEMO_MIN_SIZE, 600, 7777]) expect(collect(size, 5)).toHaveLength(size);
    expect(events).toHaveLength(SIZE);
    for (let i = 1; i < events.length; i++) {
      expect(events[i].time >= events[i - 1].time).toBe(true);
    }
    expect(events[0].time >= Q3_START).toBe(true);
    expect(events[events.length - 1].time < Q3_END).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(SIZE);
  });

  it('refuses sizes below the minimum and non-integer options', () => {
    expect(() => collect(DEMO_MIN_SIZE - 1, 1)).toThrow(RangeError);
    expect(() => collect(1000.5, 1)).toThrow(RangeError);
    expect(() => collect(1000, Number.NaN)).toThrow(RangeError);
  });

  it('produces valid custos.audit/v1 events across the quarter', () => {
    const sample = events.filter((_, i) => i % 13 === 0);
    expect(sample.length).toBeGreaterThan(3000);
    for (const e of sample) expect(custosAuditSchema.parse(e)).toEqual(e);
    const months = new Set(sample.map((e) => e.time.slice(0, 7)));
    expect([...months].sort()).toEqual(['2026-07', '2026-08', '2026-09']);
    const incidentIds = new Set(DEMO_INCIDENTS.flatMap((i) => i.eventIds));
    for (const e of events.filter((x) => incidentIds.has(x.id))) custosAuditSchema.parse(e);
  });

  it('gives entries of realistic size (about 400 to 900 bytes of canonical JSON)', () => {
    const sizes = events.filter((_, i) => i % 7 === 0).map(bytes);
    const inRange = sizes.filter((s) => s >= 400 && s <= 900).length;
    expect(inRange / sizes.length).toBeGreaterThan(0.99);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1200);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(500);
    expect(mean).toBeLessThan(800);
  });

  it('covers three platforms, every category, and realistic volumes', () => {
    const sources = new Set(events.map((e) => e.source));
    expect([...sources].sort()).toEqual(['coaching.stride', 'comms.relay', 'school.lessonline']);
    for (const source of sources) {
      const categories = new Set(events.filter((e) => e.source === source).map((e) => e.category));
      expect(categories.size).toBe(7);
    }
    const logins = events.filter((e) => e.action === 'user.login');
    const failed = logins.filter((e) => e.outcome === 'failure').length / logins.length;
    expect(failed).toBeGreaterThan(0.015);
    expect(failed).toBeLessThan(0.035);
    const info = events.filter((e) => e.severity === 'info').length / events.length;
    expect(info).toBeGreaterThan(0.9);
    // Staff work by day: between 00:00 and 05:00 UTC, people are rare and system jobs dominate.
    const night = events.filter((e) => new Date(e.time).getUTCHours() < 5);
    const staff = night.filter((e) => e.actor.id.startsWith('u-')).length;
    expect(staff / night.length).toBeLessThan(0.05);
    expect(night.length / events.length).toBeLessThan(0.1);
  });

  it('lists the planted incidents with unique event ids that are the same for every seed', () => {
    expect(DEMO_ORIGIN).toBe('demo.custos.example/audit');
    expect(DEMO_INCIDENTS.map((i) => i.id)).toEqual([
      'night-bulk-export',
      'brute-force-new-country',
      'privilege-escalation',
      'messages-after-consent-withdrawal',
      'erasure-request-overdue',
      'student-delete-without-approval',
    ]);
    const all = DEMO_INCIDENTS.flatMap((i) => i.eventIds);
    expect(new Set(all).size).toBe(all.length);
    const other = collect(600, 99);
    for (const id of all) {
      const here = events.find((e) => e.id === id);
      expect(here).toBeDefined();
      expect(other.find((e) => e.id === id)).toEqual(here);
    }
  });

  it('keeps every incident at small sizes', () => {
    for (const size of [DEMO_MIN_SIZE, 600]) {
      const small = collect(size, 3);
      const ids = new Set(small.map((e) => e.id));
      for (const i of DEMO_INCIDENTS) for (const id of i.eventIds) expect(ids.has(id)).toBe(true);
    }
  });

  it('plants a bulk export of customer records at 02:00 UTC by a support agent', () => {
    const exports = eventsOf(events, 'night-bulk-export').filter(
      (e) => e.action === 'customer.export',
    );
    expect(exports).toHaveLength(6);
    for (const e of exports) {
      expect(e.actor).toMatchObject({ id: 'u-1187', role: 'support_agent' });
      expect(e.time >= '2026-08-14T02:00' && e.time < '2026-08-14T03:00').toBe(true);
      expect(attr(e, 'recordCount')).toBeGreaterThan(2000);
    }
    const others = events.filter((e) => e.action === 'customer.export' && !exports.includes(e));
    expect(others.length).toBeGreaterThan(0);
    for (const e of others) {
      expect(working(e)).toBe(true);
      expect(attr(e, 'recordCount')).toBeLessThanOrEqual(250);
    }
  });

  it('plants ten failed logins then a success from a new country', () => {
    const attempts = eventsOf(events, 'brute-force-new-country').filter(
      (e) => e.action === 'user.login',
    );
    expect(attempts.map((e) => e.outcome)).toEqual([...Array(10).fill('failure'), 'success']);
    for (const e of attempts) {
      expect(e.actor.id).toBe('u-1042');
      expect(e.actor.ip).toBe('198.51.100.247');
      expect(attr(e, 'geo')).toMatchObject({ country: 'BR' });
    }
    const usual = events.filter((e) => e.actor.id === 'u-1042' && !attempts.includes(e));
    expect(usual.length).toBeGreaterThan(0);
    for (const e of usual.filter((x) => x.actor.ip !== '198.51.100.247')) {
      expect(attr(e, 'geo')).toMatchObject({ country: 'ZA' });
    }
    expect(events.filter((e) => e.actor.ip === '198.51.100.247')).toHaveLength(13);
  });

  it('plants a privilege escalation on a Saturday night without a change ticket', () => {
    const [role] = eventsOf(events, 'privilege-escalation').filter(
      (e) => e.action === 'user.role.change',
    );
    expect(new Date(role.time).getUTCDay()).toBe(6);
    expect(new Date(role.time).getUTCHours()).toBeGreaterThanOrEqual(22);
    expect(role.changes).toEqual([{ field: 'role', before: 'support_agent', after: 'admin' }]);
    expect(attr(role, 'changeTicket')).toBeUndefined();
    const grants = eventsOf(events, 'privilege-escalation').filter(
      (e) => e.action === 'permission.grant',
    );
    expect(grants.map((e) => e.target?.id)).toEqual(['u-1163', 'u-1163']);
    const planted = new Set(incident('privilege-escalation').eventIds);
    const normal = events.filter(
      (e) =>
        (e.action === 'user.role.change' || e.action === 'permission.grant') && !planted.has(e.id),
    );
    expect(normal.length).toBeGreaterThan(0);
    for (const e of normal) {
      expect(attr(e, 'changeTicket')).toMatch(/^CHG-2026-\d{4}$/);
      expect(working(e)).toBe(true);
    }
  });

  it('plants marketing messages after consent was withdrawn, and only there', () => {
    const [withdraw] = eventsOf(events, 'messages-after-consent-withdrawal').filter(
      (e) => e.action === 'consent.withdraw',
    );
    expect(withdraw.subject?.id).toBe('cust-204518');
    const after = events.filter(
      (e) =>
        e.category === 'communication' && e.subject?.id === 'cust-204518' && e.time > withdraw.time,
    );
    expect(after.map((e) => e.action)).toEqual([
      'email.send',
      'email.send',
      'sms.send',
      'email.send',
    ]);
    // Background withdrawals are respected: nobody else is messaged after withdrawing.
    const withdrawn = new Map<string, string>();
    for (const e of events) {
      if (e.action === 'consent.withdraw' && e.subject && !withdrawn.has(e.subject.id)) {
        withdrawn.set(e.subject.id, e.time);
      }
    }
    expect(withdrawn.size).toBeGreaterThan(10);
    const violations = events.filter((e) => {
      const since = e.subject && withdrawn.get(e.subject.id);
      return e.category === 'communication' && since !== undefined && e.time > since;
    });
    expect(new Set(violations.map((e) => e.subject?.id))).toEqual(new Set(['cust-204518']));
  });

  it('plants an erasure request left open past 30 days while others close in time', () => {
    const [open] = eventsOf(events, 'erasure-request-overdue').filter(
      (e) => e.action === 'dsr.open',
    );
    expect(attr(open, 'requestId')).toBe('DSR-2026-0147');
    expect(attr(open, 'requestType')).toBe('erasure');
    expect(Date.parse(Q3_END) - Date.parse(open.time)).toBeGreaterThan(30 * 86_400_000);
    const closes = new Map(
      events.filter((e) => e.action === 'dsr.close').map((e) => [attr(e, 'requestId'), e.time]),
    );
    expect(closes.has('DSR-2026-0147')).toBe(false);
    const opens = events.filter((e) => e.action === 'dsr.open' && e !== open);
    expect(opens.length).toBeGreaterThan(2);
    for (const e of opens) {
      const closed = closes.get(attr(e, 'requestId'));
      expect(closed).toBeDefined();
      expect(Date.parse(closed as string) - Date.parse(e.time)).toBeLessThan(30 * 86_400_000);
    }
    const erasures = events.filter((e) => e.action === 'gdpr.erasure.request');
    const erased = new Set(
      events.filter((e) => e.action === 'client.erase').map((e) => attr(e, 'requestId')),
    );
    for (const e of erasures) expect(erased.has(attr(e, 'requestId'))).toBe(true);
  });

  it('plants a student record deleted without an approval reference', () => {
    const deletes = events.filter((e) => e.action === 'student.delete');
    const unapproved = deletes.filter((e) => attr(e, 'approvalId') === undefined);
    expect(unapproved.map((e) => e.id)).toEqual(
      eventsOf(events, 'student-delete-without-approval')
        .filter((e) => e.action === 'student.delete')
        .map((e) => e.id),
    );
    expect(unapproved[0]).toMatchObject({
      actor: { id: 'u-1085', role: 'admin' },
      subject: { id: 's-30457', type: 'student' },
    });
    expect(deletes.length).toBeGreaterThan(1);
  });

  it('documents every planted event in docs/demo.md', () => {
    const doc = readFileSync(new URL('../../docs/demo.md', import.meta.url), 'utf8');
    for (const i of DEMO_INCIDENTS) {
      for (const id of i.eventIds) expect(doc).toContain(id);
    }
  });
});
