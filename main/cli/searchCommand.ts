/** `custos search`: the console's search, headless: a table, a count, facets, a histogram, or an export. */
import { QueryError } from '../../shared/query/parse';
import { proveCachedEntry } from '../store/verifyCache';
import { exportResults, exportToFile } from '../search/export';
import { facetFields, SearchService, type SearchRow } from '../search/service';
import { openStore, policyFor } from './cacheCommands';
import { nonNegativeInteger, parseCommandArgs, required } from './args';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import { isoTime, printable, type Output } from './output';

function table(rows: SearchRow[]): string[] {
  const cols: Array<[string, (r: SearchRow) => string]> = [
    ['time', (r) => isoTime(r.time)],
    ['index', (r) => String(r.index)],
    ['action', (r) => r.action ?? ''],
    ['outcome', (r) => r.outcome ?? ''],
    ['actor', (r) => r.actor ?? ''],
    ['ip', (r) => r.ip ?? ''],
    ['target', (r) => r.target ?? ''],
  ];
  const cells = rows.map((r) => cols.map(([, f]) => printable(f(r)).slice(0, 60)));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const fmt = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [fmt(cols.map(([h]) => h)), ...cells.map(fmt)];
}

/** The error, then the query with a caret under the column at fault. */
function showQueryError(out: Output, query: string, e: QueryError) {
  out.error(`custos search: ${e.message}`);
  if (query.length <= 200 && !/[\r\n]/.test(query)) {
    out.error(`  ${query}`);
    out.error(`  ${' '.repeat(Math.max(0, e.column - 1))}^`);
  }
}

export async function searchCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      cache: { type: 'string' },
      'key-file': { type: 'string' },
      trust: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      limit: { type: 'string' },
      all: { type: 'boolean' },
      count: { type: 'boolean' },
      facets: { type: 'string' },
      histogram: { type: 'boolean' },
      sort: { type: 'string' },
      asc: { type: 'boolean' },
      proofs: { type: 'boolean' },
      out: { type: 'string' },
    },
    true,
  );
  const query = positionals.join(' ');
  if (values.json && values.csv) throw new UsageError('choose one of --json and --csv');
  const sort = values.sort ?? 'time';
  if (sort !== 'time' && sort !== 'index')
    throw new UsageError(`--sort takes time or index, not ${JSON.stringify(sort)}`);
  if (values.all && values.limit !== undefined) throw new UsageError('choose --limit or --all');
  const limit = values.all ? undefined : nonNegativeInteger(values.limit, '--limit', 100);
  if (limit === 0) throw new UsageError('--limit must be 1 or more');
  const exporting = values.json || values.csv;
  if ((values.proofs || values.out) && !exporting)
    throw new UsageError('--proofs and --out go with an export: add --json or --csv');
  const facets = values.facets
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of facets ?? [])
    if (!facetFields().includes(f))
      throw new UsageError(
        `--facets: ${JSON.stringify(f)} cannot be a facet; use ${facetFields().join(', ')}`,
      );

  const store = await openStore(required(values.cache, '--cache'), values['key-file']);
  const search = new SearchService(store.db);
  try {
    search.compile(query);
  } catch (e) {
    store.close();
    if (e instanceof QueryError) {
      showQueryError(out, query, e);
      return EXIT_USAGE;
    }
    throw e;
  }
  try {
    const order = values.asc ? 'asc' : 'desc';
    if (values.count || facets || values.histogram) {
      const result: Record<string, unknown> = {};
      if (values.count) result.count = search.count(query);
      if (facets) result.facets = search.facets(query, facets, 10);
      if (values.histogram) result.histogram = search.histogram(query);
      if (values.json) out.json(result);
      else {
        if (values.count) out.line(String(result.count));
        for (const [name, list] of Object.entries(
          (result.facets ?? {}) as ReturnType<SearchService['facets']>,
        )) {
          out.line(`${name}:`);
          for (const v of list) out.line(`  ${String(v.count).padStart(10)}  ${v.value}`);
        }
        if (values.histogram) {
          const h = result.histogram as ReturnType<SearchService['histogram']>;
          out.line(`histogram (buckets of ${h.bucketMs / 1000} s):`);
          for (const b of h.buckets)
            out.line(`  ${isoTime(b.start)}  ${String(b.count).padStart(8)}`);
        }
      }
      return EXIT_OK;
    }
    if (exporting) {
      const policy = values.proofs ? await policyFor(store, values.trust) : null;
      const prove = values.proofs
        ? (log: string, index: number) => proveCachedEntry(store, log, index, policy).proofText
        : undefined;
      const opts = {
        query,
        format: values.csv ? 'csv' : 'jsonl',
        sort,
        order,
        limit,
        prove,
      } as const;
      if (values.out) {
        const n = await exportToFile(search, opts, values.out);
        out.error(`wrote ${n} entries to ${values.out}`);
      } else await exportResults(search, opts, (chunk) => out.write(chunk));
      return EXIT_OK;
    }
    const page = search.page({ query, sort, order, limit });
    const total = search.count(query);
    for (const l of table(page.rows)) out.line(l);
    out.line(
      `${page.rows.length} of ${total} ${total === 1 ? 'entry' : 'entries'}` +
        (page.rows.length < total
          ? ' (more with --limit N, or export with --json/--csv --all)'
          : ''),
    );
    return EXIT_OK;
  } finally {
    store.close();
  }
}
