/** c2sp.org/tlog-checkpoint: the signed tree head. */
import { fromBase64, toBase64 } from '../bytes';
import { HASH_SIZE } from './hasher';
import {
  NoteError,
  parseNote,
  verifyNote,
  type Note,
  type Verifier,
  type VerifiedSignature,
} from './note';
import type { TlogCrypto } from './crypto';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions: string[];
}

export interface SignedCheckpoint extends Checkpoint {
  /** The whole note as served, byte for byte. */
  note: string;
  parsed: Note;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Parses the note text of a checkpoint (origin, size, root, extension lines), strictly. */
export function parseCheckpointText(text: string): Checkpoint {
  if (!text.endsWith('\n'))
    throw new CheckpointError('checkpoint text does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointError('checkpoint needs origin, size and root lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin.length === 0) throw new CheckpointError('checkpoint origin is empty');
  if (!/^(0|[1-9]\d*)$/.test(sizeLine))
    throw new CheckpointError(
      `checkpoint size ${JSON.stringify(sizeLine)} is not a decimal number without leading zeros`,
    );
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size))
    throw new CheckpointError(`checkpoint size ${sizeLine} is too large`);
  let root: Uint8Array;
  try {
    root = fromBase64(rootLine);
  } catch {
    throw new CheckpointError('checkpoint root hash is not base64');
  }
  if (root.length !== HASH_SIZE)
    throw new CheckpointError(`checkpoint root hash is ${root.length} bytes, not ${HASH_SIZE}`);
  if (extensions.some((l) => l.length === 0))
    throw new CheckpointError('checkpoint has an empty extension line');
  return { origin, size, root, extensions };
}

export function formatCheckpointText(c: Checkpoint): string {
  return [c.origin, String(c.size), toBase64(c.root), ...c.extensions].join('\n') + '\n';
}

/**
 * Parses and verifies a checkpoint note against the log's verifiers. Also requires the origin line
 * to be the expected one when given, so that a valid checkpoint of another log is never accepted.
 */
export function openCheckpoint(
  crypto: TlogCrypto,
  note: string | Uint8Array,
  logVerifiers: Verifier[],
  expectedOrigin?: string,
): { checkpoint: SignedCheckpoint; signatures: VerifiedSignature[] } {
  let parsed: Note;
  try {
    parsed = parseNote(note);
  } catch (e) {
    throw new CheckpointError(`checkpoint is not a signed note: ${(e as Error).message}`);
  }
  const checkpoint = {
    ...parseCheckpointText(parsed.text),
    note: typeof note === 'string' ? note : new TextDecoder().decode(note),
    parsed,
  };
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new CheckpointError(
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the trusted ${JSON.stringify(expectedOrigin)}`,
    );
  }
  let signatures: VerifiedSignature[];
  try {
    signatures = verifyNote(crypto, parsed, logVerifiers);
  } catch (e) {
    if (e instanceof NoteError) throw new CheckpointError(`checkpoint signature: ${e.message}`);
    throw e;
  }
  return { checkpoint, signatures };
}
