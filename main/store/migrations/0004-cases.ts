import type { Migration } from './index';

/**
 * Investigations: cases, the events bookmarked into them (each with its own copy of the entry
 * bytes, so a case stays whole when it travels to a workspace that never synced the log), tags,
 * notes, evidence files (kept inside the encrypted cache, with the SHA-256 taken on import), and
 * each case's custody log: who did what to it, when, with the hashes involved.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'cases',
  up(db) {
    db.exec(`
      CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        owner TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'in-review', 'closed')),
        period_from INTEGER,
        period_to INTEGER,
        description TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        changed_at INTEGER NOT NULL,
        imported_at INTEGER
      );
      CREATE TABLE case_events (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        origin TEXT NOT NULL,
        idx INTEGER NOT NULL,
        leaf_hash BLOB NOT NULL,
        data BLOB NOT NULL,
        time INTEGER,
        proof TEXT,
        reason TEXT NOT NULL DEFAULT '',
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        UNIQUE (case_id, origin, idx)
      );
      CREATE INDEX case_events_time ON case_events (case_id, time);
      CREATE TABLE case_event_tags (
        event_id INTEGER NOT NULL REFERENCES case_events (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (event_id, tag)
      ) WITHOUT ROWID;
      CREATE TABLE case_notes (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        event_id INTEGER REFERENCES case_events (id) ON DELETE CASCADE,
        author TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX case_notes_case ON case_notes (case_id, created_at);
      CREATE TABLE case_evidence (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        data BLOB NOT NULL,
        added_by TEXT NOT NULL,
        added_at INTEGER NOT NULL,
        UNIQUE (case_id, name)
      );
      CREATE TABLE case_custody (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        who TEXT NOT NULL,
        what TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX case_custody_case ON case_custody (case_id, id);
    `);
  },
};
