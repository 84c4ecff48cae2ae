/** Pure-JS primitives for where Node's crypto is not available (the sandboxed renderer). */
import { sha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { TlogCrypto } from '../tlog/crypto';

export const nobleCrypto: TlogCrypto = {
  sha256: (data) => sha256(data),
  ed25519Verify(publicKey, message, signature) {
    try {
      // zip215: false is RFC 8032 / FIPS 186-5 strict verification, matching Node's OpenSSL.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};
