/**
 * Cases: what an investigator found, why it matters and what they did, with proof of each piece.
 * A case holds bookmarked events (each with its own copy of the entry bytes and, once exported or
 * imported, its inclusion proof), tags, notes, evidence files hashed on import, and a custody log
 * that records every change. A closed case is read-only until it is reopened, and reopening is
 * recorded like everything else.
 */
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import type { JsonValue } from '../../shared/entry/json';
import type { NormalizedFields } from '../../shared/entry/normalize';
import type { Db } from '../store/cache';
import { CacheStore } from '../store/cacheStore';
import { migrate } from '../store/migrations/index';
import { searchableEntry } from '../sync/prepareSegment';
import { SearchService } from '../search/service';
import { createTreeHasher } from '../../shared/tlog/hasher';
import { nodeCrypto } from '../crypto/nodeCrypto';

export const CASE_STATUSES = ['open', 'in-review', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Evidence files up to this size are kept in the cache. */
export const MAX_EVIDENCE_BYTES = 64 * 1024 * 1024;
export const MAX_CASE_EVENTS = 10_000;

export class CaseError extends Error {
  override name = 'CaseError';
  constructor(
    message: string,
    readonly kind: 'not-found' | 'closed' | 'invalid' = 'invalid',
  ) {
    super(message);
  }
}

export interface CaseSummary {
  id: number;
  uid: string;
  title: string;
  owner: string;
  status: CaseStatus;
  periodFrom: number | null;
  periodTo: number | null;
  createdAt: number;
  changedAt: number;
  importedAt: number | null;
  events: number;
  notes: number;
  evidence: number;
}

export interface Case extends CaseSummary {
  /** Markdown, rendered inert by the console (no HTML, no scripts, no remote images). */
  description: string;
}

export interface CaseEvent {
  id: number;
  origin: string;
  index: number;
  /** The entry's row in this cache when the cache holds it (search, drawer), else null. */
  entryId: number | null;
  fields: NormalizedFields;
  tags: string[];
  reason: string;
  addedBy: string;
  addedAt: number;
}

export interface CaseNote {
  id: number;
  eventId: number | null;
  author: string;
  body: string;
  createdAt: number;
}

export interface EvidenceFile {
  id: number;
  name: string;
  size: number;
  sha256: string;
  addedBy: string;
  addedAt: number;
}

export interface CustodyRecord {
  id: number;
  at: number;
  who: string;
  what: string;
  detail: Record<string, JsonValue>;
}

export interface TimelineItem {
  time: number;
  kind: 'event' | 'note' | 'evidence' | 'activity';
  /** The case event, note, evidence file or custody record. */
  ref: number;
  label: string;
}

export interface CaseInput {
  title: string;
  owner?: string;
  description?: string;
  periodFrom?: number | null;
  periodTo?: number | null;
}

export interface AdoptedCase {
  case: {
    uid: string;
    title: string;
    owner: string;
    status: CaseStatus;
    periodFrom: number | null;
    periodTo: number | null;
    description: string;
    createdAt: number;
    changedAt: number;
  };
  events: Array<{
    seq: number;
    origin: string;
    index: number;
    leafHash: Uint8Array;
    data: Uint8Array;
    time: number | null;
    proof: string;
    tags: string[];
    reason: string;
    addedBy: string;
    addedAt: number;
  }>;
  notes: Array<{ event: number | null; author: string; body: string; createdAt: number }>;
  evidence: Array<{
    name: string;
    sha256: string;
    data: Uint8Array;
    addedBy: string;
    addedAt: number;
  }>;
  custody: Array<{ at: number; who: string; what: string; detail: Record<string, JsonValue> }>;
  imported: Record<string, JsonValue>;
}

/** Called for every change, so the officer's activity journal can record it. */
export type ActivitySink = (action: string, details: Record<string, JsonValue>) => void;

const hasher = createTreeHasher(nodeCrypto.sha256);

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function checkText(what: string, value: string, max: number, allowEmpty = false): string {
  const v = value.trim();
  if (!allowEmpty && v === '') throw new CaseError(`${what} must not be empty`);
  if (v.length > max) throw new CaseError(`${what} is longer than ${max} characters`);
  return v;
}

/** A tag: a short word or phrase (letters, digits, space, `-_.:/`). */
function checkTag(tag: string): string {
  const t = tag.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} _.:/-]{0,49}$/u.test(t))
    throw new CaseError(
      `tag ${JSON.stringify(tag)}: use 1 to 50 letters, digits, spaces or - _ . : /, starting with a letter or digit`,
    );
  return t;
}

