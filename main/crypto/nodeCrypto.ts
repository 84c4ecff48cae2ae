/** Node's native SHA-256 and Ed25519 behind the TlogCrypto interface, plus Ed25519 key handling. */
import {
  createPrivateKey,
  createPublicKey,
  hash,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import type { Ed25519Signer, TlogCrypto } from '../../shared/tlog/crypto';

// DER prefixes that wrap a raw 32-byte Ed25519 key as SPKI / PKCS#8 (RFC 8410).
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const publicKeys = new Map<string, KeyObject>();

function publicKeyObject(raw: Uint8Array): KeyObject {
  const id = Buffer.from(raw).toString('hex');
  let key = publicKeys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (publicKeys.size > 1000) publicKeys.clear();
    publicKeys.set(id, key);
  }
  return key;
}

export function sha256(data: Uint8Array): Uint8Array {
  const digest = hash('sha256', data, 'buffer');
  // A plain Uint8Array view (no copy), so hashes compare equal whichever provider made them.
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

export const nodeCrypto: TlogCrypto = {
  sha256,
  ed25519Verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return cryptoVerify(null, message, publicKeyObject(publicKey), signature);
    } catch {
      return false; // an invalid point encoding is a failed verification, not a crash
    }
  },
};

/** An Ed25519 signer from a 32-byte seed (RFC 8032 private key). */
export function ed25519SignerFromSeed(seed: Uint8Array): Ed25519Signer {
  if (seed.length !== 32) throw new Error('Ed25519 seed must be 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(SPKI_PREFIX.length));
  return {
    publicKey,
    sign: (message) => new Uint8Array(cryptoSign(null, message, privateKey)),
  };
}

export function newEd25519Seed(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}
