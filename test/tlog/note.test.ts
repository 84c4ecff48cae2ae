import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/bytes';
import { nobleCrypto } from '../../shared/crypto/noble';
import {
  formatCheckpointText,
  openCheckpoint,
  parseCheckpointText,
} from '../../shared/tlog/checkpoint';
import {
  addSignatures,
  computeKeyId,
  cosignatureNoteSigner,
  ed25519NoteSigner,
  formatVerifierKey,
  parseNote,
  parseVerifierKey,
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  signNote,
  verifyNote,
  type Verifier,
} from '../../shared/tlog/note';
import { formatTlogProof, parseTlogProof } from '../../shared/tlog/proofFile';
import { ed25519SignerFromSeed, nodeCrypto } from '../../main/crypto/nodeCrypto';

const seed = (b: number) => new Uint8Array(32).fill(b);
const logSigner = ed25519SignerFromSeed(seed(1));
const witnessSigner = ed25519SignerFromSeed(seed(2));
const log = ed25519NoteSigner(nodeCrypto, 'example.com/log', logSigner);
const witness = cosignatureNoteSigner(
  nodeCrypto,
  'witness.example/w1',
  witnessSigner,
  () => 1679315147,
);
const logVerifier: Verifier = {
  name: 'example.com/log',
  keyId: log.keyId,
  type: SIG_ED25519,
  publicKey: logSigner.publicKey,
};
const witnessVerifier: Verifier = {
  name: 'witness.example/w1',
  keyId: computeKeyId(
    nodeCrypto,
    'witness.example/w1',
    SIG_COSIGNATURE_V1,
    witnessSigner.publicKey,
  ),
  type: SIG_COSIGNATURE_V1,
  publicKey: witnessSigner.publicKey,
};
const text = formatCheckpointText({
  origin: 'example.com/log',
  size: 20852163,
  root: nodeCrypto.sha256(utf8('x')),
  extensions: [],
});

describe('signed notes', () => {
  it('sign and verify with the log key and a witness cosignature, in both crypto providers', () => {
    const note = addSignatures(signNote(text, [log]), [witness]);
    for (const crypto of [nodeCrypto, nobleCrypto]) {
      const ok = verifyNote(crypto, parseNote(note), [logVerifier, witnessVerifier]);
      expect(ok.map((s) => s.verifier.name)).toEqual(['example.com/log', 'witness.example/w1']);
      expect(ok[1].timestamp).toBe(1679315147);
    }
  });

  it('round-trip verifier keys and reject a key ID that does not match', () => {
    const vkey = formatVerifierKey(logVerifier);
    expect(parseVerifierKey(nodeCrypto, vkey)).toEqual(logVerifier);
    const wrongId = vkey.replace(
      /\+([0-9a-f]{8})\+/,
      (_, id: string) => `+${id === '00000000' ? '00000001' : '00000000'}+`,
    );
    expect(() => parseVerifierKey(nodeCrypto, wrongId)).toThrow(/does not match/);
    expect(() => parseVerifierKey(nodeCrypto, 'name+abc+AAAA')).toThrow(/8 lowercase hex/);
    expect(() => parseVerifierKey(nodeCrypto, 'bad name+00000000+AAAA')).toThrow(
      /invalid key name/,
    );
  });

  it('ignore unknown keys, even with a known name or ID alone, and reject a failing known key', () => {
    const other = ed25519NoteSigner(nodeCrypto, 'example.com/log', ed25519SignerFromSeed(seed(3)));
    const note = signNote(text, [other, log]);
    expect(verifyNote(nodeCrypto, parseNote(note), [logVerifier])).toHaveLength(1);
    expect(() => verifyNote(nodeCrypto, parseNote(signNote(text, [other])), [logVerifier])).toThrow(
      /no signature by a trusted key/,
    );
    const forged = signNote(text, [{ ...other, keyId: log.keyId }]);
    expect(() => verifyNote(nodeCrypto, parseNote(forged), [logVerifier])).toThrow(
      /does not verify/,
    );
  });

  it('refuse malformed notes', () => {
    const note = signNote(text, [log]);
    expect(() => parseNote(note.replace('\n\n', '\n'))).toThrow();
    expect(() => parseNote(note.slice(0, -1))).toThrow(/newline/);
    expect(() => parseNote(note.replace('example.com/log\n', 'example.com/log\t\n'))).toThrow(
      /control character/,
    );
    expect(() => parseNote(note.replace('\u2014', '-'))).toThrow(/malformed/);
    expect(() => parseNote(note + note.slice(note.lastIndexOf('\u2014')).repeat(100))).toThrow(
      /more than 100 signatures/,
    );
    expect(() => parseNote(new Uint8Array([0xff, 0x0a]))).toThrow(/UTF-8/);
  });
});

describe('checkpoints', () => {
  it('parse strictly', () => {
    expect(parseCheckpointText(text)).toMatchObject({
      origin: 'example.com/log',
      size: 20852163,
      extensions: [],
    });
    const root = text.split('\n')[2];
    for (const bad of [
      `o\n01\n${root}\n`,
      `o\n-1\n${root}\n`,
      `o\n1\n`,
      `\n1\n${root}\n`,
      `o\n1\nAAAA\n`,
      `o\n1\n${root}\n\nx\n`,
      `o\n99999999999999999999\n${root}\n`,
    ]) {
      expect(() => parseCheckpointText(bad), JSON.stringify(bad)).toThrow();
    }
  });

  it('are refused for another origin', () => {
    expect(() =>
      openCheckpoint(nodeCrypto, signNote(text, [log]), [logVerifier], 'other.example/log'),
    ).toThrow(/not the trusted/);
  });
});

describe('tlog-proof', () => {
  it('round-trips, with and without extra data', () => {
    const checkpoint = signNote(text, [log]);
    const proof = {
      index: 73894,
      proof: [nodeCrypto.sha256(utf8('a')), nodeCrypto.sha256(utf8('b'))],
      checkpoint,
    };
    expect(parseTlogProof(formatTlogProof(proof))).toEqual(proof);
    const withExtra = { ...proof, extra: utf8('extra data') };
    expect(parseTlogProof(formatTlogProof(withExtra))).toEqual(withExtra);
    expect(formatTlogProof(proof).startsWith('c2sp.org/tlog-proof@v1\nindex 73894\n')).toBe(true);
  });
  it('refuses malformed proofs', () => {
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v2\nindex 1\n\nx')).toThrow(/must start/);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 01\n\nx')).toThrow(/index/);
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx')).toThrow(/32 bytes/);
  });
});
