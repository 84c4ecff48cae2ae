/**
 * The cryptographic primitives the log core needs, injected so that shared/ stays pure: main/
 * passes Node's native implementation (fast), the renderer a pure-JS one (shared/crypto/noble.ts).
 */
export interface TlogCrypto {
  /** SHA-256 of the bytes. */
  sha256(data: Uint8Array): Uint8Array;
  /** RFC 8032 Ed25519 verification of `signature` over `message` with a 32-byte public key. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** A signer that holds an Ed25519 private key; implemented in main/ only. */
export interface Ed25519Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}
