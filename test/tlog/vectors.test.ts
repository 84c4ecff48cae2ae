/**
 * Every published vector in ../shared/datasets: RFC 6962 / 9162 proofs (transparency-dev/merkle),
 * signed notes (C2SP, Go, sum.golang.org) and Ed25519 (Wycheproof), with both crypto providers.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toHex, utf8 } from '../../shared/bytes';
import { nobleCrypto } from '../../shared/crypto/noble';
import type { TlogCrypto } from '../../shared/tlog/crypto';
import { createTreeHasher } from '../../shared/tlog/hasher';
import { verifyConsistency, verifyInclusion } from '../../shared/tlog/merkle';
import { parseNote, parseVerifierKey, verifyNote } from '../../shared/tlog/note';
import { nodeCrypto } from '../../main/crypto/nodeCrypto';
import { DATASETS } from '../helpers/paths';

const providers: Array<[string, TlogCrypto]> = [
  ['node', nodeCrypto],
  ['noble', nobleCrypto],
];
const counts: Record<string, number> = {};
const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : p.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string | null | undefined) => fromBase64(s ?? '');

const inclusion = jsonFiles(join(DATASETS, 'merkle-rfc6962', 'inclusion'));
const consistency = jsonFiles(join(DATASETS, 'merkle-rfc6962', 'consistency'));
const notes = JSON.parse(
  readFileSync(join(DATASETS, 'signed-note', 'vectors_ed25519.json'), 'utf8'),
);
const wycheproof = JSON.parse(
  readFileSync(join(DATASETS, 'ed25519-wycheproof', 'ed25519_test.json'), 'utf8'),
);

afterAll(() => {
  console.log(`published vectors run: ${JSON.stringify(counts)}`);
});

describe.each(providers)('published vectors with %s crypto', (name, crypto) => {
  const hasher = createTreeHasher(crypto.sha256);

  it(`agrees with all ${inclusion.length} RFC 6962 inclusion vectors`, () => {
    expect(inclusion.length).toBe(98);
    for (const file of inclusion) {
      const v = JSON.parse(readFileSync(file, 'utf8'));
      const run = () =>
        verifyInclusion(
          hasher,
          v.leafIdx,
          v.treeSize,
          b64(v.leafHash),
          (v.proof ?? []).map(b64),
          b64(v.root),
        );
      if (v.wantErr) expect(run, file).toThrow();
      else expect(run, file).not.toThrow();
      count(`inclusion/${name}`);
    }
  });

  it(`agrees with all ${consistency.length} RFC 6962 consistency vectors`, () => {
    expect(consistency.length).toBe(98);
    for (const file of consistency) {
      const v = JSON.parse(readFileSync(file, 'utf8'));
      const run = () =>
        verifyConsistency(
          hasher,
          v.size1,
          v.size2,
          b64(v.root1),
          b64(v.root2),
          (v.proof ?? []).map(b64),
        );
      if (v.wantErr) expect(run, file).toThrow();
      else expect(run, file).not.toThrow();
      count(`consistency/${name}`);
    }
  });

  it('verifies every published signed note and rejects every tampered copy', () => {
    expect(notes.length).toBe(3);
    for (const v of notes) {
      const verifier = parseVerifierKey(crypto, v.vkey);
      const ok = verifyNote(crypto, parseNote(v.note), [verifier]);
      expect(ok.map((s) => s.verifier.name)).toEqual([verifier.name]);
      expect(() => verifyNote(crypto, parseNote(v.tampered_note), [verifier])).toThrow(
        /does not verify/,
      );
      count(`signed-note/${name}`);
    }
  });

  it('agrees with every Wycheproof Ed25519 vector', () => {
    let n = 0;
    for (const group of wycheproof.testGroups) {
      const pub = fromHex(group.publicKey.pk);
      for (const t of group.tests) {
        const got = crypto.ed25519Verify(pub, fromHex(t.msg), fromHex(t.sig));
        expect(got, `tcId ${t.tcId} (${t.comment})`).toBe(t.result === 'valid');
        n++;
        count(`wycheproof/${name}`);
      }
    }
    expect(n).toBe(151);
  });
});

describe('the two crypto providers', () => {
  it('hash identically', () => {
    for (const text of ['', 'abc', 'x'.repeat(1000)]) {
      expect(toHex(nodeCrypto.sha256(utf8(text)))).toBe(toHex(nobleCrypto.sha256(utf8(text))));
    }
  });
});
