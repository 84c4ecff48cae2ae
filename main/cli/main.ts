/** The `custos` command line: the same services as the console, headless. */
import { CheckpointError } from '../../shared/tlog/checkpoint';
import { CheckpointPolicyError } from '../../shared/tlog/policy';
import { NoteError } from '../../shared/tlog/note';
import { ProofError } from '../../shared/tlog/merkle';
import { TileError } from '../../shared/tlog/tiles';
import { TlogProofError } from '../../shared/tlog/proofFile';
import { KeyFileError } from '../tlog/keys';
import { CacheError } from '../store/cache';
import { CacheKeyError } from '../store/keyProvider';
import { SchemaError } from '../store/migrations/index';
import { SyncSourceError } from '../sync/engine';
import { StorageError } from '../tlog/storage';
import { StoreError } from '../tlog/treeState';
import {
  demoCommand,
  keygenCommand,
  proofStoreCommand,
  sealCommand,
  verifyStoreCommand,
} from './commands';
import { cacheCommand, proofCacheCommand, syncCommand, verifyCacheCommand } from './cacheCommands';
import { searchCommand } from './searchCommand';
import { QueryError } from '../../shared/query/parse';
import { EXIT_USAGE, EXIT_VERIFY_FAILED, UsageError } from './errors';
import { processOutput, type Output } from './output';

const USAGE = `custos: a compliance console for tamper-evident audit logs (C2SP tlog-tiles)

usage:
  custos keygen --origin <origin> --out <path>        writes <path>.key (0600) and <path>.pub
  custos seal   --store <dir|s3://bucket/prefix> --key <file.key> [--format custos|cloudtrail|jsonl] <input>...
  custos verify --store <dir|url|s3://...> --trust <file.pub|policy> [--json]
  custos proof  --store <dir|url|s3://...> --entry <index> [--trust <file.pub|policy>]
  custos demo   --out <dir> [--size N] [--seed S]
  custos sync   --cache <file> --from <dir|url|s3://...> [--from ...] --trust <file.pub|policy> [--json]
  custos verify --cache <file> [--entry <index>] [--origin <origin>] [--json]
  custos proof  --cache <file> --entry <index> [--origin <origin>]
  custos cache  new-key --out <file> | rekey --cache <file> | info --cache <file>
  custos search --cache <file> [--json|--csv] [--limit N|--all] [--count] [--facets f1,f2]
                [--histogram] [--sort time|index] [--asc] [--proofs] [--out <file>] <query>
                (the query language: docs/search.md)
  custos detect --cache <file> [--json] [--rule <id>] [--as-of <time>]  (docs/detections.md)
  custos serve  --cache <file> [--port N]             the console in a browser, on 127.0.0.1
  custos journal --cache <file> [--verify [--checkpoint <file>]... | --export <dir>] [--limit N] [--json]
  custos case   list|show --case <id>|create --title <t> --cache <file> [--json]
  custos case   export --cache <file> --case <id> --out <dir> [--trust <file.pub|policy>]
  custos case   import --cache <file> <dir>           (a BagIt bundle; every hash and proof checked)
  custos report --cache <file> --template quarterly|monthly|weekly|daily|investigation|certificate
                [--period 2026-Q3|2026-08|2026-W33|2026-08-14] [--case <id>] --out <file.pdf>
                [--sign <officer.p12> [--tsa <url>]] [--organisation <name>] [--signatory <name> --role <role>]
                (the PKCS#12 passphrase comes from CUSTOS_P12_PASS or a prompt, never an argument)
  custos verify-report <file.pdf> --trust <file.pub|policy> [--json]

The cache key comes from CUSTOS_CACHE_KEY (64 hex characters) or --key-file <file>, never from an
argument; rekey takes the new key from CUSTOS_NEW_CACHE_KEY or --new-key-file <file>.

Exit codes: 0 success, 1 a verification found a problem, 2 bad usage or input.
`;

type Command = (argv: string[], out: Output) => Promise<number>;

function lazy(load: () => Promise<Command>): Command {
  return async (argv, out) => (await load())(argv, out);
}

/**
 * Errors of the lazily loaded commands, by name (importing their classes would load the commands):
 * bad input, and a verification that failed.
 */
const USAGE_ERRORS = new Set([
  'CaseError',
  'PdfSignError',
  'ReportError',
  'PeriodError',
  'AttachmentError',
]);
const VERIFY_ERRORS = new Set(['BagError', 'BundleError']);

function hasFlag(argv: string[], flag: string) {
  return argv.some((a) => a === flag || a.startsWith(`${flag}=`));
}

const COMMANDS: Record<string, Command> = {
  keygen: keygenCommand,
  seal: sealCommand,
  verify: (argv, out) => {
    if (hasFlag(argv, '--store')) return verifyStoreCommand(argv, out);
    if (hasFlag(argv, '--cache')) return verifyCacheCommand(argv, out);
    throw new UsageError('verify needs --store <dir|url|s3://...> or --cache <file>');
  },
  proof: (argv, out) => {
    if (hasFlag(argv, '--store')) return proofStoreCommand(argv, out);
    if (hasFlag(argv, '--cache')) return proofCacheCommand(argv, out);
    throw new UsageError('proof needs --store <dir|url|s3://...> or --cache <file>');
  },
  sync: syncCommand,
  search: searchCommand,
  cache: cacheCommand,
  demo: demoCommand,
  // Loaded when used: PDF, signing and the console's services are heavy to load for every command.
  detect: lazy(async () => (await import('./detectCommand')).detectCommand),
  serve: lazy(async () => (await import('./serveCommand')).serveCommand),
  journal: lazy(async () => (await import('./journalCommand')).journalCommand),
  case: lazy(async () => (await import('./caseCommand')).caseCommand),
  report: lazy(async () => (await import('./reportCommand')).reportCommand),
  'verify-report': lazy(async () => (await import('./reportCommand')).verifyReportCommand),
};

/** Runs one command and returns its exit code; never throws. */
export async function runCli(argv: string[], out: Output = processOutput()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out.raw(USAGE);
    return name ? 0 : EXIT_USAGE;
  }
  const command = COMMANDS[name];
  if (!command) {
    out.error(`custos: unknown command ${JSON.stringify(name)}; run custos --help`);
    return EXIT_USAGE;
  }
  try {
    return await command(rest, out);
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    out.error(`custos ${name}: ${message}`);
    if (
      e instanceof UsageError ||
      e instanceof KeyFileError ||
      e instanceof StorageError ||
      e instanceof CacheError ||
      e instanceof CacheKeyError ||
      e instanceof SchemaError ||
      e instanceof QueryError ||
      USAGE_ERRORS.has((e as Error).name) ||
      e instanceof RangeError
    ) {
      return EXIT_USAGE;
    }
    if (e instanceof SyncSourceError) return EXIT_VERIFY_FAILED;
    if (
      e instanceof StoreError ||
      e instanceof CheckpointError ||
      e instanceof CheckpointPolicyError ||
      e instanceof NoteError ||
      e instanceof ProofError ||
      e instanceof TileError ||
      e instanceof TlogProofError ||
      VERIFY_ERRORS.has((e as Error).name)
    ) {
      return EXIT_VERIFY_FAILED;
    }
    if ((e as NodeJS.ErrnoException).code) return EXIT_USAGE; // a file system error on an input path
    out.error((e as Error).stack ?? '');
    return EXIT_USAGE;
  }
}
