import type { Migration } from './index';

/**
 * The history of generated reports: what was made, for which period or case, by whom and when,
 * and the SHA-256 of the PDF as written, so a report shown later can be matched to its making.
 * The PDFs themselves live where the officer saved them.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'reports',
  up(db) {
    db.exec(`
      CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        template TEXT NOT NULL,
        period TEXT,
        case_id INTEGER,
        title TEXT NOT NULL,
        path TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        pages INTEGER,
        signer TEXT,
        cited INTEGER NOT NULL DEFAULT 0
      );
    `);
  },
};
