/**
 * Numbered schema migrations. The registry only grows; all pending migrations run in one
 * transaction and PRAGMA user_version records the result. A cache newer than this app is refused.
 */
import type { Database } from 'better-sqlite3-multiple-ciphers';
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-search';
import { migration0003 } from './0003-journal';
import { migration0004 } from './0004-cases';
import { migration0005 } from './0005-reports';

export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
];
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export class SchemaError extends Error {
  override name = 'SchemaError';
}

export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new SchemaError(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const latest = migrations.length;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new SchemaError(
      `this cache has schema version ${current}, newer than this Custos (${latest}); update Custos to open it`,
    );
  }
  if (current === latest) return current;
  db.transaction(() => {
    for (const m of migrations.slice(current)) m.up(db);
    db.pragma(`user_version = ${latest}`);
  })();
  return latest;
}