/**
 * An evidence file's name: kept as given where it is a plain file name, since it is shown to
 * people and becomes a file in an export bundle.
 */
export function checkEvidenceName(name: string): string {
  const n = name.trim();
  if (
    n === '' ||
    n.length > 200 ||
    n === '.' ||
    n === '..' ||
    /[/\\\0\r\n]/.test(n) ||
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/.test(n)
  )
    throw new CaseError(
      `evidence file name ${JSON.stringify(name)}: give a plain file name (no folders or control characters, at most 200 characters)`,
    );
  return n;
}

function checkPeriod(from: number | null | undefined, to: number | null | undefined) {
  if (from != null && to != null && to < from)
    throw new CaseError('the case period ends before it starts');
}

type CaseDbRow = {
  id: number;
  uid: string;
  title: string;
  owner: string;
  status: CaseStatus;
  period_from: number | null;
  period_to: number | null;
  description: string;
  created_at: number;
  changed_at: number;
  imported_at: number | null;
  events: number;
  notes: number;
  evidence: number;
};

const CASE_COLUMNS = `c.*,
  (SELECT count(*) FROM case_events WHERE case_id = c.id) AS events,
  (SELECT count(*) FROM case_notes WHERE case_id = c.id) AS notes,
  (SELECT count(*) FROM case_evidence WHERE case_id = c.id) AS evidence`;

function toSummary(r: CaseDbRow): CaseSummary {
  return {
    id: r.id,
    uid: r.uid,
    title: r.title,
    owner: r.owner,
    status: r.status,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    createdAt: r.created_at,
    changedAt: r.changed_at,
    importedAt: r.imported_at,
    events: r.events,
    notes: r.notes,
    evidence: r.evidence,
  };
}

export class CaseService {
  private readonly db: Db;

  constructor(
    readonly store: CacheStore,
    /** Who is working: recorded in the custody log and as the author of notes. */
    readonly officer: string,
    private readonly onActivity: ActivitySink = () => {},
    private readonly now: () => number = Date.now,
  ) {
    this.db = store.db;
  }

  create(input: CaseInput): Case {
    const title = checkText('the case title', input.title, 200);
    const owner = checkText('the case owner', input.owner ?? this.officer, 200);
    const description = checkText('the description', input.description ?? '', 100_000, true);
    checkPeriod(input.periodFrom, input.periodTo);
    const at = this.now();
    const uid = randomBytes(16).toString('hex');
    const id = this.db.transaction(() => {
      const r = this.db
        .prepare(
          `INSERT INTO cases (uid, title, owner, status, period_from, period_to, description, created_at, changed_at)
           VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?)`,
        )
        .run(
          uid,
          title,
          owner,
          input.periodFrom ?? null,
          input.periodTo ?? null,
          description,
          at,
          at,
        );
      const caseId = Number(r.lastInsertRowid);
      this.custody(caseId, 'created', { title, owner });
      return caseId;
    })();
    this.onActivity('case.create', { case: uid, title });
    return this.get(id);
  }

  list(): CaseSummary[] {
    return (
      this.db
        .prepare(`SELECT ${CASE_COLUMNS} FROM cases c ORDER BY c.changed_at DESC, c.id DESC`)
        .all() as CaseDbRow[]
    ).map(toSummary);
  }

