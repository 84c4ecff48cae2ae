/**
 * The officer's activity journal: every action an officer takes in Custos (a search run, an event
 * opened, an export, a case created or changed, a bookmark, a note, a report made) appended as one
 * `custos.audit/v1` entry to a tlog-tiles store kept inside the encrypted cache, signed with a
 * per-workspace key. An anchor file beside the cache holds the latest checkpoint (origin, size and
 * root hash only), so that rolling the cache back, rewriting the journal or re-creating it shows.
 * See docs/journal.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { bytesEqual, fromBase64, fromUtf8 } from '../../shared/bytes';
import type { JsonValue } from '../../shared/entry/json';
import {
  decodeEntry,
  encodeEntry,
  EntryError,
  type CATEGORIES,
  type CustosAuditEvent,
  type OUTCOMES,
  type SEVERITIES,
} from '../../shared/entry/model';
import { openCheckpoint, parseCheckpointText, type Checkpoint } from '../../shared/tlog/checkpoint';
import { createTreeHasher } from '../../shared/tlog/hasher';
import {
  consistencyProof,
  consistencyProofRanges,
  nodesForRanges,
  verifyConsistency,
} from '../../shared/tlog/merkle';
import {
  ed25519NoteSigner,
  formatVerifierKey,
  parseNote,
  parsePrivateKeyString,
  SIG_ED25519,
} from '../../shared/tlog/note';
import { parsePolicy } from '../../shared/tlog/policy';
import {
  splitEntryBundle,
  TILE_WIDTH,
  tileNodeReader,
  tilePath,
  tilesForNodes,
} from '../../shared/tlog/tiles';
import { ed25519SignerFromSeed, nodeCrypto } from '../crypto/nodeCrypto';
import type { Db } from '../store/cache';
import type { CacheStore } from '../store/cacheStore';
import { generateLogKey, type LogKey } from '../tlog/keys';
import { sealEntries } from '../tlog/seal';
import { FolderStorage } from '../tlog/storage';
import { readTiles } from '../tlog/treeState';
import { verifyStore } from '../tlog/verifyStore';
import { CacheLogStorage, StagedLogStorage } from './cacheLogStorage';

/** The `source` of every journal entry. */
export const JOURNAL_SOURCE = 'custos.journal';
/** The anchor file is `<cache path>` followed by this suffix. */
export const ANCHOR_SUFFIX = '.journal-checkpoint';
/** The action of the entry recorded when an append finds the anchor file missing. */
export const ANCHOR_RECREATED_ACTION = 'journal.anchor-recreated';

// Meta keys. The private key lives in the cache, which is encrypted: whoever can read it holds the
// cache key already, and could rewrite the cache anyway (the anchor is what detects that).
const META_PRIVATE_KEY = 'journal_private_key';
const META_VERIFIER_KEY = 'journal_verifier_key';
// Set once the first anchor file is written: from then on a missing anchor was removed, whereas
// before it the first append (here or in another process) has not finished writing it.
const META_ANCHORED = 'journal_anchored';

const ACTION = /^[a-z][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)+$/;
const MAX_ANCHOR_SIZE = 64 * 1024;
const MAX_LISTED = 1000;
const MAX_PROBLEMS_PER_KIND = 10;
const APPEND_ATTEMPTS = 10;

export type JournalCategory = (typeof CATEGORIES)[number];
export type JournalOutcome = (typeof OUTCOMES)[number];
export type JournalSeverity = (typeof SEVERITIES)[number];

export class JournalError extends Error {
  override name = 'JournalError';
}

/**
 * The entry was recorded in the cache, but the anchor file was left as it is, because it does
 * not match the journal (a rollback, a rewritten or re-created journal): it is the evidence.
 * `entry` is the entry recorded. `custos journal --verify` names the problem too.
 */
export class JournalAnchorError extends JournalError {
  override name = 'JournalAnchorError';
  constructor(
    message: string,
    readonly entry: JournalEntry,
  ) {
    super(message);
  }
}

export interface JournalOptions {
  /** Who acts: the actor id of every entry appended. Default: the OS user name. */
  officer?: string;
  /** Where the anchor file is. Default: `<cachePath>.journal-checkpoint`. */
  anchorPath?: string;
  /** The clock, in ms since the epoch (tests). */
  now?: () => number;
}

