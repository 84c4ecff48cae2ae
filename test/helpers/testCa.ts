import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away certificate authority and a server certificate it signed, as PEM files in `dir`.
 *
 * The server certificate is valid for `IP:127.0.0.1` and `DNS:localhost`. Trust it in a child
 * process with `NODE_EXTRA_CA_CERTS=<caCertPath>`. The caller removes `dir` when done
 * (`rmSync(ca.dir, { recursive: true, force: true })`).
 */
export interface TestCa {
  /** The CA certificate (PEM): what a client must trust. */
  caCertPath: string;
  /** The server certificate (PEM), leaf only, signed by the CA. */
  certPath: string;
  /** The server certificate's private key (PEM, unencrypted). */
  keyPath: string;
  /** The temp directory holding all of the above (plus the CA key). */
  dir: string;
}

// A self-contained config, so the system openssl.cnf (and its default extensions) plays no part.
const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** Runs openssl, failing with its own message. */
export function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(err)}`, { cause: err });
  }
}

function ecKey(path: string, cwd: string): void {
  openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path],
    cwd,
  );
}

/**
 * Creates a fresh EC P-256 test CA and a server certificate for 127.0.0.1/localhost signed by
 * it, both valid for one day, using the `openssl` command in a new temp directory.
 */
export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'custos-ca-'));
  const configPath = join(dir, 'openssl.cnf');
  writeFileSync(configPath, CONFIG);
  const caKeyPath = join(dir, 'ca.key');
  const caCertPath = join(dir, 'ca.pem');
  const keyPath = join(dir, 'server.key');
  const csrPath = join(dir, 'server.csr');
  const certPath = join(dir, 'server.pem');

  ecKey(caKeyPath, dir);
  openssl(
    [
      'req',
      '-new',
      '-x509',
      '-config',
      configPath,
      '-extensions',
      'v3_ca',
      '-key',
      caKeyPath,
      '-subj',
      '/CN=Custos Test CA',
      '-days',
      '1',
      '-sha256',
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-out',
      caCertPath,
    ],
    dir,
  );
  ecKey(keyPath, dir);
  openssl(
    [
      'req',
      '-new',
      '-config',
      configPath,
      '-key',
      keyPath,
      '-subj',
      '/CN=127.0.0.1',
      '-out',
      csrPath,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csrPath,
      '-CA',
      caCertPath,
      '-CAkey',
      caKeyPath,
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-days',
      '1',
      '-sha256',
      '-extfile',
      configPath,
      '-extensions',
      'v3_server',
      '-out',
      certPath,
    ],
    dir,
  );
  return { caCertPath, certPath, keyPath, dir };
}
