/**
 * c2sp.org/signed-note with Ed25519 (type 0x01) and timestamped Ed25519 cosignatures (type 0x04,
 * c2sp.org/tlog-cosignature). Parsing is strict; verification follows the spec's rules: unknown
 * keys are ignored, a known key whose signature fails rejects the note, and at least one known key
 * must verify.
 */
import { concatBytes, fromBase64, fromUtf8, toBase64, utf8 } from '../bytes';
import type { Ed25519Signer, TlogCrypto } from './crypto';

export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;

/** Notes bigger than this are refused before parsing (a checkpoint is a few hundred bytes). */
export const MAX_NOTE_SIZE = 1 << 20;
/** The spec asks verifiers to accept at least 16 signatures. */
export const MAX_SIGNATURES = 100;

export class NoteError extends Error {
  override name = 'NoteError';
}

export interface Verifier {
  name: string;
  keyId: number;
  /** SIG_ED25519 for a log key, SIG_COSIGNATURE_V1 for a witness key. */
  type: number;
  publicKey: Uint8Array;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The bytes after the key ID. */
  signature: Uint8Array;
}

export interface Note {
  /** The signed text, including its final newline. */
  text: string;
  signatures: NoteSignature[];
}

export interface VerifiedSignature {
  verifier: Verifier;
  /** For cosignatures: the POSIX time the witness signed at. */
  timestamp?: number;
}

function checkKeyName(name: string) {
  if (
    name.length === 0 ||
    /[\s+\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(name)
  ) {
    throw new NoteError(
      `invalid key name ${JSON.stringify(name)}: it must be non-empty, with no spaces or '+'`,
    );
  }
}

/** key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian. */
export function computeKeyId(
  crypto: TlogCrypto,
  name: string,
  type: number,
  publicKey: Uint8Array,
): number {
  const h = crypto.sha256(concatBytes(utf8(name), new Uint8Array([0x0a, type]), publicKey));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

const hex8 = (id: number) => id.toString(16).padStart(8, '0');

/** Parses a verifier key `<name>+<hex key ID>+<base64(type || public key)>` and checks its key ID. */
export function parseVerifierKey(crypto: TlogCrypto, vkey: string): Verifier {
  // The key material is base64 and may itself contain '+': split on the first two only.
  const parts = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(vkey.trim());
  if (!parts) throw new NoteError('a verifier key has the form <name>+<key id>+<key>');
  const [, name, idHex, keyB64] = parts;
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex))
    throw new NoteError(`verifier key ID ${JSON.stringify(idHex)} is not 8 lowercase hex digits`);
  let material: Uint8Array;
  try {
    material = fromBase64(keyB64);
  } catch (e) {
    throw new NoteError(`verifier key material is not base64: ${(e as Error).message}`);
  }
  const type = material[0];
  const publicKey = material.subarray(1);
  if (type !== SIG_ED25519 && type !== SIG_COSIGNATURE_V1) {
    throw new NoteError(
      `verifier key type 0x${(type ?? 0).toString(16)} is not supported (Ed25519 0x01 or cosignature 0x04)`,
    );
  }
  if (publicKey.length !== 32)
    throw new NoteError(`Ed25519 public key is ${publicKey.length} bytes, not 32`);
  const keyId = computeKeyId(crypto, name, type, publicKey);
  if (keyId !== parseInt(idHex, 16))
    throw new NoteError(`verifier key ID ${idHex} does not match its key (${hex8(keyId)})`);
  return { name, keyId, type, publicKey: publicKey.slice() };
}

export function formatVerifierKey(v: Verifier): string {
  return `${v.name}+${hex8(v.keyId)}+${toBase64(concatBytes(new Uint8Array([v.type]), v.publicKey))}`;
}

/** Parses a private key in the Go sumdb/note form `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`. */
export function parsePrivateKeyString(
  crypto: TlogCrypto,
  text: string,
): { name: string; keyId: number; seed: Uint8Array } {
  const parts = /^PRIVATE\+KEY\+([^+]*)\+([^+]*)\+(.*)$/s.exec(text.trim());
  if (!parts) throw new NoteError('a private key has the form PRIVATE+KEY+<name>+<key id>+<key>');
  const [, name, idHex, keyB64] = parts;
  checkKeyName(name);
  const material = fromBase64(keyB64);
  if (material[0] !== SIG_ED25519 || material.length !== 33)
    throw new NoteError('private key is not an Ed25519 seed');
  return { name, keyId: parseInt(idHex, 16), seed: material.slice(1) };
}

export function formatPrivateKeyString(name: string, keyId: number, seed: Uint8Array): string {
  checkKeyName(name);
  return `PRIVATE+KEY+${name}+${hex8(keyId)}+${toBase64(concatBytes(new Uint8Array([SIG_ED25519]), seed))}`;
}