/** What an append may add to the entry besides its action and details. */
export interface AppendOptions {
  /** Default `data` (officers work on audit data); `system` for settings, sync and the like. */
  category?: JournalCategory;
  /** Default `success`. */
  outcome?: JournalOutcome;
  /** Default `info`. */
  severity?: JournalSeverity;
  /** What the action was on: a case, an event, a report. */
  target?: { type: string; id: string; name?: string };
  /** Why, as the officer gave it. */
  reason?: string;
}

/** One journal entry as listed. */
export interface JournalEntry {
  /** Its index in the journal (0 is the first). */
  index: number;
  /** The entry's unique id. */
  id: string;
  /** ms since the epoch, UTC. */
  time: number;
  officer: string;
  action: string;
  category: string;
  outcome: string;
  severity: string;
  details: Record<string, JsonValue>;
  target?: { type: string; id: string; name?: string };
  reason?: string;
  /** Set when the listing copy of this entry cannot be read (verify() says more). */
  damaged?: string;
}

export interface JournalVerifyResult {
  ok: boolean;
  /** The journal's origin (`custos.journal/<hex>`), null when the cache has no journal yet. */
  origin: string | null;
  /** Entries in the journal, per its checkpoint. */
  size: number;
  /** Entries the anchor file records; null when there is none. */
  anchorSize: number | null;
  anchorPath: string;
  /** Each names what is wrong and where. */
  problems: string[];
  /** Not failures, but worth knowing: e.g. an anchor that had to be re-created. */
  warnings: string[];
}

export interface JournalExport {
  dir: string;
  origin: string;
  size: number;
  /** `<dir>/journal.pub`: the verifier key, for `custos verify --store <dir> --trust <it>`. */
  publicKeyPath: string;
}

interface KeyState {
  privateKey: string;
  verifierKey: string;
}

