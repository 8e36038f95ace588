/**
 * Key material of the local OpenID provider, made on first run and kept in its data folder:
 *
 * - `localhost-tls.json`: the self-signed HTTPS certificate (SAN `localhost`, `127.0.0.1`) and its key;
 * - `localhost-ca.pem`: that certificate alone, for `NODE_EXTRA_CA_CERTS` (no private key in it);
 * - `signing-key.json`: the RSA key that signs ID and access tokens (a stable `kid`, so tokens
 *   and cached JWKS survive restarts of the provider, as they survive Entra's).
 *
 * Files are created with an exclusive link, so two processes starting at once end up with the
 * same material. A certificate expiring within a week, or without the expected SANs, is replaced.
 */
import { createHash, generateKeyPairSync, X509Certificate, type JsonWebKey } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** Path of a PEM file holding only the certificate (the one to trust). */
  caCertPath: string;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** Writes `content` to `path` unless it exists; returns what `path` holds afterwards. */
function writeOnce(path: string, content: string): string {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return readFileSync(path, 'utf8');
}

function usable(certPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const san = cert.subjectAltName ?? '';
    return (
      san.includes('DNS:localhost') &&
      san.includes('IP Address:127.0.0.1') &&
      new Date(cert.validTo).getTime() - Date.now() > WEEK_MS
    );
  } catch {
    return false;
  }
}

export async function loadOrCreateTls(dataDir: string): Promise<TlsMaterial> {
  mkdirSync(dataDir, { recursive: true });
  const bundlePath = join(dataDir, 'localhost-tls.json');
  const caCertPath = join(dataDir, 'localhost-ca.pem');

  let bundle: { cert: string; key: string } | undefined;
  if (existsSync(bundlePath)) {
    const saved = JSON.parse(readFileSync(bundlePath, 'utf8')) as { cert: string; key: string };
    if (usable(saved.cert)) bundle = saved;
    else unlinkSync(bundlePath);
  }
  if (!bundle) {
    const notBeforeDate = new Date(Date.now() - 60_000);
    const notAfterDate = new Date(notBeforeDate.getTime() + 825 * 24 * 60 * 60 * 1000);
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'Local OpenID provider (development only)' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    bundle = JSON.parse(writeOnce(bundlePath, JSON.stringify({ cert: pems.cert, key: pems.private }))) as {
      cert: string;
      key: string;
    };
  }
  const certPem = bundle.cert.endsWith('\n') ? bundle.cert : `${bundle.cert}\n`;
  if (!existsSync(caCertPath) || readFileSync(caCertPath, 'utf8') !== certPem) {
    writeFileSync(caCertPath, certPem, { mode: 0o644 });
  }
  return { cert: bundle.cert, key: bundle.key, caCertPath };
}

/** The private signing JWK (RS256, with `kid`, `use: sig`, `alg`). */
export function loadOrCreateSigningKey(dataDir: string): JsonWebKey & { kid: string } {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'signing-key.json');
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' });
    // kid as Entra's look: a base64url digest of the public key.
    const kid = createHash('sha256').update(`${jwk.n}.${jwk.e}`).digest('base64url').slice(0, 27);
    writeOnce(path, JSON.stringify({ ...jwk, kid, use: 'sig', alg: 'RS256' }));
  }
  return JSON.parse(readFileSync(path, 'utf8')) as JsonWebKey & { kid: string };
}
