/**
 * The acceptance of search on the demo: every query of docs/search.md's incident table finds
 * exactly its incident's own events, with the documented count, at two sizes and seeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_INCIDENTS } from '../../main/demo/generateDemo';
import { custos, tempDir } from '../helpers/cli';
import { REPO } from '../helpers/paths';
import { searchableCache } from '../helpers/search';

interface Row {
  incident: string;
  query: string;
  count: number;
}

/** The incident table of docs/search.md, read from the document itself. */
function documentedQueries(): Row[] {
  const doc = readFileSync(join(REPO, 'docs/search.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Finding the demo'));
  return [...section.matchAll(/^\| `([a-z-]+)` +\| `(.+)` +\| (\d+) +\|$/gm)].map((m) => ({
    incident: m[1],
    query: m[2],
    count: Number(m[3]),
  }));
}

const rows = documentedQueries();
const TRUST = join(REPO, 'resources/demo/demo.pub');

describe.each([
  { size: 20_000, seed: 1 },
  { size: 6_000, seed: 7 },
])('the demo incidents in a store of $size entries (seed $seed)', ({ size, seed }) => {
  let cache: Awaited<ReturnType<typeof searchableCache>>;

  beforeAll(async () => {
    const dir = tempDir('custos-demo-search-');
    const store = join(dir, 'store');
    const r = await custos('demo', '--out', store, '--size', String(size), '--seed', String(seed));
    expect(r.code, r.stderr).toBe(0);
    cache = await searchableCache(dir, store, TRUST);
  }, 120_000);
  afterAll(() => cache?.cache.close());

  it('docs/search.md has a query for each of the six incidents', () => {
    expect(new Set(rows.map((r) => r.incident))).toEqual(new Set(DEMO_INCIDENTS.map((i) => i.id)));
  });

  it.each(rows)('$incident: $query finds its $count events', ({ incident, query, count }) => {
    const ids = new Set(DEMO_INCIDENTS.find((i) => i.id === incident)!.eventIds);
    const page = cache.search.pageWithData({ query, limit: 1000 });
    const found = page.rows.map(
      (r) => (JSON.parse(new TextDecoder().decode(r.data)) as { id: string }).id,
    );
    expect(found).toHaveLength(count);
    expect(cache.search.count(query)).toBe(count);
    // Only the incident's own events, newest first.
    for (const id of found) expect(ids).toContain(id);
    const times = page.rows.map((r) => r.time!);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});
