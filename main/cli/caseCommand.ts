/** `custos case`: list, show, create, export and import investigation cases. */
import { CaseService, type Case } from '../cases/service';
import { exportCase, importCase } from '../cases/bundle';
import { openStore, policyFor } from './cacheCommands';
import { nonNegativeInteger, parseCommandArgs, required } from './args';
import { EXIT_OK, UsageError } from './errors';
import { isoTime, printable, type Output } from './output';
import { TRUST_META, type CacheStore } from '../store/cacheStore';
import { readFile } from 'node:fs/promises';
import { Journal, officerName } from '../journal/journal';

const iso = (t: number | null) => isoTime(t, '-');

function caseId(v: string | undefined): number {
  const id = nonNegativeInteger(required(v, '--case'), '--case', 0);
  if (id === 0) throw new UsageError('--case takes a case number (see custos case list)');
  return id;
}

function summaryLine(c: Omit<Case, 'description'>): string {
  return `${String(c.id).padStart(4)}  ${c.status.padEnd(9)}  ${iso(c.changedAt).slice(0, 16)}  ${c.events} events, ${c.notes} notes, ${c.evidence} files  ${printable(c.title)}`;
}

async function withCases<T>(
  values: { cache?: string; 'key-file'?: string },
  run: (cases: CaseService, store: CacheStore) => Promise<T>,
): Promise<T> {
  const cachePath = required(values.cache, '--cache');
  const store = await openStore(cachePath, values['key-file']);
  const officer = officerName();
  // What the officer does from the command line goes into the activity journal too.
  const journal = Journal.open(store, cachePath, { officer });
  const pending: Array<Promise<unknown>> = [];
  try {
    const code = await run(
      new CaseService(store, officer, (action, details) => {
        pending.push(journal.append(action, details));
      }),
      store,
    );
    await Promise.all(pending);
    return code;
  } finally {
    await Promise.allSettled(pending);
    store.close();
  }
}

export async function caseCommand(argv: string[], out: Output): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      cache: { type: 'string' },
      'key-file': { type: 'string' },
      case: { type: 'string' },
      out: { type: 'string' },
      trust: { type: 'string' },
      title: { type: 'string' },
      json: { type: 'boolean' },
    },
    sub === 'import',
  );
  switch (sub) {
    case 'list':
      return withCases(values, async (cases) => {
        const list = cases.list();
        if (values.json) out.json(list);
        else if (list.length === 0) out.line('no cases yet');
        else for (const c of list) out.line(summaryLine(c));
        return EXIT_OK;
      });
    case 'create':
      return withCases(values, async (cases) => {
        const c = cases.create({ title: required(values.title, '--title') });
        if (values.json) out.json(c);
        else out.line(`case ${c.id} created: ${printable(c.title)}`);
        return EXIT_OK;
      });
    case 'show':
      return withCases(values, async (cases) => {
        const id = caseId(values.case);
        const c = cases.get(id);
        const events = cases.events(id);
        const notes = cases.notes(id);
        const evidence = cases.evidenceList(id);
        const custody = cases.custodyLog(id);
        if (values.json) {
          out.json({ case: c, events, notes, evidence, custody });
          return EXIT_OK;
        }
        out.line(`case ${c.id}: ${printable(c.title)}`);
        out.line(`status ${c.status}, owner ${printable(c.owner)}, created ${iso(c.createdAt)}`);
        if (c.periodFrom !== null || c.periodTo !== null)
          out.line(`period ${iso(c.periodFrom)} to ${iso(c.periodTo)}`);
        if (c.description) out.line(`\n${printable(c.description.replace(/\n/g, ' '))}`);
        out.line(`\nevents (${events.length}):`);
        for (const e of events)
          out.line(
            `  ${e.origin}#${e.index}  ${iso(e.fields.time)}  ${printable(e.fields.action ?? '')}  ${printable(e.fields.actor ?? '')}${e.tags.length ? `  [${e.tags.map(printable).join(', ')}]` : ''}`,
          );
        out.line(`\nnotes (${notes.length}):`);
        for (const n of notes)
          out.line(
            `  ${iso(n.createdAt)}  ${printable(n.author)}: ${printable(n.body.replace(/\n/g, ' '))}`,
          );
        out.line(`\nevidence (${evidence.length}):`);
        for (const f of evidence) out.line(`  ${f.sha256}  ${f.size} bytes  ${printable(f.name)}`);
        out.line(`\ncustody (${custody.length}):`);
        for (const r of custody)
          out.line(
            `  ${iso(r.at)}  ${printable(r.who)}  ${printable(r.what)}  ${printable(JSON.stringify(r.detail))}`,
          );
        return EXIT_OK;
      });
    case 'export':
      return withCases(values, async (cases, store) => {
        const id = caseId(values.case);
        const dir = required(values.out, '--out');
        const trustText = values.trust
          ? await readFile(values.trust, 'utf8')
          : store.getMeta(TRUST_META);
        if (!trustText)
          throw new UsageError(
            'this cache keeps no trust policy: give the one its logs verify against with --trust <file>',
          );
        await policyFor(store, values.trust); // a policy that does not parse stops here
        const r = await exportCase(cases, id, dir, { trustText });
        if (values.json) out.json(r);
        else
          out.line(
            `case ${id} exported to ${dir}: ${r.events} events with their proofs, ${r.evidence} evidence files (Payload-Oxum ${r.oxum})`,
          );
        return EXIT_OK;
      });
    case 'import': {
      if (positionals.length !== 1) throw new UsageError('case import takes one bundle folder');
      return withCases(values, async (cases, store) => {
        const r = await importCase(cases, positionals[0], await policyFor(store, values.trust));
        if (values.json) out.json(r);
        else {
          out.line(
            `imported as case ${r.caseId}: ${printable(r.title)} (${r.events} events, ${r.evidence} evidence files), every hash and proof verified`,
          );
          for (const o of r.trustedByWorkspace)
            out.line(`  ${o}: checkpoint verified against this workspace's trust policy`);
          for (const b of r.trustedByBundleOnly)
            out.line(
              `  ${b.origin}: not in this workspace's trust policy; verified against the bundle's own, key ${b.key}`,
            );
        }
        return EXIT_OK;
      });
    }
    default:
      throw new UsageError('case takes list, show, create, export or import');
  }
}