/** Who is working: CUSTOS_OFFICER, or the operating system's user name. */
export function officerName(): string {
  const name = process.env.CUSTOS_OFFICER?.trim();
  if (name) return name.slice(0, 200);
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment is the best we have.
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

function logKeyFromPrivate(text: string): LogKey {
  const { name, keyId, seed } = parsePrivateKeyString(nodeCrypto, text);
  const ed = ed25519SignerFromSeed(seed);
  const signer = ed25519NoteSigner(nodeCrypto, name, ed);
  if (signer.keyId !== keyId) throw new JournalError(`the journal key's ID does not match the key`);
  return { name, signer, verifier: { name, keyId, type: SIG_ED25519, publicKey: ed.publicKey } };
}

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

/**
 * The activity journal of one workspace (one cache). Open it once per cache with
 * {@link Journal.open} and share it: appends through one instance are serialised; appends from
 * several instances or processes over the same cache are also safe (each commit checks that the
 * journal did not move underneath it, and prepares again if it did).
 *
 * @example
 * const journal = Journal.open(store, cachePath, { officer: 'a.dlamini' });
 * await journal.append('search.run', { query: 'action:customer.export', results: 12 });
 * const newest = journal.list({ limit: 20 });
 * const { ok, problems } = await journal.verify();
 */
export class Journal {
  /** The actor id of the entries this instance appends. */
  readonly officer: string;
  /** The anchor file beside the cache. */
  readonly anchorPath: string;
  private readonly db: Db;
  private readonly storage: CacheLogStorage;
  private readonly now: () => number;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(db: Db, cachePath: string, options: JournalOptions) {
    this.db = db;
    this.storage = new CacheLogStorage(db);
    this.officer = options.officer ?? officerName();
    if (this.officer.length === 0 || this.officer.length > 256)
      throw new JournalError('the officer name must be 1 to 256 characters');
    this.anchorPath = options.anchorPath ?? `${cachePath}${ANCHOR_SUFFIX}`;
    this.now = options.now ?? Date.now;
  }

  /**
   * Opens the journal of a cache (opened with openCacheDb, so its schema is current). Nothing is
   * written until the first append, which also creates the journal's key.
   * @param cache the cache, or its database
   * @param cachePath the cache file's path: the anchor file is kept beside it
   */
  static open(cache: CacheStore | Db, cachePath: string, options: JournalOptions = {}): Journal {
    return new Journal('prepare' in cache ? cache : cache.db, cachePath, options);
  }

  /** The journal's origin, `custos.journal/<16 hex>`; null before the first append. */
  get origin(): string | null {
    const key = this.keyState();
    return key ? logKeyFromPrivate(key.privateKey).name : null;
  }

  /** The journal's verifier key (a signed-note verifier key, public); null before the first append. */
  get publicKey(): string | null {
    return this.keyState()?.verifierKey ?? null;
  }

  /**
   * The latest signed checkpoint note (origin, size, root hash, signature: no audit data), to
   * cite the journal's state elsewhere, e.g. in a case bundle or a report; null before the first
   * append.
   */
  checkpoint(): string | null {
    const note = this.storage.readSync('checkpoint');
    return note ? fromUtf8(note) : null;
  }

  /** The number of entries, per the latest checkpoint (unverified: verify() checks it). */
  get size(): number {
    const note = this.checkpoint();
    if (!note) return 0;
    try {
      return parseCheckpointText(parseNote(note).text).size;
    } catch (e) {
      throw new JournalError(
        `the journal checkpoint in ${this.storage.location} is unreadable: ${(e as Error).message}`,
      );
    }
  }

  /**
   * Appends one entry: `action` (a dotted verb such as `search.run`, `event.open`,
   * `export.create`, `case.create`, `case.change`, `bookmark.add`, `note.add`, `report.create`),
   * done by this instance's officer now, with `details` as the entry's attributes. Resolves once
   * the entry is committed to the cache and the anchor file updated; appends are serialised.
   *
   * @throws JournalError when the entry is invalid (bad action, details over 64 KiB) or the
   *   journal in the cache does not verify enough to append to (run verify()).
   * @throws JournalAnchorError when the entry was recorded but the anchor file does not match
   *   the journal (it is then left untouched as evidence).
   */
  append(
    action: string,
    details: Record<string, JsonValue> = {},
    options: AppendOptions = {},
  ): Promise<JournalEntry> {
    if (action === ANCHOR_RECREATED_ACTION)
      return Promise.reject(new JournalError(`${action} is recorded by the journal itself`));
    const run = this.tail.then(() => this.appendNow(action, details, options));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * The newest entries first, from the listing copy (fast; verify() checks it against the signed
   * tiles). `beforeIndex` pages back: pass the last listed index to get the ones before it.
   */
  list(options: { limit?: number; beforeIndex?: number } = {}): JournalEntry[] {
    const limit = options.limit ?? 50;
    if (!(Number.isSafeInteger(limit) && limit >= 0 && limit <= MAX_LISTED))
      throw new JournalError(`limit must be an integer from 0 to ${MAX_LISTED}, not ${limit}`);
    const before = options.beforeIndex ?? Number.MAX_SAFE_INTEGER;
    if (!(Number.isSafeInteger(before) && before >= 0))
      throw new JournalError(`beforeIndex must be a non-negative integer, not ${before}`);
    const rows = this.db
      .prepare(
        'SELECT idx, time, officer, action, data FROM journal_entries WHERE idx < ? ORDER BY idx DESC LIMIT ?',
      )
      .all(before, limit) as Array<{
      idx: number;
      time: number;
      officer: string;
      action: string;
      data: Buffer;
    }>;
    return rows.map((r) => toJournalEntry(r.idx, u8(r.data), r));
  }

  /**
   * What the console's journal screen shows: the size, the origin and the newest entries, each
   * reduced to index, time, officer, action and details.
   */
  listForConsole(limit = 200): {
    size: number;
    origin: string | null;
    entries: Array<Pick<JournalEntry, 'index' | 'time' | 'officer' | 'action' | 'details'>>;
  } {
    return {
      size: this.size,
      origin: this.origin,
      entries: this.list({ limit }).map(({ index, time, officer, action, details }) => ({
        index,
        time,
        officer,
        action,
        details,
      })),
    };
  }

  /**
   * Checks the journal: its tiles, entries and checkpoint signature (verifyStore against the
   * journal's own verifier key), the listing copy against the tiles, and the anchor file: present,
   * signed by the journal's key, and consistent with the journal (same tree, or a prefix of it).
   * Checkpoints of the journal kept elsewhere (`kept`: from a case bundle, a report, an earlier
   * export, each with a label naming where it came from) are checked the same way as the anchor.
   * Never throws for what it finds: each problem is named in `problems`.
   */
  async verify(
    options: { kept?: Array<{ note: string; label: string }> } = {},
  ): Promise<JournalVerifyResult> {
    const kept = options.kept ?? [];
    const result: JournalVerifyResult = {
      ok: false,
      origin: null,
      size: 0,
      anchorSize: null,
      anchorPath: this.anchorPath,
      problems: [],
      warnings: [],
    };
    const problems = result.problems;
    const anchorNote = await this.readAnchor();
    const keys = this.keyState();
    if (!keys) {
      const rows = this.db
        .prepare(
          'SELECT (SELECT count(*) FROM journal_store) AS store, (SELECT count(*) FROM journal_entries) AS entries',
        )
        .get() as { store: number; entries: number };
      if (rows.store > 0 || rows.entries > 0)
        problems.push(
          `the cache holds journal data (${rows.store} journal_store rows, ${rows.entries} journal_entries rows) but no journal key in its meta table: the key was removed`,
        );
      if (anchorNote !== null) problems.push(this.orphanAnchorProblem(anchorNote));
      for (const k of kept) problems.push(this.orphanAnchorProblem(k.note, k.label));
      result.ok = problems.length === 0;
      return result;
    }

    let key: LogKey;
    try {
      key = logKeyFromPrivate(keys.privateKey);
    } catch (e) {
      problems.push(
        `the journal's private key in the cache is unreadable: ${(e as Error).message}`,
      );
      return result;
    }
    result.origin = key.name;
    if (formatVerifierKey(key.verifier) !== keys.verifierKey.trim())
      problems.push(
        `the journal's verifier key in the cache (${META_VERIFIER_KEY}) does not belong to its private key: one of them was replaced`,
      );

    // The store, against the verifier key the private key implies.
    const trust = parsePolicy(nodeCrypto, formatVerifierKey(key.verifier), 'the journal key');
    const report = await verifyStore(this.storage, trust);
    for (const p of report.problems)
      problems.push(
        `journal ${p.path}${p.entry !== undefined ? `, entry ${p.entry}` : ''}: ${p.message}`,
      );
    const size = report.size ?? 0;
    result.size = size;

    // The listing copy, against the entries in the bundles.
    const entries = await this.readAllEntries(size);
    this.checkListingCopy(entries, size, problems);
    for (const [index, bytes] of entries) {
      const e = safeDecode(bytes);
      if (e?.action === ANCHOR_RECREATED_ACTION && e.source === JOURNAL_SOURCE)
        result.warnings.push(
          `entry ${index} (${e.time}): the anchor file was missing and was re-created; the ${index} entries before it were not protected by an anchor until then`,
        );
    }

    // The anchor.
    if (anchorNote === null) {
      if (size > 0)
        problems.push(
          this.everAnchored()
            ? `the anchor file ${this.anchorPath} is missing: it was deleted or moved, so a rollback of the cache could not be detected`
            : `the anchor file ${this.anchorPath} was never written: the first append did not finish (or the anchor is being written now)`,
        );
    }
    const current = report.root ? { size, root: fromBase64(report.root) } : null;
    const checks = [
      ...(anchorNote === null ? [] : [{ note: anchorNote, label: undefined, isAnchor: true }]),
      ...kept.map((k) => ({ ...k, isAnchor: false })),
    ];
    for (const { note, label, isAnchor } of checks) {
      const anchored = this.openAnchor(note, key, label);
      if (typeof anchored === 'string') problems.push(anchored);
      else {
        if (isAnchor) result.anchorSize = anchored.size;
        const p = await this.consistencyProblem(anchored, current, label);
        if (p) problems.push(p);
      }
    }
    result.ok = problems.length === 0;
    return result;
  }

  /**
   * Writes the journal as an ordinary tlog-tiles folder (every stored resource, the checkpoint
   * last) with `journal.pub`, its verifier key, so that anyone can check it with
   * `custos verify --store <dir> --trust <dir>/journal.pub` or another C2SP tool. The folder
   * holds the journal's entries in plaintext: put it where evidence goes. `dir` must be new or
   * empty.
   */
  async exportTo(dir: string): Promise<JournalExport> {
    let existing: string[] = [];
    try {
      existing = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new JournalError(`cannot export the journal to ${dir}: ${(e as Error).message}`);
    }
    if (existing.length > 0)
      throw new JournalError(`cannot export the journal to ${dir}: the folder is not empty`);
    const keys = this.keyState();
    // One synchronous read: a consistent snapshot even while appends go on.
    const rows = this.db
      .prepare('SELECT path, data FROM journal_store ORDER BY path')
      .all() as Array<{
      path: string;
      data: Buffer;
    }>;
    const checkpoint = rows.find((r) => r.path === 'checkpoint');
    if (!keys || !checkpoint) throw new JournalError('the journal is empty: nothing to export');
    const cp = parseCheckpointText(parseNote(u8(checkpoint.data)).text);
    const folder = new FolderStorage(dir);
    for (const r of rows) if (r.path !== 'checkpoint') await folder.write(r.path, u8(r.data));
    await folder.flush();
    await folder.write('checkpoint', u8(checkpoint.data));
    await folder.flush();
    const publicKeyPath = join(folder.root, 'journal.pub');
    await writeFile(publicKeyPath, `${keys.verifierKey.trim()}\n`, { mode: 0o644 });
    return { dir: folder.root, origin: cp.origin, size: cp.size, publicKeyPath };
  }

  private keyState(): KeyState | null {
    const get = (k: string) =>
      (
        this.db.prepare('SELECT value FROM meta WHERE key = ?').get(k) as
          { value: string } | undefined
      )?.value ?? null;
    const privateKey = get(META_PRIVATE_KEY);
    const verifierKey = get(META_VERIFIER_KEY);
    return privateKey && verifierKey ? { privateKey, verifierKey } : null;
  }

  private buildEvent(
    action: string,
    details: Record<string, JsonValue>,
    options: AppendOptions,
  ): CustosAuditEvent {
    if (!ACTION.test(action) || action.length > 128)
      throw new JournalError(
        `journal action ${JSON.stringify(action)} is not a dotted lowercase verb like search.run`,
      );
    if (details === null || typeof details !== 'object' || Array.isArray(details))
      throw new JournalError(`journal entry ${action}: details must be an object`);
    return {
      kind: 'custos.audit/v1',
      id: randomUUID(),
      time: new Date(this.now()).toISOString(),
      source: JOURNAL_SOURCE,
      category: options.category ?? 'data',
      action,
      outcome: options.outcome ?? 'success',
      actor: { id: this.officer, type: 'user' },
      ...(options.target ? { target: options.target } : {}),
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
      severity: options.severity ?? 'info',
      attributes: details,
    };
  }

  private encode(event: CustosAuditEvent): Uint8Array {
    try {
      return encodeEntry(event);
    } catch (e) {
      if (e instanceof EntryError)
        throw new JournalError(`journal entry ${event.action}: ${e.message}`);
      throw e;
    }
  }

  private async appendNow(
    action: string,
    details: Record<string, JsonValue>,
    options: AppendOptions,
  ): Promise<JournalEntry> {
    const event = this.buildEvent(action, details, options);
    const entryBytes = this.encode(event);
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const keysBefore = this.keyState();
      const noteBefore = this.storage.readSync('checkpoint');
      const fresh = keysBefore
        ? null
        : generateLogKey(`custos.journal/${randomBytes(8).toString('hex')}`);
      const keys = keysBefore ?? fresh!;
      const key = logKeyFromPrivate(keys.privateKey);

      let current: Checkpoint | null = null;
      if (noteBefore) {
        try {
          current = openCheckpoint(nodeCrypto, noteBefore, [key.verifier], key.name).checkpoint;
        } catch (e) {
          throw this.cannotAppend(`its checkpoint does not verify: ${(e as Error).message}`);
        }
      }
      const previousSize = current?.size ?? 0;
      const anchor = await this.anchorBeforeAppend(key, current);

      const batch: Uint8Array[] = [];
      if (anchor.missing && previousSize > 0 && this.everAnchored()) {
        // A deleted anchor is re-created, but never silently: the journal itself records it.
        batch.push(
          this.encode({
            ...this.buildEvent(
              ANCHOR_RECREATED_ACTION,
              { anchor: this.anchorPath, unprotectedEntries: previousSize },
              {
                category: 'security',
                severity: 'high',
                outcome: 'unknown',
                reason: `the anchor file was missing when entry ${previousSize} was appended; a new one was written`,
              },
            ),
            actor: { id: 'custos', type: 'system', name: 'Custos' },
            time: event.time,
          }),
        );
      }
      batch.push(entryBytes);

      const staged = new StagedLogStorage(this.storage);
      let sealed;
      try {
        sealed = await sealEntries(staged, key, batch);
      } catch (e) {
        // A commit by another writer while this seal read the store is a conflict, not damage.
        if (this.changedSince(keysBefore, noteBefore)) {
          await this.pauseAfterConflict(attempt);
          continue;
        }
        throw this.cannotAppend((e as Error).message);
      }
      const newNote = staged.writes.get('checkpoint')!;

      const committed = this.db
        .transaction(() => {
          // Compare-and-swap: another instance or process may have appended meanwhile.
          if (this.changedSince(keysBefore, noteBefore)) return false;
          if (fresh) {
            const set = this.db.prepare(
              'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
            );
            set.run(META_PRIVATE_KEY, fresh.privateKey);
            set.run(META_VERIFIER_KEY, fresh.verifierKey);
          }
          this.storage.commit(staged.writes);
          // The listing copy is not authoritative, so a stale row at these indices is replaced.
          const insert = this.db.prepare(
            'INSERT OR REPLACE INTO journal_entries (idx, time, officer, action, data) VALUES (?, ?, ?, ?, ?)',
          );
          batch.forEach((bytes, i) => {
            const e = decodeEntry(bytes).entry as CustosAuditEvent;
            insert.run(
              previousSize + i,
              Date.parse(e.time),
              e.actor.id,
              e.action,
              Buffer.from(bytes),
            );
          });
          return true;
        })
        .immediate();
      if (!committed) {
        await this.pauseAfterConflict(attempt);
        continue;
      }

      const entry = toJournalEntry(sealed.size - 1, entryBytes);
      if (anchor.problem)
        throw new JournalAnchorError(
          `entry ${entry.index} (${action}) was recorded, but the anchor was not updated: ${anchor.problem}`,
          entry,
        );
      await this.writeAnchor(newNote, key, sealed.size);
      return entry;
    }
    throw this.cannotAppend(
      `the journal kept changing during ${APPEND_ATTEMPTS} attempts (another process appending?)`,
    );
  }

  /** Whether an anchor file was ever written for this journal (this origin). */
  private everAnchored(): boolean {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(META_ANCHORED) as
      { value: string } | undefined;
    return row !== undefined && row.value === this.origin;
  }

  /** Whether the journal's key or checkpoint differs from what was read before a seal. */
  private changedSince(keys: KeyState | null, note: Uint8Array | null): boolean {
    const keysNow = this.keyState();
    const noteNow = this.storage.readSync('checkpoint');
    if ((keysNow?.privateKey ?? null) !== (keys?.privateKey ?? null)) return true;
    if (noteNow === null || note === null) return noteNow !== note;
    return !bytesEqual(noteNow, note);
  }

  /** Another writer won this round; a short random pause keeps two from colliding again. */
  private pauseAfterConflict(attempt: number) {
    return new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
  }

  private cannotAppend(why: string): JournalError {
    return new JournalError(
      `cannot append to the journal in ${this.storage.location}: ${why}; run custos journal --verify`,
    );
  }

  /** Whether the anchor may be replaced after this append, and if not, why. */
  private async anchorBeforeAppend(
    key: LogKey,
    current: Checkpoint | null,
  ): Promise<{ missing: boolean; problem?: string }> {
    const note = await this.readAnchor();
    if (note === null) return { missing: true };
    if (!current) return { missing: false, problem: this.orphanAnchorProblem(note) };
    const anchored = this.openAnchor(note, key);
    if (typeof anchored === 'string') return { missing: false, problem: anchored };
    // The usual case, checked without reading a tile: the anchor is the checkpoint appended to.
    if (anchored.size === current.size && bytesEqual(anchored.root, current.root))
      return { missing: false };
    const problem = await this.consistencyProblem(anchored, current);
    return problem ? { missing: false, problem } : { missing: false };
  }

  private orphanAnchorProblem(note: string, where = `the anchor file ${this.anchorPath}`): string {
    let what = 'a checkpoint';
    try {
      const cp = parseCheckpointText(parseNote(note).text);
      what = `a checkpoint of journal ${cp.origin} at ${cp.size} entries`;
    } catch {
      // Unreadable: described as it is.
    }
    return `the cache has no journal, but ${where} holds ${what}: the journal was deleted from the cache (or the cache replaced), or it belongs to another cache`;
  }

  /** A kept checkpoint (the anchor's), verified with the journal's key; or the problem, named. */
  private openAnchor(
    note: string,
    key: LogKey,
    where = `the anchor file ${this.anchorPath}`,
  ): Checkpoint | string {
    if (note.length > MAX_ANCHOR_SIZE)
      return `${where} is larger than any checkpoint: it was replaced`;
    let parsed: Checkpoint;
    try {
      parsed = parseCheckpointText(parseNote(note).text);
    } catch (e) {
      return `${where} is not a checkpoint: ${(e as Error).message}`;
    }
    if (parsed.origin !== key.name)
      return `${where} is a checkpoint of journal ${parsed.origin}, but this cache's journal is ${key.name}: the journal was re-created with a fresh key and history, or it belongs to another cache`;
    try {
      return openCheckpoint(nodeCrypto, note, [key.verifier], key.name).checkpoint;
    } catch (e) {
      return `${where} is not signed by this journal's key (${(e as Error).message}): the journal's key was replaced, or it was forged`;
    }
  }

  /** Whether the journal at `current` extends the anchored tree; the problem, named, if not. */
  private async consistencyProblem(
    anchored: Checkpoint,
    current: { size: number; root: Uint8Array } | null,
    where = `the anchor file ${this.anchorPath}`,
  ): Promise<string | null> {
    const size = current?.size ?? 0;
    if (anchored.size > size)
      return `${where} records ${anchored.size} entries but the journal in the cache has ${size}: the cache was rolled back to an older copy, or entries were removed`;
    if (anchored.size === 0 || !current) return null;
    if (anchored.size === size)
      return bytesEqual(anchored.root, current.root)
        ? null
        : `${where} records ${size} entries with another root hash than the journal's: the journal's history was rewritten`;
    const hasher = createTreeHasher(nodeCrypto.sha256);
    try {
      const nodes = nodesForRanges(consistencyProofRanges(anchored.size, size));
      const tiles = await readTiles(this.storage, tilesForNodes(nodes, size));
      const proof = consistencyProof(
        hasher,
        anchored.size,
        size,
        tileNodeReader(hasher, size, tiles),
      );
      verifyConsistency(hasher, anchored.size, size, anchored.root, current.root, proof);
      return null;
    } catch (e) {
      return `the journal's first ${anchored.size} entries are not those ${where} recorded (${(e as Error).message}): the journal's history was rewritten`;
    }
  }

  /** The anchor file's text (at most MAX_ANCHOR_SIZE + 1 bytes of it), or null when absent. */
  private async readAnchor(): Promise<string | null> {
    let fh;
    try {
      fh = await open(this.anchorPath, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new JournalError(
        `cannot read the anchor file ${this.anchorPath}: ${(e as Error).message}`,
      );
    }
    try {
      // Bounded: a planted huge file must not be read into memory.
      const buf = Buffer.alloc(MAX_ANCHOR_SIZE + 1);
      let n = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n);
        if (bytesRead === 0 || (n += bytesRead) === buf.length) break;
      }
      return buf.subarray(0, n).toString('utf8');
    } finally {
      await fh.close();
    }
  }

  /**
   * Replaces the anchor atomically (temp file, fsync, rename, directory fsync), mode 0600. An
   * anchor already further along (another process appended meanwhile) is left as it is.
   */
  private async writeAnchor(note: Uint8Array, key: LogKey, size: number) {
    const existing = await this.readAnchor();
    if (existing !== null) {
      const anchored = this.openAnchor(existing, key);
      if (typeof anchored !== 'string' && anchored.size > size) return;
    }
    const tmp = `${this.anchorPath}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(note);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.anchorPath);
      const dir = await open(dirname(this.anchorPath), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
      if (!this.everAnchored())
        this.db
          .prepare(
            'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
          )
          .run(META_ANCHORED, key.name);
    } catch (e) {
      await rm(tmp, { force: true });
      throw new JournalError(
        `entry ${size - 1} was recorded, but the anchor file ${this.anchorPath} could not be written: ${(e as Error).message}`,
      );
    }
  }

  /** Entries [0, size) from the bundles, by index; those that cannot be read are left out. */
  private async readAllEntries(size: number): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    for (let k = 0; k * TILE_WIDTH < size; k++) {
      const width = Math.min(TILE_WIDTH, size - k * TILE_WIDTH);
      const bundle = await this.storage.read(tilePath({ level: 'entries', index: k, width }));
      if (!bundle) continue;
      splitEntryBundle(bundle)
        .entries.slice(0, width)
        .forEach((e, i) => out.set(k * TILE_WIDTH + i, e));
    }
    return out;
  }

  private checkListingCopy(entries: Map<number, Uint8Array>, size: number, problems: string[]) {
    const rows = this.db
      .prepare('SELECT idx, time, officer, action, data FROM journal_entries ORDER BY idx')
      .all() as Array<{ idx: number; time: number; officer: string; action: string; data: Buffer }>;
    const found: string[] = [];
    const seen = new Set<number>();
    for (const r of rows) {
      seen.add(r.idx);
      if (r.idx >= size) {
        found.push(
          `journal_entries row ${r.idx} is beyond the journal's ${size} entries: it was added outside the journal, or the journal was truncated`,
        );
        continue;
      }
      const bytes = entries.get(r.idx);
      if (!bytes) continue; // the bundle's own problem is reported by the store check
      if (!bytesEqual(u8(r.data), bytes)) {
        found.push(
          `journal_entries row ${r.idx} differs from entry ${r.idx} in the journal's tiles: the listing copy was altered`,
        );
        continue;
      }
      const e = safeDecode(bytes);
      if (
        !e ||
        Date.parse(e.time) !== r.time ||
        e.actor.id !== r.officer ||
        e.action !== r.action
      ) {
        found.push(
          `journal_entries row ${r.idx}: its time, officer or action column does not match entry ${r.idx}: the listing copy was altered`,
        );
      }
    }
    for (let i = 0; i < size; i++)
      if (!seen.has(i))
        found.push(`journal_entries has no row for entry ${i}: the listing copy lost it`);
    problems.push(...found.slice(0, MAX_PROBLEMS_PER_KIND));
    if (found.length > MAX_PROBLEMS_PER_KIND)
      problems.push(
        `and ${found.length - MAX_PROBLEMS_PER_KIND} more problems with the listing copy (journal_entries)`,
      );
  }
}

