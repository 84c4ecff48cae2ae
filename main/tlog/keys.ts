/** Log signing keys and trust files on disk. */
import { open, readFile, stat } from 'node:fs/promises';
import {
  computeKeyId,
  ed25519NoteSigner,
  formatPrivateKeyString,
  formatVerifierKey,
  parsePrivateKeyString,
  SIG_ED25519,
  type NoteSigner,
  type Verifier,
} from '../../shared/tlog/note';
import { parsePolicy, PolicyError, type TrustPolicy } from '../../shared/tlog/policy';
import { ed25519SignerFromSeed, newEd25519Seed, nodeCrypto } from '../crypto/nodeCrypto';

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

export interface LogKey {
  name: string;
  signer: NoteSigner;
  verifier: Verifier;
}

/** Creates a new Ed25519 log key; returns the private key string and the verifier key string. */
export function generateLogKey(origin: string): { privateKey: string; verifierKey: string } {
  const seed = newEd25519Seed();
  const signer = ed25519SignerFromSeed(seed);
  const keyId = computeKeyId(nodeCrypto, origin, SIG_ED25519, signer.publicKey);
  return {
    privateKey: formatPrivateKeyString(origin, keyId, seed),
    verifierKey: formatVerifierKey({
      name: origin,
      keyId,
      type: SIG_ED25519,
      publicKey: signer.publicKey,
    }),
  };
}

/** Writes `<out>.key` (mode 0600) and `<out>.pub`, refusing to overwrite either. */
export async function writeKeyPair(
  out: string,
  origin: string,
): Promise<{ keyPath: string; pubPath: string; verifierKey: string }> {
  const { privateKey, verifierKey } = generateLogKey(origin);
  const keyPath = `${out}.key`;
  const pubPath = `${out}.pub`;
  for (const [path, text, mode] of [
    [keyPath, privateKey, 0o600],
    [pubPath, verifierKey, 0o644],
  ] as const) {
    let fh;
    try {
      fh = await open(path, 'wx', mode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw new KeyFileError(`${path} already exists; not overwriting a key`);
      throw new KeyFileError(`cannot create ${path}: ${(e as Error).message}`);
    }
    await fh.writeFile(`${text}\n`);
    await fh.close();
  }
  return { keyPath, pubPath, verifierKey };
}

/** Reads a private key file written by `custos keygen` (or Go's note.GenerateKey). */
export async function readLogKey(path: string): Promise<LogKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new KeyFileError(`cannot read key file ${path}: ${(e as Error).message}`);
  }
  try {
    const { name, keyId, seed } = parsePrivateKeyString(nodeCrypto, text);
    const ed = ed25519SignerFromSeed(seed);
    const signer = ed25519NoteSigner(nodeCrypto, name, ed);
    if (signer.keyId !== keyId)
      throw new Error(`key ID ${keyId.toString(16)} does not match the key`);
    return { name, signer, verifier: { name, keyId, type: SIG_ED25519, publicKey: ed.publicKey } };
  } catch (e) {
    throw new KeyFileError(`key file ${path}: ${(e as Error).message}`);
  }
}

/** Reads a trust file: a c2sp.org/tlog-policy, or one or more bare verifier keys (a `.pub`). */
export async function readTrust(path: string): Promise<TrustPolicy> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > 1 << 20) throw new Error('file is larger than 1 MiB');
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new KeyFileError(`cannot read trust file ${path}: ${(e as Error).message}`);
  }
  try {
    return parsePolicy(nodeCrypto, text, `trust file ${path}`);
  } catch (e) {
    if (e instanceof PolicyError) throw new KeyFileError(e.message);
    throw e;
  }
}