  get(id: number): Case {
    const r = this.db.prepare(`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = ?`).get(id) as
      CaseDbRow | undefined;
    if (!r) throw new CaseError(`no case ${id}`, 'not-found');
    return { ...toSummary(r), description: r.description };
  }

  byUid(uid: string): Case | null {
    const r = this.db.prepare('SELECT id FROM cases WHERE uid = ?').get(uid) as
      { id: number } | undefined;
    return r ? this.get(r.id) : null;
  }

  /** Changes the title, owner, description or period of a case that is not closed. */
  update(id: number, patch: Partial<CaseInput>): Case {
    const c = this.writable(id);
    const next = {
      title: patch.title === undefined ? c.title : checkText('the case title', patch.title, 200),
      owner: patch.owner === undefined ? c.owner : checkText('the case owner', patch.owner, 200),
      description:
        patch.description === undefined
          ? c.description
          : checkText('the description', patch.description, 100_000, true),
      periodFrom: patch.periodFrom === undefined ? c.periodFrom : patch.periodFrom,
      periodTo: patch.periodTo === undefined ? c.periodTo : patch.periodTo,
    };
    checkPeriod(next.periodFrom, next.periodTo);
    const changed = Object.keys(next).filter(
      (k) => next[k as keyof typeof next] !== c[k as keyof typeof next],
    );
    if (changed.length === 0) return c;
    this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE cases SET title = ?, owner = ?, description = ?, period_from = ?, period_to = ? WHERE id = ?',
        )
        .run(next.title, next.owner, next.description, next.periodFrom, next.periodTo, id);
      this.custody(id, 'changed', { fields: changed });
    })();
    this.onActivity('case.change', { case: c.uid, fields: changed });
    return this.get(id);
  }

  /** Moves a case between open, in review and closed; reopening a closed case is recorded. */
  setStatus(id: number, status: CaseStatus): Case {
    const c = this.get(id);
    if (!CASE_STATUSES.includes(status)) throw new CaseError(`unknown case status ${status}`);
    if (c.status === status) return c;
    const what = c.status === 'closed' ? 'reopened' : status === 'closed' ? 'closed' : 'status';
    this.db.transaction(() => {
      this.db.prepare('UPDATE cases SET status = ? WHERE id = ?').run(status, id);
      this.custody(id, what, { from: c.status, to: status });
    })();
    this.onActivity('case.status', { case: c.uid, from: c.status, to: status });
    return this.get(id);
  }

  /**
   * Bookmarks cached entries (by their row id in this cache) into a case. Each keeps its own copy
   * of the entry bytes and leaf hash; one already in the case is left as it is.
   */
  addEvents(id: number, entryIds: number[], reason = ''): { added: number; already: number } {
    const c = this.writable(id);
    const current = this.eventCount(id);
    if (current + entryIds.length > MAX_CASE_EVENTS)
      throw new CaseError(`a case holds at most ${MAX_CASE_EVENTS} events`);
    const read = this.db.prepare(
      `SELECT l.origin, e.idx, e.leaf_hash, e.time, d.data FROM entries e
       JOIN logs l ON l.id = e.log_id JOIN entry_data d ON d.id = e.id WHERE e.id = ?`,
    );
    const insert = this.db.prepare(
      `INSERT INTO case_events (case_id, origin, idx, leaf_hash, data, time, reason, added_by, added_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, origin, idx) DO NOTHING`,
    );
    const at = this.now();
    let added = 0;
    const refs: string[] = [];
    this.db.transaction(() => {
      for (const entryId of entryIds) {
        const e = read.get(entryId) as
          | {
              origin: string;
              idx: number;
              leaf_hash: Uint8Array;
              time: number | null;
              data: Uint8Array;
            }
          | undefined;
        if (!e) throw new CaseError(`no entry ${entryId} in this cache`, 'not-found');
        const r = insert.run(
          id,
          e.origin,
          e.idx,
          e.leaf_hash,
          e.data,
          e.time,
          reason,
          this.officer,
          at,
        );
        if (r.changes > 0) {
          added++;
          refs.push(`${e.origin}#${e.idx}`);
        }
      }
      if (added > 0) this.custody(id, 'events added', { events: refs, reason });
    })();
    if (added > 0) this.onActivity('bookmark.add', { case: c.uid, events: refs, reason });
    return { added, already: entryIds.length - added };
  }

  removeEvent(id: number, eventId: number): void {
    const c = this.writable(id);
    const e = this.eventRow(id, eventId);
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM case_events WHERE id = ?').run(eventId);
      this.custody(id, 'event removed', { event: `${e.origin}#${e.idx}` });
    })();
    this.onActivity('bookmark.remove', { case: c.uid, event: `${e.origin}#${e.idx}` });
  }

  /** Adds (or with `remove`, takes off) a tag on some of a case's events. */
  tagEvents(id: number, eventIds: number[], tag: string, remove = false): void {
    const c = this.writable(id);
    const t = checkTag(tag);
    for (const e of eventIds) this.eventRow(id, e);
    this.db.transaction(() => {
      const stmt = remove
        ? this.db.prepare('DELETE FROM case_event_tags WHERE event_id = ? AND tag = ?')
        : this.db.prepare('INSERT OR IGNORE INTO case_event_tags (event_id, tag) VALUES (?, ?)');
      for (const e of eventIds) stmt.run(e, t);
      this.custody(id, remove ? 'untagged' : 'tagged', { tag: t, events: eventIds.length });
    })();
    this.onActivity(remove ? 'tag.remove' : 'tag.add', {
      case: c.uid,
      tag: t,
      events: eventIds.length,
    });
  }

  /** A note on the case, or on one of its events. */
  addNote(id: number, body: string, eventId: number | null = null): CaseNote {
    const c = this.writable(id);
    const text = checkText('the note', body, 20_000);
    if (eventId !== null) this.eventRow(id, eventId);
    const at = this.now();
    const noteId = this.db.transaction(() => {
      const r = this.db
        .prepare(
          'INSERT INTO case_notes (case_id, event_id, author, body, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(id, eventId, this.officer, text, at);
      this.custody(id, 'note added', {
        note: Number(r.lastInsertRowid),
        event: eventId,
        sha256: sha256Hex(new TextEncoder().encode(text)),
      });
      return Number(r.lastInsertRowid);
    })();
    this.onActivity('note.add', { case: c.uid, event: eventId });
    return { id: noteId, eventId, author: this.officer, body: text, createdAt: at };
  }

  notes(id: number): CaseNote[] {
    this.get(id);
    return (
      this.db
        .prepare('SELECT * FROM case_notes WHERE case_id = ? ORDER BY created_at, id')
        .all(id) as Array<{
        id: number;
        event_id: number | null;
        author: string;
        body: string;
        created_at: number;
      }>
    ).map((n) => ({
      id: n.id,
      eventId: n.event_id,
      author: n.author,
      body: n.body,
      createdAt: n.created_at,
    }));
  }

  /** Attaches a file, hashed with SHA-256 as it comes in and kept inside the encrypted cache. */
  addEvidence(id: number, name: string, data: Uint8Array): EvidenceFile {
    const c = this.writable(id);
    const n = checkEvidenceName(name);
    if (data.length > MAX_EVIDENCE_BYTES)
      throw new CaseError(
        `${n} is ${data.length} bytes; evidence files are kept up to ${MAX_EVIDENCE_BYTES} bytes`,
      );
    const exists = this.db
      .prepare('SELECT 1 FROM case_evidence WHERE case_id = ? AND name = ?')
      .get(id, n);
    if (exists) throw new CaseError(`the case already holds a file named ${n}`);
    const sha256 = sha256Hex(data);
    const at = this.now();
    const evId = this.db.transaction(() => {
      const r = this.db
        .prepare(
          'INSERT INTO case_evidence (case_id, name, size, sha256, data, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(id, n, data.length, sha256, data, this.officer, at);
      this.custody(id, 'evidence added', { name: n, size: data.length, sha256 });
      return Number(r.lastInsertRowid);
    })();
    this.onActivity('evidence.add', { case: c.uid, name: n, sha256 });
    return { id: evId, name: n, size: data.length, sha256, addedBy: this.officer, addedAt: at };
  }

  evidenceList(id: number): EvidenceFile[] {
    this.get(id);
    return (
      this.db
        .prepare(
          'SELECT id, name, size, sha256, added_by, added_at FROM case_evidence WHERE case_id = ? ORDER BY added_at, id',
        )
        .all(id) as Array<{
        id: number;
        name: string;
        size: number;
        sha256: string;
        added_by: string;
        added_at: number;
      }>
    ).map((e) => ({
      id: e.id,
      name: e.name,
      size: e.size,
      sha256: e.sha256,
      addedBy: e.added_by,
      addedAt: e.added_at,
    }));
  }

  /** An evidence file's bytes, re-hashed: a file that no longer matches its hash is refused. */
  evidenceData(id: number, evidenceId: number): { file: EvidenceFile; data: Uint8Array } {
    const file = this.evidenceList(id).find((e) => e.id === evidenceId);
    if (!file) throw new CaseError(`case ${id} has no evidence file ${evidenceId}`, 'not-found');
    const { data } = this.db
      .prepare('SELECT data FROM case_evidence WHERE id = ?')
      .get(evidenceId) as {
      data: Uint8Array;
    };
    const actual = sha256Hex(data);
    if (actual !== file.sha256)
      throw new CaseError(
        `evidence ${file.name}: its SHA-256 is now ${actual}, it was ${file.sha256} when attached: the stored file was altered`,
      );
    return { file, data };
  }

  /**
   * The case's events, oldest first, with their tags; with a query (the search language), only
   * those that match. Matching runs over an in-memory index of the case's own events, so a case
   * imported from another workspace is searchable even where its log was never synced.
   */
  events(id: number, query = ''): CaseEvent[] {
    this.get(id);
    const rows = this.db
      .prepare(
        `SELECT ce.*, e.id AS entry_id FROM case_events ce
         LEFT JOIN logs l ON l.origin = ce.origin
         LEFT JOIN entries e ON e.log_id = l.id AND e.idx = ce.idx AND e.leaf_hash = ce.leaf_hash
         WHERE ce.case_id = ? ORDER BY ce.time IS NULL, ce.time, ce.id`,
      )
      .all(id) as Array<{
      id: number;
      origin: string;
      idx: number;
      data: Uint8Array;
      reason: string;
      added_by: string;
      added_at: number;
      entry_id: number | null;
    }>;
    const tags = new Map<number, string[]>();
    for (const t of this.db
      .prepare(
        'SELECT t.event_id, t.tag FROM case_event_tags t JOIN case_events ce ON ce.id = t.event_id WHERE ce.case_id = ? ORDER BY t.tag',
      )
      .all(id) as Array<{ event_id: number; tag: string }>) {
      tags.set(t.event_id, [...(tags.get(t.event_id) ?? []), t.tag]);
    }
    let keep: ((origin: string, idx: number) => boolean) | null = null;
    if (query.trim() !== '') keep = matchWithin(rows, query);
    return rows
      .filter((r) => !keep || keep(r.origin, r.idx))
      .map((r) => ({
        id: r.id,
        origin: r.origin,
        index: r.idx,
        entryId: r.entry_id,
        fields: searchableEntry(r.data).fields,
        tags: tags.get(r.id) ?? [],
        reason: r.reason,
        addedBy: r.added_by,
        addedAt: r.added_at,
      }));
  }

  /** One case event's exact bytes and leaf hash (checked: bytes that no longer hash to it throw). */
  eventData(
    id: number,
    eventId: number,
  ): {
    origin: string;
    index: number;
    data: Uint8Array;
    leafHash: Uint8Array;
    proof: string | null;
  } {
    const e = this.eventRow(id, eventId);
    const leaf = hasher.leafHash(e.data);
    if (Buffer.compare(Buffer.from(leaf), Buffer.from(e.leaf_hash)) !== 0)
      throw new CaseError(
        `case event ${e.origin}#${e.idx}: its bytes no longer match its leaf hash (altered at rest)`,
      );
    return { origin: e.origin, index: e.idx, data: e.data, leafHash: e.leaf_hash, proof: e.proof };
  }

  /** Keeps the inclusion proof an export made for an event (tlog-proof text). */
  setEventProof(eventId: number, proof: string) {
    this.db.prepare('UPDATE case_events SET proof = ? WHERE id = ?').run(proof, eventId);
  }

  custodyLog(id: number): CustodyRecord[] {
    this.get(id);
    return (
      this.db.prepare('SELECT * FROM case_custody WHERE case_id = ? ORDER BY id').all(id) as Array<{
        id: number;
        at: number;
        who: string;
        what: string;
        detail: string;
      }>
    ).map((r) => ({
      id: r.id,
      at: r.at,
      who: r.who,
      what: r.what,
      detail: JSON.parse(r.detail) as Record<string, JsonValue>,
    }));
  }

  /** The case's events, notes, evidence and custody on one time axis, oldest first. */
  timeline(id: number): TimelineItem[] {
    const items: TimelineItem[] = [];
    for (const e of this.events(id))
      if (e.fields.time !== null)
        items.push({
          time: e.fields.time,
          kind: 'event',
          ref: e.id,
          label: [e.fields.action, e.fields.actor, e.fields.outcome].filter(Boolean).join(' · '),
        });
    for (const n of this.notes(id))
      items.push({
        time: n.createdAt,
        kind: 'note',
        ref: n.id,
        label: `${n.author}: ${n.body.length > 120 ? `${n.body.slice(0, 119)}…` : n.body}`,
      });
    for (const f of this.evidenceList(id))
      items.push({ time: f.addedAt, kind: 'evidence', ref: f.id, label: `${f.name} attached` });
    for (const c of this.custodyLog(id))
      items.push({ time: c.at, kind: 'activity', ref: c.id, label: `${c.who}: ${c.what}` });
    return items.sort((a, b) => a.time - b.time || a.ref - b.ref);
  }

  /** Tells the activity journal about something done to a case elsewhere (an export). */
  activity(action: string, details: Record<string, JsonValue>) {
    this.onActivity(action, details);
  }

  /** Appends to a case's custody log (also for exports and imports, which live elsewhere). */
  custody(id: number, what: string, detail: Record<string, JsonValue> = {}) {
    const at = this.now();
    this.db
      .prepare('INSERT INTO case_custody (case_id, at, who, what, detail) VALUES (?, ?, ?, ?, ?)')
      .run(id, at, this.officer, what, JSON.stringify(detail));
    this.db.prepare('UPDATE cases SET changed_at = ? WHERE id = ?').run(at, id);
  }

  /**
   * Stores a case read from a verified bundle, as it was (same uid, status, authors and times),
   * with its custody log followed by this import. Only `importCase` calls this, after checking.
   */
  adopt(b: AdoptedCase): number {
    const at = this.now();
    const id = this.db.transaction(() => {
      const c = b.case;
      const r = this.db
        .prepare(
          `INSERT INTO cases (uid, title, owner, status, period_from, period_to, description, created_at, changed_at, imported_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          c.uid,
          c.title,
          c.owner,
          c.status,
          c.periodFrom,
          c.periodTo,
          c.description,
          c.createdAt,
          c.changedAt,
          at,
        );
      const caseId = Number(r.lastInsertRowid);
      const eventIds = new Map<number, number>();
      const insertEvent = this.db.prepare(
        `INSERT INTO case_events (case_id, origin, idx, leaf_hash, data, time, proof, reason, added_by, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertTag = this.db.prepare(
        'INSERT OR IGNORE INTO case_event_tags (event_id, tag) VALUES (?, ?)',
      );
      for (const e of b.events) {
        const er = insertEvent.run(
          caseId,
          e.origin,
          e.index,
          e.leafHash,
          e.data,
          e.time,
          e.proof,
          e.reason,
          e.addedBy,
          e.addedAt,
        );
        eventIds.set(e.seq, Number(er.lastInsertRowid));
        for (const t of e.tags) insertTag.run(Number(er.lastInsertRowid), checkTag(t));
      }
      const insertNote = this.db.prepare(
        'INSERT INTO case_notes (case_id, event_id, author, body, created_at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const n of b.notes)
        insertNote.run(
          caseId,
          n.event === null ? null : (eventIds.get(n.event) ?? null),
          n.author,
          n.body,
          n.createdAt,
        );
      const insertEvidence = this.db.prepare(
        'INSERT INTO case_evidence (case_id, name, size, sha256, data, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const f of b.evidence)
        insertEvidence.run(
          caseId,
          checkEvidenceName(f.name),
          f.data.length,
          f.sha256,
          f.data,
          f.addedBy,
          f.addedAt,
        );
      const insertCustody = this.db.prepare(
        'INSERT INTO case_custody (case_id, at, who, what, detail) VALUES (?, ?, ?, ?, ?)',
      );
      for (const r of b.custody)
        insertCustody.run(caseId, r.at, r.who, r.what, JSON.stringify(r.detail));
      insertCustody.run(caseId, at, this.officer, 'imported', JSON.stringify(b.imported));
      return caseId;
    })();
    this.onActivity('case.import', {
      case: b.case.uid,
      title: b.case.title,
      events: b.events.length,
    });
    return id;
  }

  private eventCount(id: number): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM case_events WHERE case_id = ?').get(id) as {
        n: number;
      }
    ).n;
  }

  private eventRow(id: number, eventId: number) {
    const e = this.db
      .prepare('SELECT * FROM case_events WHERE id = ? AND case_id = ?')
      .get(eventId, id) as
      | {
          origin: string;
          idx: number;
          data: Uint8Array;
          leaf_hash: Uint8Array;
          proof: string | null;
        }
      | undefined;
    if (!e) throw new CaseError(`case ${id} has no event ${eventId}`, 'not-found');
    return e;
  }

  private writable(id: number): Case {
    const c = this.get(id);
    if (c.status === 'closed')
      throw new CaseError(`case ${id} (${c.title}) is closed: reopen it to change it`, 'closed');
    return c;
  }
}

/**
 * The query language over a handful of events: they are indexed in a private in-memory database
 * (never on disk) with the cache's own schema, and the ordinary search service runs there.
 */
function matchWithin(
  rows: Array<{ origin: string; idx: number; data: Uint8Array }>,
  query: string,
): (origin: string, idx: number) => boolean {
  const mem = new Database(':memory:');
  try {
    migrate(mem);
    const store = new CacheStore(mem);
    const byOrigin = new Map<string, typeof rows>();
    for (const r of rows) byOrigin.set(r.origin, [...(byOrigin.get(r.origin) ?? []), r]);
    for (const [origin, list] of byOrigin) {
      const log = store.ensureLog(origin);
      store.commitBatch(
        log.id,
        list.map((r) => ({
          idx: r.idx,
          leafHash: hasher.leafHash(r.data),
          data: r.data,
          ...searchableEntry(r.data),
        })),
        [],
        { targetCheckpointId: null, nextIndex: 0, range: [] },
        null,
      );
    }
    const search = new SearchService(mem);
    const found = new Set<string>();
    let after = null;
    do {
      const page = search.page({ query, limit: 1000, after });
      for (const r of page.rows) found.add(`${r.log}\n${r.index}`);
      after = page.next;
    } while (after);
    return (origin, idx) => found.has(`${origin}\n${idx}`);
  } finally {
    mem.close();
  }
}
