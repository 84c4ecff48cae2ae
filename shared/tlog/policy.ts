/**
 * c2sp.org/tlog-policy: which logs are trusted, which witnesses, and the quorum of witness
 * cosignatures a checkpoint needs. A bare verifier key (a `.pub` file) is a policy with one log
 * and `quorum none`.
 */
import { parseCheckpointText, type SignedCheckpoint } from './checkpoint';
import type { TlogCrypto } from './crypto';
import type { NoteError } from './note';
import {
  parseNote,
  parseVerifierKey,
  SIG_COSIGNATURE_V1,
  SIG_ED25519,
  verifyNote,
  type Verifier,
} from './note';
import { fromUtf8 } from '../bytes';

export interface PolicyLog {
  verifier: Verifier;
  url?: string;
}

export interface PolicyWitness {
  name: string;
  verifier: Verifier;
  url?: string;
}

export interface PolicyGroup {
  name: string;
  threshold: number;
  members: string[];
}

export interface TrustPolicy {
  logs: PolicyLog[];
  witnesses: PolicyWitness[];
  groups: PolicyGroup[];
  /** A witness or group name, or 'none'. */
  quorum: string;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

/** Raised when a checkpoint fails the policy; `reason` classifies it for alarms. */
export class CheckpointPolicyError extends Error {
  override name = 'CheckpointPolicyError';
  constructor(
    message: string,
    readonly reason: 'malformed' | 'untrusted-origin' | 'bad-signature' | 'unknown-key' | 'quorum',
  ) {
    super(message);
  }
}

export const MAX_POLICY_ITEMS = 256;

const WS = /[ \t]+/;

/** Parses a tlog-policy file, or a file of bare verifier keys (each a log, `quorum none`). */
export function parsePolicy(crypto: TlogCrypto, text: string, where = 'policy'): TrustPolicy {
  // eslint-disable-next-line no-control-regex -- the spec allows no other control characters
  const bad = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(text);
  if (bad) throw new PolicyError(`${where}: control character at offset ${bad.index}`);
  const lines = text.split('\n').map((l, i) => ({ n: i + 1, words: l.trim().split(WS) }));
  const content = lines.filter((l) => l.words[0] !== '' && !l.words[0].startsWith('#'));
  const keywords = new Set(['log', 'witness', 'group', 'quorum']);
  if (
    content.length > 0 &&
    content.every((l) => !keywords.has(l.words[0]) && l.words.length === 1)
  ) {
    // Bare verifier keys: each line is a log key.
    const logs = content.map((l) => ({
      verifier: vkey(crypto, l.words[0], SIG_ED25519, `${where}, line ${l.n}`),
    }));
    return { logs, witnesses: [], groups: [], quorum: 'none' };
  }

  const policy: TrustPolicy = { logs: [], witnesses: [], groups: [], quorum: '' };
  const names = new Map<string, 'witness' | 'group'>();
  const keys = new Set<string>();
  for (const { n, words } of content) {
    const at = `${where}, line ${n}`;
    const [kw, ...args] = words;
    if (policy.logs.length + policy.witnesses.length + policy.groups.length > MAX_POLICY_ITEMS) {
      throw new PolicyError(`${at}: more than ${MAX_POLICY_ITEMS} logs, witnesses and groups`);
    }
    const uniqueKey = (v: Verifier) => {
      const id = Array.from(v.publicKey, (b) => b.toString(16).padStart(2, '0')).join('');
      if (keys.has(id)) throw new PolicyError(`${at}: the same public key is listed twice`);
      keys.add(id);
    };
    switch (kw) {
      case 'log': {
        if (args.length < 1 || args.length > 2)
          throw new PolicyError(`${at}: expected "log <vkey> [<url>]"`);
        const verifier = vkey(crypto, args[0], SIG_ED25519, at);
        uniqueKey(verifier);
        policy.logs.push(args[1] ? { verifier, url: args[1] } : { verifier });
        break;
      }
      case 'witness': {
        if (args.length < 2 || args.length > 3)
          throw new PolicyError(`${at}: expected "witness <name> <vkey> [<url>]"`);
        const [name, key, url] = args;
        if (name === 'none' || names.has(name))
          throw new PolicyError(`${at}: name ${name} is already defined`);
        const verifier = vkey(crypto, key, SIG_COSIGNATURE_V1, at);
        uniqueKey(verifier);
        names.set(name, 'witness');
        policy.witnesses.push(url ? { name, verifier, url } : { name, verifier });
        break;
      }
      case 'group': {
        if (args.length < 3)
          throw new PolicyError(`${at}: expected "group <name> <all|any|k> <member>..."`);
        const [name, k, ...members] = args;
        if (name === 'none' || names.has(name))
          throw new PolicyError(`${at}: name ${name} is already defined`);
        if (new Set(members).size !== members.length)
          throw new PolicyError(`${at}: a member is listed twice`);
        for (const m of members) {
          if (!names.has(m)) throw new PolicyError(`${at}: ${m} is not defined on a line above`);
        }
        let threshold: number;
        if (k === 'all') threshold = members.length;
        else if (k === 'any') threshold = 1;
        else if (/^[1-9]\d*$/.test(k) && Number(k) <= members.length) threshold = Number(k);
        else
          throw new PolicyError(`${at}: threshold ${k} must be all, any or 1..${members.length}`);
        names.set(name, 'group');
        policy.groups.push({ name, threshold, members });
        break;
      }
      case 'quorum': {
        if (args.length !== 1) throw new PolicyError(`${at}: expected "quorum <name>"`);
        if (policy.quorum) throw new PolicyError(`${at}: a second quorum line`);
        if (args[0] !== 'none' && !names.has(args[0]))
          throw new PolicyError(`${at}: ${args[0]} is not defined on a line above`);
        policy.quorum = args[0];
        break;
      }
      default:
        throw new PolicyError(`${at}: unknown keyword ${JSON.stringify(kw)}`);
    }
  }
  if (!policy.quorum)
    throw new PolicyError(`${where}: no quorum line (use "quorum none" for no witnesses)`);
  if (policy.logs.length === 0) throw new PolicyError(`${where}: no log line`);
  return policy;
}

function vkey(crypto: TlogCrypto, text: string, type: number, at: string): Verifier {
  let v: Verifier;
  try {
    v = parseVerifierKey(crypto, text);
  } catch (e) {
    throw new PolicyError(`${at}: ${(e as Error).message}`);
  }
  if (v.type !== type) {
    throw new PolicyError(
      `${at}: key type 0x0${v.type} where 0x0${type} (${type === SIG_ED25519 ? 'log' : 'witness cosignature'}) is needed`,
    );
  }
  return v;
}

/** Whether the named witnesses satisfy the quorum. */
export function quorumMet(policy: TrustPolicy, cosigned: ReadonlySet<string>): boolean {
  if (policy.quorum === 'none') return true;
  const groups = new Map(policy.groups.map((g) => [g.name, g]));
  const met = (name: string): boolean => {
    const g = groups.get(name);
    if (!g) return cosigned.has(name);
    return g.members.filter(met).length >= g.threshold;
  };
  return met(policy.quorum);
}

export interface PolicyCheckpoint {
  checkpoint: SignedCheckpoint;
  /** The log key that signed. */
  logKey: Verifier;
  /** Witnesses whose cosignatures verified, with their times. */
  witnesses: Array<{ name: string; timestamp: number }>;
}

/** Verifies a checkpoint against a policy: a trusted log's signature and the witness quorum. */
export function verifyCheckpoint(
  crypto: TlogCrypto,
  note: string | Uint8Array,
  policy: TrustPolicy,
): PolicyCheckpoint {
  let text: string;
  let parsed;
  let body;
  try {
    text = typeof note === 'string' ? note : fromUtf8(note);
    parsed = parseNote(text);
    body = parseCheckpointText(parsed.text);
  } catch (e) {
    throw new CheckpointPolicyError(
      `checkpoint is malformed: ${(e as Error).message}`,
      'malformed',
    );
  }
  const logKeys = policy.logs.map((l) => l.verifier).filter((v) => v.name === body.origin);
  if (logKeys.length === 0) {
    throw new CheckpointPolicyError(
      `checkpoint origin ${JSON.stringify(body.origin)} is not a log of the trust policy`,
      'untrusted-origin',
    );
  }
  const witnessKeys = policy.witnesses.map((w) => w.verifier);
  let verified;
  try {
    verified = verifyNote(crypto, parsed, [...logKeys, ...witnessKeys]);
  } catch (e) {
    const reason = /does not verify/.test((e as Error).message) ? 'bad-signature' : 'unknown-key';
    throw new CheckpointPolicyError(
      `checkpoint of ${body.origin}: ${(e as NoteError).message}`,
      reason,
    );
  }
  const logSig = verified.find((s) => s.verifier.type === SIG_ED25519);
  if (!logSig) {
    const names = parsed.signatures
      .map((s) => `${s.name}+${s.keyId.toString(16).padStart(8, '0')}`)
      .join(', ');
    throw new CheckpointPolicyError(
      `checkpoint of ${body.origin} is not signed by a trusted log key (signed by: ${names})`,
      'unknown-key',
    );
  }
  const witnesses = verified
    .filter((s) => s.verifier.type === SIG_COSIGNATURE_V1)
    .map((s) => ({
      name: policy.witnesses.find((w) => w.verifier === s.verifier)!.name,
      timestamp: s.timestamp!,
    }));
  if (!quorumMet(policy, new Set(witnesses.map((w) => w.name)))) {
    const have = witnesses.map((w) => w.name).join(', ') || 'none';
    throw new CheckpointPolicyError(
      `checkpoint of ${body.origin} lacks the witness quorum ${policy.quorum} (cosigned by: ${have})`,
      'quorum',
    );
  }
  return { checkpoint: { ...body, note: text, parsed }, logKey: logSig.verifier, witnesses };
}