/** Parses a signed note strictly, without verifying anything. */
export function parseNote(input: string | Uint8Array): Note {
  if (input.length > MAX_NOTE_SIZE)
    throw new NoteError(`note is larger than ${MAX_NOTE_SIZE} bytes`);
  let message: string;
  try {
    message = typeof input === 'string' ? input : fromUtf8(input);
  } catch {
    throw new NoteError('note is not valid UTF-8');
  }
  // eslint-disable-next-line no-control-regex
  const ctl = /[\u0000-\u0009\u000b-\u001f]/.exec(message);
  if (ctl) throw new NoteError(`note contains a control character at offset ${ctl.index}`);
  if (!message.endsWith('\n')) throw new NoteError('note does not end with a newline');
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no blank line before its signatures');
  const text = message.slice(0, split + 1);
  const sigLines = message.slice(split + 2, -1).split('\n');
  if (sigLines.length > MAX_SIGNATURES)
    throw new NoteError(`note has more than ${MAX_SIGNATURES} signatures`);
  const signatures = sigLines.map((line, i) => {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m) throw new NoteError(`signature line ${i + 1} is malformed`);
    checkKeyName(m[1]);
    let raw: Uint8Array;
    try {
      raw = fromBase64(m[2]);
    } catch {
      throw new NoteError(`signature line ${i + 1} (${m[1]}) is not base64`);
    }
    if (raw.length < 5) throw new NoteError(`signature line ${i + 1} (${m[1]}) is too short`);
    const keyId = ((raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]) >>> 0;
    return { name: m[1], keyId, signature: raw.slice(4) };
  });
  return { text, signatures };
}

/** The message a v1 cosignature signs: a header, the time, then the note text. */
export function cosignatureMessage(timestamp: number, text: string): Uint8Array {
  return utf8(`cosignature/v1\ntime ${timestamp}\n${text}`);
}

function verifyOne(
  crypto: TlogCrypto,
  v: Verifier,
  text: string,
  sig: Uint8Array,
): VerifiedSignature | null {
  if (v.type === SIG_ED25519) {
    if (sig.length !== 64) return null;
    return crypto.ed25519Verify(v.publicKey, utf8(text), sig) ? { verifier: v } : null;
  }
  if (sig.length !== 72) return null;
  const hi = ((sig[0] << 24) | (sig[1] << 16) | (sig[2] << 8) | sig[3]) >>> 0;
  const lo = ((sig[4] << 24) | (sig[5] << 16) | (sig[6] << 8) | sig[7]) >>> 0;
  if (hi >= 0x200000) return null; // beyond 2^53: not a time we can represent exactly
  const timestamp = hi * 2 ** 32 + lo;
  const ok = crypto.ed25519Verify(
    v.publicKey,
    cosignatureMessage(timestamp, text),
    sig.subarray(8),
  );
  return ok ? { verifier: v, timestamp } : null;
}

/**
 * Verifies a note's signatures against known verifiers. Returns the verified ones; throws if a
 * known key's signature fails or if none of the known keys signed.
 */
export function verifyNote(
  crypto: TlogCrypto,
  note: Note,
  verifiers: Verifier[],
): VerifiedSignature[] {
  const verified: VerifiedSignature[] = [];
  for (const sig of note.signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!v) continue; // unknown keys are ignored, even if name or ID alone matches
    const ok = verifyOne(crypto, v, note.text, sig.signature);
    if (!ok) throw new NoteError(`signature by ${sig.name}+${hex8(sig.keyId)} does not verify`);
    verified.push(ok);
  }
  if (verified.length === 0) {
    const names = note.signatures.map((s) => `${s.name}+${hex8(s.keyId)}`).join(', ') || 'none';
    throw new NoteError(`no signature by a trusted key (signed by: ${names})`);
  }
  return verified;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  /** Returns the signature bytes that follow the key ID. */
  sign(text: string): Uint8Array;
}

/** A log signer (type 0x01) from an Ed25519 signer. */
export function ed25519NoteSigner(
  crypto: TlogCrypto,
  name: string,
  signer: Ed25519Signer,
): NoteSigner {
  checkKeyName(name);
  return {
    name,
    keyId: computeKeyId(crypto, name, SIG_ED25519, signer.publicKey),
    sign: (text) => signer.sign(utf8(text)),
  };
}

/** A witness cosigner (type 0x04); `now` gives the POSIX time to sign at. */
export function cosignatureNoteSigner(
  crypto: TlogCrypto,
  name: string,
  signer: Ed25519Signer,
  now: () => number,
): NoteSigner {
  checkKeyName(name);
  return {
    name,
    keyId: computeKeyId(crypto, name, SIG_COSIGNATURE_V1, signer.publicKey),
    sign(text) {
      const t = now();
      const ts = new Uint8Array(8);
      new DataView(ts.buffer).setBigUint64(0, BigInt(t));
      return concatBytes(ts, signer.sign(cosignatureMessage(t, text)));
    },
  };
}

function signatureLine(name: string, keyId: number, sig: Uint8Array): string {
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, keyId);
  return `\u2014 ${name} ${toBase64(concatBytes(id, sig))}\n`;
}

/** Signs a text (which must end in a newline) and returns the whole note. */
export function signNote(text: string, signers: NoteSigner[]): string {
  if (!text.endsWith('\n')) throw new NoteError('note text must end with a newline');
  return `${text}\n${signers.map((s) => signatureLine(s.name, s.keyId, s.sign(text))).join('')}`;
}

/** Adds signatures to an already signed note (a witness cosigning a checkpoint). */
export function addSignatures(note: string, signers: NoteSigner[]): string {
  const parsed = parseNote(note);
  return note + signers.map((s) => signatureLine(s.name, s.keyId, s.sign(parsed.text))).join('');
}
