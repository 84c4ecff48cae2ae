import type { Migration } from './index';

/**
 * The officer's activity journal (docs/journal.md): a tlog-tiles store kept inside the encrypted
 * cache, because its entries may name a query, an event or an actor, and audit data never leaves
 * the encrypted file in plaintext.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'journal',
  up(db) {
    db.exec(`
      -- The journal's store resources by their tlog-tiles path (checkpoint, tile/0/000.p/5,
      -- tile/entries/000.p/5): the authority that verification checks.
      CREATE TABLE journal_store (
        path TEXT PRIMARY KEY,
        data BLOB NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- A copy of each journal entry for listing, newest first, without reading bundles.
      -- Verification does not trust it: it is compared with the entries in journal_store.
      CREATE TABLE journal_entries (
        idx INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        officer TEXT NOT NULL,
        action TEXT NOT NULL,
        data BLOB NOT NULL
      ) STRICT;
    `);
  },
};
