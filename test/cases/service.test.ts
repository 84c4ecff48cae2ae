/** Cases: bookmarks, tags, notes, evidence, custody, the read-only closed state, search within. */
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, SCHEMA_VERSION } from '../../main/store/migrations/index';
import { CaseError, CaseService, sha256Hex } from '../../main/cases/service';
import { testWorkspace } from '../helpers/workspace';

let ws: Awaited<ReturnType<typeof testWorkspace>>;
let clock = Date.UTC(2026, 10, 1);
const activity: Array<{ action: string; details: unknown }> = [];
let cases: CaseService;

beforeAll(async () => {
  ws = await testWorkspace(200);
  cases = new CaseService(
    ws.cache,
    'Thandi Officer',
    (action, details) => activity.push({ action, details }),
    () => (clock += 1000),
  );
}, 60_000);
afterAll(() => ws?.cache.close());

/** Entry row ids of the workspace's cache for a query. */
const ids = (query: string) => ws.search.page({ query, limit: 1000 }).rows.map((r) => r.id);

describe('the cases schema', () => {
  it('migrates an empty in-memory cache to the latest version with the case tables', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(SCHEMA_VERSION);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
        name: string;
      }>
    ).map((t) => t.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'cases',
        'case_events',
        'case_event_tags',
        'case_notes',
        'case_evidence',
        'case_custody',
      ]),
    );
    db.close();
  });
});

