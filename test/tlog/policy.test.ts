import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/bytes';
import { formatCheckpointText } from '../../shared/tlog/checkpoint';
import {
  addSignatures,
  computeKeyId,
  cosignatureNoteSigner,
  ed25519NoteSigner,
  formatVerifierKey,
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  signNote,
} from '../../shared/tlog/note';
import { parsePolicy, quorumMet, verifyCheckpoint } from '../../shared/tlog/policy';
import { ed25519SignerFromSeed, nodeCrypto } from '../../main/crypto/nodeCrypto';

const key = (seed: number) => ed25519SignerFromSeed(new Uint8Array(32).fill(seed));
const logVkey = (name: string, seed: number) =>
  formatVerifierKey({
    name,
    keyId: computeKeyId(nodeCrypto, name, SIG_ED25519, key(seed).publicKey),
    type: SIG_ED25519,
    publicKey: key(seed).publicKey,
  });
const witnessVkey = (name: string, seed: number) =>
  formatVerifierKey({
    name,
    keyId: computeKeyId(nodeCrypto, name, SIG_COSIGNATURE_V1, key(seed).publicKey),
    type: SIG_COSIGNATURE_V1,
    publicKey: key(seed).publicKey,
  });
const cosigner = (name: string, seed: number) =>
  cosignatureNoteSigner(nodeCrypto, name, key(seed), () => 1700000000);

const text = formatCheckpointText({
  origin: 'example.com/log',
  size: 10,
  root: nodeCrypto.sha256(utf8('r')),
  extensions: [],
});
const signedBy = (seed: number) =>
  signNote(text, [ed25519NoteSigner(nodeCrypto, 'example.com/log', key(seed))]);

const policyText = `
# two organisations of witnesses
log ${logVkey('example.com/log', 1)} https://log.example.com/
witness X1 ${witnessVkey('x1.example', 11)}
witness X2 ${witnessVkey('x2.example', 12)}
witness X3 ${witnessVkey('x3.example', 13)}
group X-witnesses 2 X1 X2 X3
witness Y1 ${witnessVkey('y1.example', 21)}
witness Y2 ${witnessVkey('y2.example', 22)}
group Y-witnesses any Y1 Y2
group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
`;

describe('tlog-policy', () => {
  it('parses the spec example shape and evaluates nested quorums', () => {
    const p = parsePolicy(nodeCrypto, policyText);
    expect(p.logs).toHaveLength(1);
    expect(p.logs[0].url).toBe('https://log.example.com/');
    expect(p.witnesses.map((w) => w.name)).toEqual(['X1', 'X2', 'X3', 'Y1', 'Y2']);
    expect(quorumMet(p, new Set(['X1', 'X3', 'Y2']))).toBe(true);
    expect(quorumMet(p, new Set(['X1', 'Y2']))).toBe(false);
    expect(quorumMet(p, new Set(['X1', 'X2', 'X3']))).toBe(false);
  });

  it('treats bare verifier keys as logs with quorum none', () => {
    const p = parsePolicy(
      nodeCrypto,
      `${logVkey('example.com/log', 1)}\n${logVkey('example.com/log', 2)}\n`,
    );
    expect(p.logs).toHaveLength(2);
    expect(p.quorum).toBe('none');
  });

  it.each([
    ['quorum Z', /line 1: Z is not defined/],
    [`log ${logVkey('a', 1)}`, /no quorum line/],
    ['quorum none', /no log line/],
    [
      `log ${logVkey('a', 1)}\nlog ${logVkey('b', 1)}\nquorum none`,
      /line 2: the same public key is listed twice/,
    ],
    [
      `log ${logVkey('a', 1)}\nwitness W ${witnessVkey('w', 5)}\ngroup G 2 W\nquorum G`,
      /line 3: threshold 2/,
    ],
    [
      `log ${logVkey('a', 1)}\nwitness W ${logVkey('w', 5)}\nquorum W`,
      /line 2: key type 0x01 where 0x04/,
    ],
    [`log ${logVkey('a', 1)}\nquorum none\nquorum none`, /line 3: a second quorum line/],
    [`frobnicate x\nquorum none`, /line 1: unknown keyword "frobnicate"/],
    [`log ${logVkey('a', 1)}\u0000\nquorum none`, /control character/],
  ])('refuses %s', (bad, message) => {
    expect(() => parsePolicy(nodeCrypto, bad)).toThrow(message);
  });
});

describe('checkpoints under a policy', () => {
  const p = parsePolicy(nodeCrypto, policyText);

  it('accepts a checkpoint with the quorum of cosignatures', () => {
    const note = addSignatures(signedBy(1), [
      cosigner('x1.example', 11),
      cosigner('x3.example', 13),
      cosigner('y2.example', 22),
    ]);
    const ok = verifyCheckpoint(nodeCrypto, note, p);
    expect(ok.witnesses.map((w) => w.name)).toEqual(['X1', 'X3', 'Y2']);
    expect(ok.checkpoint.size).toBe(10);
  });

  it('refuses a checkpoint without the witness quorum', () => {
    const note = addSignatures(signedBy(1), [
      cosigner('x1.example', 11),
      cosigner('y2.example', 22),
    ]);
    expect(() => verifyCheckpoint(nodeCrypto, note, p)).toThrow(
      /lacks the witness quorum X-and-Y \(cosigned by: X1, Y2\)/,
    );
  });

  it('refuses cosignatures by unknown witnesses, and a forged cosignature', () => {
    const note = addSignatures(signedBy(1), [
      cosigner('x1.example', 99),
      cosigner('x2.example', 12),
      cosigner('y1.example', 21),
    ]);
    expect(() => verifyCheckpoint(nodeCrypto, note, p)).toThrow(/quorum/);
    const forged = addSignatures(signedBy(1), [
      {
        ...cosigner('x1.example', 99),
        keyId: computeKeyId(nodeCrypto, 'x1.example', SIG_COSIGNATURE_V1, key(11).publicKey),
      },
    ]);
    expect(() => verifyCheckpoint(nodeCrypto, forged, p)).toThrow(/does not verify/);
  });

  it('follows key rotation: old and new keys while both are listed, only the new one after', () => {
    const both = parsePolicy(
      nodeCrypto,
      `log ${logVkey('example.com/log', 1)}\nlog ${logVkey('example.com/log', 2)}\nquorum none`,
    );
    const onlyNew = parsePolicy(nodeCrypto, `log ${logVkey('example.com/log', 2)}\nquorum none`);
    expect(verifyCheckpoint(nodeCrypto, signedBy(1), both).logKey.publicKey).toEqual(
      key(1).publicKey,
    );
    expect(verifyCheckpoint(nodeCrypto, signedBy(2), both).logKey.publicKey).toEqual(
      key(2).publicKey,
    );
    expect(verifyCheckpoint(nodeCrypto, signedBy(2), onlyNew).logKey.publicKey).toEqual(
      key(2).publicKey,
    );
    expect(() => verifyCheckpoint(nodeCrypto, signedBy(1), onlyNew)).toThrow(
      /not signed by a trusted log key|no signature by a trusted key/,
    );
  });

  it('refuses a checkpoint of a log the policy does not list', () => {
    const other = signNote(text.replace('example.com/log', 'other.example/log'), [
      ed25519NoteSigner(nodeCrypto, 'other.example/log', key(1)),
    ]);
    expect(() => verifyCheckpoint(nodeCrypto, other, p)).toThrow(/not a log of the trust policy/);
  });
});
