/** Small caches of made-up records for the detection tests: sealed, synced, searchable. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { custos, tempDir } from '../helpers/cli';
import { searchableCache } from '../helpers/search';

export type Cache = Awaited<ReturnType<typeof searchableCache>>;

/**
 * A cache holding `records` as `json/v1` entries (any JSON object: `time`, `action`, `actor`, `ip`
 * and `outcome` are named fields, anything else is a path `record.x`), or as CloudTrail records.
 */
export async function syntheticCache(
  records: object[],
  format: 'jsonl' | 'cloudtrail' = 'jsonl',
): Promise<Cache> {
  const dir = tempDir('custos-detect-');
  const made = await custos('keygen', '--origin', 'detect.example/log', '--out', join(dir, 'log'));
  expect(made.code, made.stderr).toBe(0);
  const input = join(dir, format === 'jsonl' ? 'records.jsonl' : 'trail.json');
  writeFileSync(
    input,
    format === 'jsonl'
      ? records.map((r) => JSON.stringify(r)).join('\n') + '\n'
      : JSON.stringify({ Records: records }),
  );
  const store = join(dir, 'store');
  const sealed = await custos(
    'seal',
    '--store',
    store,
    '--key',
    join(dir, 'log.key'),
    '--format',
    format,
    input,
  );
  expect(sealed.code, sealed.stderr).toBe(0);
  return searchableCache(dir, store, join(dir, 'log.pub'));
}

/** Minutes after 2026-07-01T00:00Z (a Wednesday), as ISO text. */
export const at = (minutes: number, ms = 0) =>
  new Date(Date.UTC(2026, 6, 1) + minutes * 60_000 + ms).toISOString();
