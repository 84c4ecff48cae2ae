import type { Migration } from './index';

/** Logs, sources, checkpoints, entries with their normalised fields, hash tiles, sync state, alarms. */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE logs (
        id INTEGER PRIMARY KEY,
        origin TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        location TEXT NOT NULL UNIQUE,
        log_id INTEGER REFERENCES logs(id),
        created_at INTEGER NOT NULL,
        last_sync_at INTEGER,
        last_status TEXT,
        last_error TEXT
      ) STRICT;

      -- Every checkpoint verified against the trust policy. accepted_at is set once every entry it
      -- covers is stored and verified; until then it is the target of a sync in progress.
      CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY,
        log_id INTEGER NOT NULL REFERENCES logs(id),
        size INTEGER NOT NULL,
        root BLOB NOT NULL,
        note TEXT NOT NULL,
        source_id INTEGER REFERENCES sources(id),
        seen_at INTEGER NOT NULL,
        accepted_at INTEGER,
        witnesses TEXT NOT NULL DEFAULT '[]',
        UNIQUE (log_id, size, root)
      ) STRICT;

      CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        log_id INTEGER NOT NULL REFERENCES logs(id),
        idx INTEGER NOT NULL,
        leaf_hash BLOB NOT NULL,
        data BLOB NOT NULL,
        kind TEXT NOT NULL,
        time INTEGER,
        source TEXT,
        category TEXT,
        action TEXT,
        outcome TEXT,
        actor TEXT,
        actor_type TEXT,
        actor_role TEXT,
        ip TEXT,
        target TEXT,
        target_type TEXT,
        subject TEXT,
        severity TEXT,
        UNIQUE (log_id, idx)
      ) STRICT;

      -- Hash tiles of level 1 and above, computed from the verified entries (level 0 is leaf_hash).
      -- The rightmost tile of a level grows in place until it is full.
      CREATE TABLE tiles (
        log_id INTEGER NOT NULL REFERENCES logs(id),
        level INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (log_id, level, idx)
      ) STRICT, WITHOUT ROWID;

      -- Where a sync stopped: the next entry index, and the compact range of the stored prefix.
      CREATE TABLE sync_state (
        log_id INTEGER PRIMARY KEY REFERENCES logs(id),
        target_checkpoint_id INTEGER REFERENCES checkpoints(id),
        next_index INTEGER NOT NULL,
        range TEXT NOT NULL
      ) STRICT;

      CREATE TABLE alarms (
        id INTEGER PRIMARY KEY,
        log_id INTEGER REFERENCES logs(id),
        origin TEXT,
        source_id INTEGER REFERENCES sources(id),
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        evidence TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        acknowledged_at INTEGER
      ) STRICT;
    `);
  },
};
