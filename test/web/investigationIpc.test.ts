/**
 * The investigation channels through the contract's dispatcher, as the console calls them: cases,
 * bookmarks, tags, notes, evidence, export and import, detections, and the activity journal that
 * records each of them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../main/ipc/dispatch';
import { createHandlers, type Handlers } from '../../main/ipc/handlers';
import type { ChannelName, Output, Result } from '../../shared/ipc/contract';
import { testWorkspace } from '../helpers/workspace';

let ws: Awaited<ReturnType<typeof testWorkspace>>;
let other: Awaited<ReturnType<typeof testWorkspace>>;

beforeAll(async () => {
  ws = await testWorkspace(300, { journal: true });
  other = await testWorkspace(20, { journal: true, origin: 'other.example/log' });
}, 60_000);
afterAll(() => {
  ws?.cache.close();
  other?.cache.close();
});

async function call<C extends ChannelName>(
  handlers: Handlers,
  channel: C,
  input: unknown,
): Promise<Output<C>> {
  const r = (await dispatch(handlers, channel, input)) as Result<Output<C>>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.kind}: ${r.error.message}`);
  return r.value;
}
const refusal = async (channel: ChannelName, input: unknown) =>
  (await dispatch(ws.handlers, channel, input)) as Result<unknown>;

describe('the investigation channels', () => {
  let caseId: number;

  it('create a case from selected events and list it', async () => {
    const failures = await call(ws.handlers, 'search.page', { query: 'outcome:failure', limit: 3 });
    const c = await call(ws.handlers, 'cases.create', {
      title: 'Failed logins',
      description: 'Three failures <b>in a row</b>',
      entryIds: failures.rows.map((r) => r.id),
      reason: 'search: outcome:failure',
    });
    caseId = c.id;
    expect(c).toMatchObject({
      title: 'Failed logins',
      status: 'open',
      events: 3,
      owner: 'Thandi Officer',
    });
    expect((await call(ws.handlers, 'cases.list', {})).map((x) => x.id)).toContain(c.id);
    const more = await call(ws.handlers, 'search.page', { query: 'outcome:failure', limit: 5 });
    expect(
      await call(ws.handlers, 'cases.addEvents', {
        id: c.id,
        entryIds: more.rows.map((r) => r.id),
      }),
    ).toEqual({ added: 2, already: 3 });
  });

  it('tags, notes, evidence, timeline and custody', async () => {
    const events = await call(ws.handlers, 'cases.events', { id: caseId });
    expect(events).toHaveLength(5);
    await call(ws.handlers, 'cases.tag', { id: caseId, eventIds: [events[0].id], tag: 'first' });
    expect(
      (await call(ws.handlers, 'cases.events', { id: caseId, query: 'outcome:failure' })).length,
    ).toBe(5);
    await call(ws.handlers, 'cases.addNote', {
      id: caseId,
      body: 'Same **actor**.',
      eventId: events[0].id,
    });
    const file = await call(ws.handlers, 'cases.addEvidence', {
      id: caseId,
      name: 'memo.txt',
      dataBase64: Buffer.from('memo').toString('base64'),
    });
    expect(file.sha256).toBe(createHash('sha256').update('memo').digest('hex'));
    expect(file).toMatchObject({ name: 'memo.txt', size: 4 });
    const timeline = await call(ws.handlers, 'cases.timeline', { id: caseId });
    expect(new Set(timeline.map((t) => t.kind))).toEqual(
      new Set(['event', 'note', 'evidence', 'activity']),
    );
    const custody = await call(ws.handlers, 'cases.custody', { id: caseId });
    expect(custody.map((r) => r.what)).toEqual([
      'created',
      'events added',
      'events added',
      'tagged',
      'note added',
      'evidence added',
    ]);
  });

  it('save an evidence file out of the cache, re-hashed, never over another file', async () => {
    const [file] = await call(ws.handlers, 'cases.evidence', { id: caseId });
    const target = join(ws.dir, 'saved-memo.txt');
    const desk = createHandlers({
      cachePath: ws.path,
      store: ws.cache,
      key: ws.key,
      officer: 'Thandi Officer',
      emit: () => {},
      chooseSavePath: async (name) => (name === 'memo.txt' ? target : null),
    });
    expect(await call(desk, 'cases.saveEvidence', { id: caseId, evidenceId: file.id })).toEqual({
      download: null,
      path: target,
    });
    expect(readFileSync(target, 'utf8')).toBe('memo');
    const again = (await dispatch(desk, 'cases.saveEvidence', {
      id: caseId,
      evidenceId: file.id,
    })) as Result<unknown>;
    expect(again.ok).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('memo');
    // Without a way to save (a test workspace), it says so.
    expect(await refusal('cases.saveEvidence', { id: caseId, evidenceId: file.id })).toMatchObject({
      ok: false,
      error: { message: 'saving files is not available here' },
    });
  });

  it('refuse bad input and changes to a closed case, with the reason', async () => {
    expect(await refusal('cases.get', { id: 999 })).toMatchObject({
      ok: false,
      error: { kind: 'not-found', message: 'no case 999' },
    });
    expect(await refusal('cases.create', { title: '' })).toMatchObject({
      ok: false,
      error: { kind: 'bad-request' },
    });
    expect(
      await refusal('cases.tag', { id: caseId, eventIds: [1], tag: 'x', extra: 1 }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'bad-request' },
    });
    await call(ws.handlers, 'cases.setStatus', { id: caseId, status: 'closed' });
    expect(await refusal('cases.addNote', { id: caseId, body: 'late' })).toMatchObject({
      ok: false,
      error: {
        kind: 'failed',
        message: 'case ' + caseId + ' (Failed logins) is closed: reopen it to change it',
      },
    });
  });

  it('export a closed case and import it into another workspace, verified', async () => {
    const exported = await call(ws.handlers, 'cases.export', { id: caseId });
    expect(exported).toMatchObject({ events: 5, evidence: 1 });
    expect(existsSync(`${exported.dir}/data/case.json`)).toBe(true);
    const imported = await call(other.handlers, 'cases.import', { dir: exported.dir });
    expect(imported).toMatchObject({ title: 'Failed logins', events: 5, evidence: 1 });
    // The other workspace trusts its own log only: this one is verified by the bundle's key.
    expect(imported.trustedByBundleOnly.map((t) => t.origin)).toEqual(['console.example/log']);
    const there = await call(other.handlers, 'cases.get', { id: imported.caseId });
    expect(there).toMatchObject({ status: 'closed', events: 5, notes: 1, evidence: 1 });
    expect(await refusal('cases.import', { dir: `${exported.dir}-nowhere` })).toMatchObject({
      ok: false,
      error: { kind: 'failed' },
    });
    // A workspace that trusts another key for the same log refuses the bundle.
    const wary = await testWorkspace(5);
    const refused = (await dispatch(wary.handlers, 'cases.import', {
      dir: exported.dir,
    })) as Result<unknown>;
    wary.cache.close();
    expect(refused).toMatchObject({
      ok: false,
      error: {
        message: expect.stringMatching(
          /^data\/proofs\/000001\.tlog-proof: .*no signature by a trusted key/,
        ),
      },
    });
  });

  it('record every action in the activity journal, which verifies', async () => {
    const opened = await call(ws.handlers, 'search.page', { query: '', limit: 1 });
    await call(ws.handlers, 'search.entry', { id: opened.rows[0].id });
    await call(ws.handlers, 'search.remember', { query: 'outcome:failure', total: 17 });
    await call(ws.handlers, 'detect.run', {});
    const journal = await call(ws.handlers, 'journal.list', { limit: 100 });
    const actions = journal.entries.map((e) => e.action).reverse();
    expect(actions).toEqual([
      'case.create',
      'bookmark.add',
      'bookmark.add',
      'tag.add',
      'note.add',
      'evidence.add',
      'case.status',
      'case.export',
      'event.open',
      'search.run',
      'detect.run',
    ]);
    expect(journal.entries.every((e) => e.officer === 'Thandi Officer')).toBe(true);
    expect(await call(ws.handlers, 'journal.verify', {})).toEqual({
      ok: true,
      size: actions.length,
      problems: [],
    });
    // The import is on the other workspace's journal.
    const theirs = await call(other.handlers, 'journal.list', {});
    expect(theirs.entries.map((e) => e.action)).toEqual(['case.import']);
  });
});