function safeDecode(bytes: Uint8Array): CustosAuditEvent | null {
  try {
    const { entry } = decodeEntry(bytes);
    return entry.kind === 'custos.audit/v1' ? entry : null;
  } catch {
    return null;
  }
}

function toJournalEntry(
  index: number,
  bytes: Uint8Array,
  row?: { time: number; officer: string; action: string },
): JournalEntry {
  let e: CustosAuditEvent | null = null;
  let damaged: string | undefined;
  try {
    const { entry } = decodeEntry(bytes);
    if (entry.kind === 'custos.audit/v1') e = entry;
    else damaged = `entry ${index} is a ${entry.kind} entry, not a journal entry`;
  } catch (err) {
    damaged = `entry ${index} cannot be read: ${(err as Error).message}`;
  }
  if (!e) {
    return {
      index,
      id: '',
      time: row?.time ?? 0,
      officer: row?.officer ?? '',
      action: row?.action ?? '',
      category: '',
      outcome: '',
      severity: '',
      details: {},
      damaged,
    };
  }
  return {
    index,
    id: e.id,
    time: Date.parse(e.time),
    officer: e.actor.id,
    action: e.action,
    category: e.category,
    outcome: e.outcome,
    severity: e.severity,
    details: (e.attributes ?? {}) as Record<string, JsonValue>,
    ...(e.target ? { target: e.target } : {}),
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
  };
}
