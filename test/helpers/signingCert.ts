import { openssl } from './testCa';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Throw-away document-signing PKI for tests, made with the `openssl` command: a CA, signing
 * identities as passphrase-protected PKCS#12 files (RSA or EC, any validity window, with or
 * without the key), and an RFC 3161 time-stamping authority. Everything lives in `dir`; the
 * caller removes it when done (`rmSync(pki.dir, { recursive: true, force: true })`).
 */
export interface SigningPki {
  dir: string;
  /** The CA certificate (PEM), the trust anchor of every certificate issued here. */
  caCertPath: string;
  /** Issues a signing certificate and returns it as a PKCS#12 file. */
  issueP12(options: IssueOptions): Uint8Array;
  /** Issues a time-stamping certificate and writes an `openssl ts` configuration for it. */
  createTsa(): TestTsa;
}

export interface IssueOptions {
  /** `rsa2048` and `p256` are what Custos signs with; `p384` is there to be refused. */
  keyType: 'rsa2048' | 'p256' | 'p384';
  /** In openssl's `-subj` form, most general first: `/C=ZA/O=Example Compliance/CN=Thandi Dlamini`. */
  subject: string;
  passphrase: string;
  /** Validity window; by default from one hour ago to 30 days from now. */
  notBefore?: Date;
  notAfter?: Date;
  /** Leave the private key out of the PKCS#12 file (certificates only). */
  withoutKey?: boolean;
  /** Put the CA certificate in the file too (as a real export from a CA would). Default true. */
  withChain?: boolean;
  /**
   * `aes` (default): OpenSSL 3's PBES2 with AES-256. `3des`: the SHA-1/3DES PBE that Windows
   * still writes by default. `rc2`: OpenSSL's `-legacy` (RC2-40 for certificates).
   */
  encryption?: 'aes' | '3des' | 'rc2';
}

export interface TestTsa {
  certPath: string;
  keyPath: string;
  configPath: string;
  /** Answers one DER TimeStampReq with a DER TimeStampResp, by `openssl ts -reply`. */
  reply(request: Uint8Array): Promise<Uint8Array>;
}

const execFileAsync = promisify(execFile);

// A self-contained config, so the system openssl.cnf (and its default extensions) plays no part.
const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
default_ca = test_ca
[test_ca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial.txt
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_signer]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_tsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa]
default_tsa = test_tsa
[test_tsa]
dir = .
serial = tsa-serial.txt
crypto_device = builtin
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

function genKey(keyType: IssueOptions['keyType'], path: string, cwd: string): void {
  const opts =
    keyType === 'rsa2048'
      ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
      : [
          '-algorithm',
          'EC',
          '-pkeyopt',
          `ec_paramgen_curve:${keyType === 'p256' ? 'P-256' : 'P-384'}`,
        ];
  openssl(['genpkey', ...opts, '-out', path], cwd);
}

/** `openssl ca` wants dates as YYYYMMDDHHMMSSZ (GeneralizedTime, accepted by 3.0). */
function caDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Creates a fresh EC P-256 CA (valid for two days) in a new temp directory. */
export function createSigningPki(): SigningPki {
  const dir = mkdtempSync(join(tmpdir(), 'custos-signing-'));
  writeFileSync(join(dir, 'openssl.cnf'), CONFIG);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial.txt'), `${randomBytes(8).toString('hex').toUpperCase()}\n`);
  writeFileSync(join(dir, 'tsa-serial.txt'), '01\n');
  const caKeyPath = join(dir, 'ca.key');
  const caCertPath = join(dir, 'ca.pem');
  genKey('p256', caKeyPath, dir);
  openssl(
    [
      'req',
      '-new',
      '-x509',
      '-config',
      'openssl.cnf',
      '-extensions',
      'v3_ca',
      '-key',
      caKeyPath,
      '-subj',
      '/C=ZA/O=Example Compliance/CN=Custos Test Signing CA',
      '-days',
      '2',
      '-sha256',
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-out',
      caCertPath,
    ],
    dir,
  );

  let counter = 0;
  // Issues a leaf with `openssl ca`, which (unlike `x509 -req`) accepts any start and end date.
  function issue(
    keyType: IssueOptions['keyType'],
    subject: string,
    extensions: string,
    notBefore: Date,
    notAfter: Date,
  ): { keyPath: string; certPath: string } {
    counter += 1;
    const keyPath = join(dir, `leaf${counter}.key`);
    const csrPath = join(dir, `leaf${counter}.csr`);
    const certPath = join(dir, `leaf${counter}.pem`);
    genKey(keyType, keyPath, dir);
    openssl(
      [
        'req',
        '-new',
        '-utf8',
        '-config',
        'openssl.cnf',
        '-key',
        keyPath,
        '-subj',
        subject,
        '-out',
        csrPath,
      ],
      dir,
    );
    openssl(
      [
        'ca',
        '-batch',
        '-config',
        'openssl.cnf',
        '-cert',
        caCertPath,
        '-keyfile',
        caKeyPath,
        '-in',
        csrPath,
        '-out',
        certPath,
        '-notext',
        '-extensions',
        extensions,
        '-startdate',
        caDate(notBefore),
        '-enddate',
        caDate(notAfter),
      ],
      dir,
    );
    return { keyPath, certPath };
  }

  return {
    dir,
    caCertPath,
    issueP12(options) {
      const now = Date.now();
      const { keyPath, certPath } = issue(
        options.keyType,
        options.subject,
        'v3_signer',
        options.notBefore ?? new Date(now - 3600_000),
        options.notAfter ?? new Date(now + 30 * 86400_000),
      );
      const p12Path = join(dir, `leaf${counter}.p12`);
      const args = ['pkcs12', '-export', '-in', certPath, '-out', p12Path];
      if (options.withoutKey) args.push('-nokeys');
      else args.push('-inkey', keyPath);
      if (options.withChain ?? true) args.push('-certfile', caCertPath);
      if (options.encryption === '3des') {
        args.push('-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1');
      } else if (options.encryption === 'rc2') {
        args.push('-legacy');
      }
      // The passphrase goes through the environment, never the command line (visible in ps).
      args.push('-passout', 'env:CUSTOS_TEST_P12_PASS', '-name', 'Custos test signer');
      try {
        execFileSync('openssl', args, {
          cwd: dir,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, CUSTOS_TEST_P12_PASS: options.passphrase },
        });
      } catch (err) {
        const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
        throw new Error(`openssl pkcs12 failed: ${stderr || String(err)}`, { cause: err });
      }
      return new Uint8Array(readFileSync(p12Path));
    },
    createTsa() {
      const now = Date.now();
      const { keyPath, certPath } = issue(
        'p256',
        '/C=ZA/O=Example Compliance/CN=Custos Test TSA',
        'v3_tsa',
        new Date(now - 3600_000),
        new Date(now + 86400_000),
      );
      const configPath = join(dir, 'openssl.cnf');
      let n = 0;
      return {
        certPath,
        keyPath,
        configPath,
        async reply(request) {
          n += 1;
          const queryPath = join(dir, `tsa-query${n}.tsq`);
          const replyPath = join(dir, `tsa-reply${n}.tsr`);
          writeFileSync(queryPath, request);
          await execFileAsync(
            'openssl',
            [
              'ts',
              '-reply',
              '-config',
              configPath,
              '-queryfile',
              queryPath,
              '-signer',
              certPath,
              '-inkey',
              keyPath,
              '-chain',
              caCertPath,
              '-out',
              replyPath,
            ],
            { cwd: dir },
          );
          return new Uint8Array(readFileSync(replyPath));
        },
      };
    },
  };
}
