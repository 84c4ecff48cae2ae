/** The IPC registration, against a fake ipcMain: one handler per channel, guarded and validated. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES } from '../../shared/ipc/contract';
import { dispatch } from '../../main/ipc/dispatch';
import { IPC_PREFIX, registerIpc, trustedFrame, type InvokeEvent } from '../../main/ipc/register';
import { join } from 'node:path';
import { copyStore, newLogKey, sealRange } from '../helpers/cache';
import { testWorkspace } from '../helpers/workspace';

let ws: Awaited<ReturnType<typeof testWorkspace>>;
const registered = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>();

beforeAll(async () => {
  ws = await testWorkspace();
  registerIpc(
    {
      handle(channel, listener) {
        if (registered.has(channel)) throw new Error(`second handler for ${channel}`);
        registered.set(channel, listener);
      },
    },
    ws.handlers,
    trustedFrame('app://console'),
  );
}, 60_000);
afterAll(() => ws?.cache.close());

const console_ = { senderFrame: { url: 'app://console/index.html#/explorer' } };
const invoke = (channel: string, event: InvokeEvent, ...args: unknown[]) =>
  registered.get(IPC_PREFIX + channel)!(event, ...args);

describe('IPC registration', () => {
  it('registers exactly one handler per channel of the contract, and nothing else', () => {
    expect([...registered.keys()].sort()).toEqual(CHANNEL_NAMES.map((c) => IPC_PREFIX + c).sort());
  });

  it('answers the console frame', async () => {
    expect(await invoke('search.count', console_, { query: 'outcome:failure' })).toEqual({
      ok: true,
      value: 36,
    });
  });

  it.each([
    ['another origin', { senderFrame: { url: 'https://evil.example/' } }],
    ['a file page', { senderFrame: { url: 'file:///etc/passwd' } }],
    ['a look-alike', { senderFrame: { url: 'app://console.evil/' } }],
    ['another scheme', { senderFrame: { url: 'http://console/' } }],
    ['user info', { senderFrame: { url: 'app://x@console/' } }],
    ['no frame (destroyed)', { senderFrame: null }],
    ['a URL that does not parse', { senderFrame: { url: 'not a url' } }],
  ])('refuses a call from %s', async (_, event) => {
    expect(await invoke('search.count', event, { query: '' })).toEqual({
      ok: false,
      error: { kind: 'forbidden', message: 'not from the console' },
    });
  });

  it.each([
    ['a number for the query', { query: 5 }],
    ['an unknown key', { query: 'a', extra: true }],
    ['a query of 5000 characters', { query: 'x'.repeat(5000) }],
    ['null', null],
    ['a string', 'search'],
  ])('refuses a bad input (%s) with what is wrong', async (_, input) => {
    const r = (await invoke('search.count', console_, input)) as {
      ok: boolean;
      error: { kind: string; message: string };
    };
    expect(r.ok).toBe(false);
    expect(r.error.kind).toBe('bad-request');
    expect(r.error.message).toMatch(/^search\.count: /);
  });

  it('refuses extra arguments and an unknown channel', async () => {
    expect(await invoke('search.count', console_, { query: '' }, 'more')).toMatchObject({
      ok: false,
      error: { kind: 'bad-request' },
    });
    expect(await dispatch(ws.handlers, 'fs.readFile', {})).toMatchObject({
      ok: false,
      error: { kind: 'bad-request', message: 'no such operation "fs.readFile"' },
    });
    expect(await dispatch(ws.handlers, '__proto__', {})).toMatchObject({ ok: false });
    expect(await dispatch(ws.handlers, 'constructor', {})).toMatchObject({ ok: false });
  });

  it('returns a query error with its column rather than throwing', async () => {
    expect(await invoke('search.page', console_, { query: 'actor:(a OR' })).toEqual({
      ok: false,
      error: {
        kind: 'query',
        message: 'the query ends where a term was expected at column 12',
        column: 12,
      },
    });
  });

  it('opens an entry with its inclusion proof verified against the checkpoint', async () => {
    const page = (await invoke('search.page', console_, {
      query: 'outcome:failure',
      limit: 1,
    })) as {
      value: { rows: Array<{ id: number; index: number }> };
    };
    const r = (await invoke('search.entry', console_, { id: page.value.rows[0].id })) as {
      ok: true;
      value: { entry: string; proof: { verified: boolean; text: string; checkpointSize: number } };
    };
    expect(r.ok).toBe(true);
    expect(r.value.proof.verified).toBe(true);
    expect(r.value.proof.checkpointSize).toBe(600);
    expect(r.value.proof.text).toMatch(/^c2sp.org\/tlog-proof@v1\nindex \d+\n/);
    expect(JSON.parse(r.value.entry).kind).toBe('custos.audit/v1');
    expect(await invoke('search.entry', console_, { id: 999_999 })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
  });

  it('re-verifies the cache in a worker, with progress, while the services keep answering', async () => {
    ws.events.length = 0;
    const running = invoke('verify.run', console_, {}) as Promise<{
      ok: true;
      value: { ok: boolean; logs: Array<{ entries: number }> };
    }>;
    let finished = false;
    void running.then(() => (finished = true));
    // Answered while the verification runs (in-thread, it would have finished first).
    expect(await invoke('search.count', console_, { query: '' })).toEqual({ ok: true, value: 600 });
    expect(finished).toBe(false);
    const r = await running;
    expect(r.ok).toBe(true);
    expect(r.value.ok).toBe(true);
    expect(r.value.logs).toMatchObject([{ entries: 600 }]);
    const progress = ws.events.filter((e) => e.event === 'verify.progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)!.payload).toEqual({
      origin: 'console.example/log',
      done: 600,
      total: 600,
    });
  });

  it('tests and adds sources, shows the trust policy, and cancels only a running sync', async () => {
    expect(await invoke('sources.test', console_, { location: ws.storePath })).toEqual({
      ok: true,
      value: {
        ok: true,
        origin: 'console.example/log',
        size: 600,
        message: 'a checkpoint of console.example/log at size 600, signed by a trusted key',
      },
    });
    const missing = (await invoke('sources.test', console_, {
      location: `${ws.dir}/nowhere`,
    })) as { value: { ok: boolean; message: string } };
    expect(missing.value).toMatchObject({ ok: false, message: 'no checkpoint there' });
    const added = (await invoke('sources.add', console_, { location: `${ws.dir}/mirror` })) as {
      value: Array<{ id: number; location: string }>;
    };
    expect(added.value.map((s) => s.location)).toEqual([ws.storePath, `${ws.dir}/mirror`]);
    // Taken off the list (what it brought stays), and back when added again.
    const mirror = added.value[1];
    const removed = (await invoke('sources.remove', console_, { id: mirror.id })) as {
      value: Array<{ location: string }>;
    };
    expect(removed.value.map((s) => s.location)).toEqual([ws.storePath]);
    expect(await invoke('sources.remove', console_, { id: mirror.id })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    const back = (await invoke('sources.add', console_, { location: mirror.location })) as {
      value: Array<{ id: number }>;
    };
    expect(back.value.map((s) => s.id)).toEqual([added.value[0].id, mirror.id]);
    await invoke('sources.remove', console_, { id: mirror.id });
    const trust = (await invoke('trust.get', console_, {})) as {
      value: { logs: string[]; quorum: string; text: string };
    };
    expect(trust.value.logs).toEqual(['console.example/log']);
    expect(trust.value.quorum).toBe('none');
    expect(await invoke('sync.cancel', console_, {})).toEqual({ ok: true, value: false });
    // A policy that does not parse is refused and the kept one stays.
    expect(await invoke('trust.set', console_, { text: 'not a key' })).toMatchObject({
      ok: false,
      error: { kind: 'failed' },
    });
    expect(await invoke('trust.set', console_, { text: trust.value.text })).toEqual({
      ok: true,
      value: { logs: ['console.example/log'], witnesses: [] },
    });
  });

  it('moves a source to a new location only where the same log is served', async () => {
    const [source] = (
      (await invoke('app.overview', console_, {})) as {
        value: { sources: Array<{ id: number; location: string; origin: string }> };
      }
    ).value.sources;
    expect(source.origin).toBe('console.example/log');
    const moved = copyStore(ws.storePath, `${ws.dir}/moved`);
    const other = join(ws.dir, 'other');
    const otherLog = await newLogKey(ws.dir, 'other', 'other.example/log');
    await sealRange(other, otherLog.key, 0, 3);
    // Nothing there, another log, or another source's location: refused, and nothing changes.
    expect(
      await invoke('sources.edit', console_, { id: source.id, location: `${ws.dir}/nowhere` }),
    ).toMatchObject({ ok: false, error: { message: `${ws.dir}/nowhere: no checkpoint there` } });
    const foreign = (await invoke('sources.edit', console_, {
      id: source.id,
      location: other,
    })) as {
      ok: boolean;
      error: { message: string };
    };
    expect(foreign.ok).toBe(false);
    expect(foreign.error.message).toMatch(/other\.example\/log/);
    expect(await invoke('sources.edit', console_, { id: 99, location: moved })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    const edited = (await invoke('sources.edit', console_, { id: source.id, location: moved })) as {
      value: Array<{ id: number; location: string; origin: string }>;
    };
    expect(edited.value).toEqual([
      expect.objectContaining({ id: source.id, location: moved, origin: 'console.example/log' }),
    ]);
    const back = (await invoke('sources.edit', console_, {
      id: source.id,
      location: ws.storePath,
    })) as { value: Array<{ location: string }> };
    expect(back.value.map((s) => s.location)).toEqual([ws.storePath]);
  });

  it('cancels a running verification, and nothing when none runs', async () => {
    expect(await invoke('verify.cancel', console_, {})).toEqual({ ok: true, value: false });
    const running = invoke('verify.run', console_, {});
    expect(await invoke('verify.cancel', console_, {})).toEqual({ ok: true, value: true });
    expect(await running).toEqual({
      ok: false,
      error: { kind: 'failed', message: 'the verification was cancelled' },
    });
    // And it can run again.
    expect(await invoke('verify.run', console_, {})).toMatchObject({
      ok: true,
      value: { ok: true },
    });
  });

  it('syncs with progress events and gives an overview', async () => {
    const r = (await invoke('sync.run', console_, { locations: [ws.storePath] })) as {
      ok: true;
      value: { results: unknown[] };
    };
    expect(r.value.results).toEqual([
      {
        location: ws.storePath,
        ok: true,
        origin: 'console.example/log',
        newEntries: 0,
        size: 600,
        message: 'up to date',
      },
    ]);
    const history = (await invoke('sync.history', console_, {})) as {
      value: Array<{ location: string; status: string }>;
    };
    expect(history.value.slice(0, 2)).toEqual([
      expect.objectContaining({ location: ws.storePath, status: 'ok' }),
      expect.objectContaining({ location: ws.storePath, status: 'ok' }),
    ]);
    const o = (await invoke('app.overview', console_, {})) as {
      ok: true;
      value: { logs: Array<{ entries: number; verifiedSize: number }>; openAlarms: number };
    };
    expect(o.value.logs).toMatchObject([{ entries: 600, verifiedSize: 600 }]);
    expect(o.value.openAlarms).toBe(0);
  });
});
