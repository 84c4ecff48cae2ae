/** `custos detect`: runs the detection rules over a cache and lists the findings with their events. */
import { parseTimeValue } from '../../shared/query/fields';
import { QueryError } from '../../shared/query/parse';
import { runDetections, type Finding } from '../detect/engine';
import { BUILT_IN_RULES, RuleError } from '../detect/rules';
import { SearchService } from '../search/service';
import { openStore } from './cacheCommands';
import { parseCommandArgs, required } from './args';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import { isoTime, printable, type Output } from './output';

function block(f: Finding): string[] {
  const lines = [`${f.severity.toUpperCase()}  ${f.ruleId}  ${printable(f.summary)}`];
  for (const e of f.events)
    lines.push(
      `  ${printable(`${e.log}#${e.index}`)}  ${isoTime(e.time)}  ${printable(e.action ?? '(no action)')}  ` +
        `${printable(e.actor ?? '(no actor)')}${e.role === 'context' ? '  (context)' : ''}`,
    );
  return lines;
}

export async function detectCommand(argv: string[], out: Output): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    cache: { type: 'string' },
    'key-file': { type: 'string' },
    json: { type: 'boolean' },
    rule: { type: 'string', multiple: true },
    'as-of': { type: 'string' },
  });
  let rules = BUILT_IN_RULES;
  if (values.rule?.length) {
    const known = new Map(BUILT_IN_RULES.map((r) => [r.id, r]));
    for (const id of values.rule)
      if (!known.has(id))
        throw new UsageError(
          `--rule: there is no rule ${JSON.stringify(id)}; the rules are ${[...known.keys()].join(', ')}`,
        );
    rules = BUILT_IN_RULES.filter((r) => values.rule!.includes(r.id));
  }
  let asOf: number | undefined;
  if (values['as-of'] !== undefined) {
    try {
      asOf = parseTimeValue(values['as-of'], Date.now(), 1).start;
    } catch (e) {
      if (e instanceof QueryError) throw new UsageError(`--as-of: ${e.message}`);
      throw e;
    }
  }

  const store = await openStore(required(values.cache, '--cache'), values['key-file']);
  try {
    const progress = out.progress('detect', rules.length);
    let findings: Finding[];
    try {
      findings = runDetections(new SearchService(store.db), rules, {
        asOf,
        onProgress: (p) => progress.update(p.done, p.total),
      });
    } catch (e) {
      if (e instanceof RuleError) {
        out.error(`custos detect: ${e.message}`);
        return EXIT_USAGE;
      }
      throw e;
    } finally {
      progress.done();
    }
    if (values.json) {
      out.json({ rules: rules.map((r) => r.id), asOf: asOf ?? null, findings });
      return EXIT_OK;
    }
    for (const f of findings) {
      for (const l of block(f)) out.line(l);
      out.line('');
    }
    const bySeverity = ['critical', 'high', 'medium', 'low']
      .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`);
    out.line(
      findings.length === 0
        ? `no findings from ${rules.length} ${rules.length === 1 ? 'rule' : 'rules'}`
        : `${findings.length} ${findings.length === 1 ? 'finding' : 'findings'} (${bySeverity.join(', ')}) from ${rules.length} ${rules.length === 1 ? 'rule' : 'rules'}`,
    );
    return EXIT_OK;
  } finally {
    store.close();
  }
}
