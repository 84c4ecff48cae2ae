import { entryText } from '../../../shared/entry/fulltext';
import type { Migration } from './index';

/**
 * The normalised columns with an index, each kept in time order within a value: the fields with
 * few values, some of them rare (a failure, a security event), that are filtered and counted
 * most. Fields with many values (actor, ip, target, subject) are found through the full-text
 * index instead (their values are words of the record) and checked on the row: as fast to
 * search, and much cheaper to keep up to date during a sync.
 */
export const INDEXED_COLUMNS = ['source', 'category', 'action', 'outcome', 'severity'] as const;

/** The width of a time bucket: one hour. */
export const TIME_BUCKET_MS = 3_600_000;

/**
 * Search: a full-text index over each entry's text (contentless: the text is derived from the
 * entry bytes, which the cache holds), indexes on time and on the fields with few values, the
 * entry bytes moved out of the searchable rows, and saved searches and search history. Entries
 * already cached are indexed here.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'search',
  up(db) {
    db.exec(`
      CREATE VIRTUAL TABLE entries_fts USING fts5(
        text, content = '', columnsize = 0, tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE INDEX entries_time ON entries (time, id);
      ${INDEXED_COLUMNS.map(
        (c) => `CREATE INDEX entries_${c} ON entries (${c} COLLATE NOCASE, time);`,
      ).join('\n')}

      -- The entry bytes, apart from the searchable row: scans, facets and counts then read small
      -- rows (about 200 bytes instead of 900).
      CREATE TABLE entry_data (
        id INTEGER PRIMARY KEY, -- entries.id
        data BLOB NOT NULL
      ) STRICT;

      -- How many entries fall in each hour (by their time): a grid jumping to row 900,000 of
      -- everything in time order finds the hour it is in here, instead of counting its way there.
      CREATE TABLE time_buckets (
        start INTEGER PRIMARY KEY,
        n INTEGER NOT NULL
      ) STRICT;

      -- A source taken off the list of those synced (its entries and history stay).
      ALTER TABLE sources ADD COLUMN removed_at INTEGER;

      -- Every sync's outcome per source (the sources table keeps only the last one).
      CREATE TABLE sync_history (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        at INTEGER NOT NULL,
        status TEXT NOT NULL,
        message TEXT
      ) STRICT;

      CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        query TEXT NOT NULL,
        sort TEXT NOT NULL DEFAULT 'time-desc',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE search_history (
        id INTEGER PRIMARY KEY,
        query TEXT NOT NULL,
        ran_at INTEGER NOT NULL,
        total INTEGER
      ) STRICT;
    `);
    // In batches: better-sqlite3 allows no other statement while one is being iterated.
    const insert = db.prepare('INSERT INTO entries_fts (rowid, text) VALUES (?, ?)');
    const batch = db.prepare('SELECT id, data FROM entries WHERE id > ? ORDER BY id LIMIT 2000');
    for (let after = 0; ;) {
      const rows = batch.all(after) as Array<{ id: number; data: Uint8Array }>;
      if (rows.length === 0) break;
      for (const row of rows) insert.run(row.id, entryText(row.data));
      after = rows[rows.length - 1].id;
    }
    db.exec(`
      INSERT INTO entry_data (id, data) SELECT id, data FROM entries;
      ALTER TABLE entries DROP COLUMN data;
      INSERT INTO time_buckets (start, n)
        SELECT time - (((time % ${TIME_BUCKET_MS}) + ${TIME_BUCKET_MS}) % ${TIME_BUCKET_MS}), count(*)
        FROM entries WHERE time IS NOT NULL GROUP BY 1;
    `);
  },
};