describe('a case', () => {
  it('is created open, owned by the officer, and listed', () => {
    const c = cases.create({ title: '  Night exports  ', description: 'See **below**.' });
    expect(c).toMatchObject({
      title: 'Night exports',
      owner: 'Thandi Officer',
      status: 'open',
      description: 'See **below**.',
      events: 0,
    });
    expect(c.uid).toMatch(/^[0-9a-f]{32}$/);
    expect(cases.list().map((x) => x.id)).toContain(c.id);
    expect(cases.custodyLog(c.id).map((r) => r.what)).toEqual(['created']);
    expect(activity.at(-1)).toEqual({
      action: 'case.create',
      details: { case: c.uid, title: 'Night exports' },
    });
  });

  it('refuses an empty title, a reversed period and an unknown case, naming them', () => {
    expect(() => cases.create({ title: '   ' })).toThrow('the case title must not be empty');
    expect(() => cases.create({ title: 'x', periodFrom: 10, periodTo: 5 })).toThrow(
      'the case period ends before it starts',
    );
    expect(() => cases.get(9999)).toThrow(new CaseError('no case 9999', 'not-found'));
  });

  it('bookmarks events once each, keeps their bytes, tags them and takes notes', () => {
    const c = cases.create({ title: 'Failures' });
    const failures = ids('outcome:failure');
    expect(failures.length).toBeGreaterThan(5);
    expect(cases.addEvents(c.id, failures.slice(0, 4), 'search: outcome:failure')).toEqual({
      added: 4,
      already: 0,
    });
    expect(cases.addEvents(c.id, failures.slice(2, 6))).toEqual({ added: 2, already: 2 });
    expect(() => cases.addEvents(c.id, [987654])).toThrow('no entry 987654 in this cache');
    const events = cases.events(c.id);
    expect(events).toHaveLength(6);
    // Oldest first, each with the cache row it came from and its own copy of the bytes.
    const times = events.map((e) => e.fields.time!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const e of events) {
      expect(e.fields.outcome).toBe('failure');
      const d = cases.eventData(c.id, e.id);
      expect(Buffer.from(d.data)).toEqual(Buffer.from(ws.search.entry(e.entryId!)!.data));
    }
    cases.tagEvents(
      c.id,
      events.slice(0, 2).map((e) => e.id),
      'suspicious',
    );
    cases.tagEvents(c.id, [events[0].id], 'first');
    expect(cases.events(c.id).map((e) => e.tags)).toEqual([
      ['first', 'suspicious'],
      ['suspicious'],
      [],
      [],
      [],
      [],
    ]);
    cases.tagEvents(c.id, [events[0].id], 'first', true);
    expect(cases.events(c.id)[0].tags).toEqual(['suspicious']);
    expect(() => cases.tagEvents(c.id, [events[0].id], '<script>')).toThrow(/tag "<script>"/);
    const note = cases.addNote(c.id, 'Same actor every time.', events[1].id);
    cases.addNote(c.id, 'Case opened after the weekly review.');
    expect(cases.notes(c.id)).toEqual([
      expect.objectContaining({ id: note.id, eventId: events[1].id, author: 'Thandi Officer' }),
      expect.objectContaining({ eventId: null, body: 'Case opened after the weekly review.' }),
    ]);
    expect(cases.custodyLog(c.id).map((r) => r.what)).toEqual([
      'created',
      'events added',
      'events added',
      'tagged',
      'tagged',
      'untagged',
      'note added',
      'note added',
    ]);
    expect(cases.get(c.id)).toMatchObject({ events: 6, notes: 2 });
  });

  it('searches within its own events with the query language', () => {
    const c = cases.create({ title: 'Mixed' });
    cases.addEvents(c.id, ids('actor:u-3 OR actor:u-4'));
    const all = cases.events(c.id);
    expect(all.length).toBeGreaterThan(4);
    const u3 = cases.events(c.id, 'actor:u-3');
    expect(u3.length).toBeGreaterThan(0);
    expect(u3.map((e) => e.id)).toEqual(
      all.filter((e) => e.fields.actor === 'u-3').map((e) => e.id),
    );
    expect(cases.events(c.id, 'actor:nobody')).toEqual([]);
    expect(() => cases.events(c.id, 'actor:(')).toThrow(/column/);
  });

  it('keeps evidence with its SHA-256 and refuses a file altered at rest', () => {
    const c = cases.create({ title: 'Evidence' });
    const data = new TextEncoder().encode('ticket export, 3 lines\n');
    const f = cases.addEvidence(c.id, 'ticket.txt', data);
    expect(f).toMatchObject({ name: 'ticket.txt', size: data.length, sha256: sha256Hex(data) });
    expect(() => cases.addEvidence(c.id, 'ticket.txt', data)).toThrow(
      'the case already holds a file named ticket.txt',
    );
    for (const bad of ['../x', 'a/b', '', 'a\nb'])
      expect(() => cases.addEvidence(c.id, bad, data)).toThrow(/give a plain file name/);
    expect(Buffer.from(cases.evidenceData(c.id, f.id).data)).toEqual(Buffer.from(data));
    ws.cache.db
      .prepare('UPDATE case_evidence SET data = ? WHERE id = ?')
      .run(Buffer.from('forged'), f.id);
    expect(() => cases.evidenceData(c.id, f.id)).toThrow(
      /ticket.txt: its SHA-256 is now .* the stored file was altered/,
    );
    expect(cases.custodyLog(c.id).at(-1)).toMatchObject({
      what: 'evidence added',
      detail: { name: 'ticket.txt', sha256: sha256Hex(data) },
    });
  });

  it('is read-only when closed, and reopening is recorded', () => {
    const c = cases.create({ title: 'Closing' });
    const [first] = ids('outcome:failure');
    cases.addEvents(c.id, [first]);
    cases.setStatus(c.id, 'in-review');
    cases.setStatus(c.id, 'closed');
    const closed = /is closed: reopen it to change it/;
    expect(() => cases.addEvents(c.id, ids('actor:u-5'))).toThrow(closed);
    expect(() => cases.addNote(c.id, 'late')).toThrow(closed);
    expect(() => cases.update(c.id, { title: 'renamed' })).toThrow(closed);
    expect(() => cases.addEvidence(c.id, 'a.txt', new Uint8Array(1))).toThrow(closed);
    expect(() => cases.tagEvents(c.id, [cases.events(c.id)[0].id], 'x')).toThrow(closed);
    expect(cases.get(c.id)).toMatchObject({
      status: 'closed',
      title: 'Closing',
      events: 1,
      notes: 0,
    });
    cases.setStatus(c.id, 'open');
    expect(cases.update(c.id, { title: 'Reopened' }).title).toBe('Reopened');
    expect(cases.custodyLog(c.id).map((r) => [r.what, r.detail])).toEqual([
      ['created', { title: 'Closing', owner: 'Thandi Officer' }],
      ['events added', expect.anything()],
      ['status', { from: 'open', to: 'in-review' }],
      ['closed', { from: 'in-review', to: 'closed' }],
      ['reopened', { from: 'closed', to: 'open' }],
      ['changed', { fields: ['title'] }],
    ]);
  });

  it('puts events, notes, evidence and activity on one time axis', () => {
    const c = cases.create({ title: 'Timeline' });
    cases.addEvents(c.id, ids('actor:u-7').slice(0, 2));
    cases.addNote(c.id, 'why');
    cases.addEvidence(c.id, 'e.txt', new Uint8Array([1, 2]));
    const t = cases.timeline(c.id);
    expect(t.map((i) => i.time)).toEqual([...t.map((i) => i.time)].sort((a, b) => a - b));
    expect(new Set(t.map((i) => i.kind))).toEqual(
      new Set(['event', 'note', 'evidence', 'activity']),
    );
    // The events happened in July 2026, long before the case was opened.
    expect(t[0].kind).toBe('event');
    expect(t.filter((i) => i.kind === 'event')).toHaveLength(2);
  });
});
