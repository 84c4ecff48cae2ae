/** The `custos` command line: the same services as the console, headless. */
import { CheckpointError } from '../../shared/tlog/checkpoint';
import { CheckpointPolicyError } from '../../shared/tlog/policy';
import { NoteError } from '../../shared/tlog/note';
import { ProofError } from '../../shared/tlog/merkle';
import { TileError } from '../../shared/tlog/tiles';
import { TlogProofError } from '../../shared/tlog/proofFile';
import { KeyFileError } from '../tlog/keys';
import { StorageError } from '../tlog/storage';
import { StoreError } from '../tlog/treeState';
import {
  demoCommand,
  keygenCommand,
  proofStoreCommand,
  sealCommand,
  verifyStoreCommand,
} from './commands';
import { EXIT_USAGE, EXIT_VERIFY_FAILED, UsageError } from './errors';
import { processOutput, type Output } from './output';

const USAGE = `custos: a compliance console for tamper-evident audit logs (C2SP tlog-tiles)

usage:
  custos keygen --origin <origin> --out <path>        writes <path>.key (0600) and <path>.pub
  custos seal   --store <dir> --key <file.key> [--format custos|cloudtrail|jsonl] <input>...
  custos verify --store <dir|url> --trust <file.pub> [--json]
  custos proof  --store <dir|url> --entry <index> [--trust <file.pub>]
  custos demo   --out <dir> [--size N] [--seed S]

Exit codes: 0 success, 1 a verification found a problem, 2 bad usage or input.
`;

type Command = (argv: string[], out: Output) => Promise<number>;

function hasFlag(argv: string[], flag: string) {
  return argv.some((a) => a === flag || a.startsWith(`${flag}=`));
}

const COMMANDS: Record<string, Command> = {
  keygen: keygenCommand,
  seal: sealCommand,
  verify: (argv, out) => {
    if (hasFlag(argv, '--store')) return verifyStoreCommand(argv, out);
    throw new UsageError('verify needs --store <dir|url>');
  },
  proof: (argv, out) => {
    if (hasFlag(argv, '--store')) return proofStoreCommand(argv, out);
    throw new UsageError('proof needs --store <dir|url>');
  },
  demo: demoCommand,
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
    if (e instanceof UsageError || e instanceof KeyFileError || e instanceof StorageError)
      return EXIT_USAGE;
    if (
      e instanceof StoreError ||
      e instanceof CheckpointError ||
      e instanceof CheckpointPolicyError ||
      e instanceof NoteError ||
      e instanceof ProofError ||
      e instanceof TileError ||
      e instanceof TlogProofError
    ) {
      return EXIT_VERIFY_FAILED;
    }
    if ((e as NodeJS.ErrnoException).code) return EXIT_USAGE; // a file system error on an input path
    out.error((e as Error).stack ?? '');
    return EXIT_USAGE;
  }
}
