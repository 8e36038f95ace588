import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { generateKeyPairSync, KeyObject, sign as cryptoSign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors';
import { verifyIdToken } from '../../src/lib/id-token';
import { CLOCK_TOLERANCE_SECONDS, tenantIdOf } from '../../src/lib/tenant-jwt';

const TENANT_ID = '8a1b2c3d-0000-4000-8000-0123456789ab';
const ISSUER = `https://${TENANT_ID}.ciamlogin.com/${TENANT_ID}/v2.0`;
const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const NONCE = 'nonce-0123456789abcdefghijklmnopqrstuvwxyzABC';
const KID = 'tenant-key-1';
const NOW = new Date('2030-01-01T00:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let tenantKey: PrivateKey;
let otherKey: PrivateKey;
let publicKeyPem: string;
let keys: JWTVerifyGetKey;

beforeAll(async () => {
  const tenant = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  tenantKey = tenant.privateKey;
  otherKey = other.privateKey;
  publicKeyPem = await exportSPKI(tenant.publicKey);
  keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(tenant.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] });
});

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: ISSUER,
    aud: CLIENT_ID,
    sub: 'subject-1',
    oid: 'object-id-1',
    tid: TENANT_ID,
    ver: '2.0',
    nonce: NONCE,
    iat: nowSeconds - 10,
    nbf: nowSeconds - 10,
    exp: nowSeconds + 3600,
    ...overrides,
  };
}

async function sign(payload: JWTPayload, key: PrivateKey | Uint8Array = tenantKey, header: { alg: string; kid?: string } = { alg: 'RS256', kid: KID }): Promise<string> {
  const clean = Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
  return new SignJWT(clean).setProtectedHeader(header).sign(key);
}

const verify = (token: string, nonce = NONCE) => verifyIdToken(token, { keys, issuer: ISSUER, tenantId: TENANT_ID, clientId: CLIENT_ID, nonce, currentDate: NOW });

async function expectRefused(token: string, nonce = NONCE): Promise<AppError> {
  const error: unknown = await verify(token, nonce).then(
    () => new Error('the ID token was accepted'),
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  const authError = error as AppError;
  expect(authError.code).toBe('invalid_id_token');
  expect(authError.status).toBe(400);
  for (const part of token.split('.').filter((p) => p.length > 8)) {
    expect(authError.message).not.toContain(part);
    expect(authError.detail).not.toContain(part);
  }
  return authError;
}

describe('verifyIdToken', () => {
  it('accepts a valid token and returns its claims', async () => {
    const payload = await verify(await sign(claims()));
    expect(payload).toMatchObject({ iss: ISSUER, aud: CLIENT_ID, sub: 'subject-1', oid: 'object-id-1', tid: TENANT_ID, nonce: NONCE });
  });

  it('accepts an audience array that contains the client id', async () => {
    await expect(verify(await sign(claims({ aud: [CLIENT_ID, 'other'] })))).resolves.toMatchObject({ sub: 'subject-1' });
  });

  it('refuses a token signed by another key under the same kid', async () => {
    const error = await expectRefused(await sign(claims(), otherKey));
    expect(error.detail).toContain('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('refuses a token whose kid is unknown', async () => {
    await expectRefused(await sign(claims(), tenantKey, { alg: 'RS256', kid: 'unknown-kid' }));
  });

  it('refuses alg none', async () => {
    const unsecured = new UnsecuredJWT(claims()).encode();
    expect((await expectRefused(unsecured)).detail).toContain('ERR_JOSE_ALG_NOT_ALLOWED');
    const [, payload] = unsecured.split('.');
    await expectRefused(`${Buffer.from(JSON.stringify({ alg: 'none', kid: KID })).toString('base64url')}.${payload}.`);
  });

  it('refuses HS256 signed with the public key bytes (algorithm confusion)', async () => {
    for (const secret of [publicKeyPem, publicKeyPem.trim()]) {
      const error = await expectRefused(await sign(claims(), new TextEncoder().encode(secret), { alg: 'HS256', kid: KID }));
      expect(error.detail).toContain('ERR_JOSE_ALG_NOT_ALLOWED');
    }
  });

  it('refuses a wrong audience', async () => {
    const error = await expectRefused(await sign(claims({ aud: 'another-client' })));
    expect(error.detail).toContain('ERR_JWT_CLAIM_VALIDATION_FAILED');
    await expectRefused(await sign(claims({ aud: `api://${CLIENT_ID}` })));
  });

  it('refuses a wrong issuer', async () => {
    const error = await expectRefused(await sign(claims({ iss: 'https://evil.ciamlogin.com/evil/v2.0' })));
    expect(error.detail).toContain('ERR_JWT_CLAIM_VALIDATION_FAILED');
    await expectRefused(await sign(claims({ iss: `${ISSUER}/` })));
  });

  it('allows expiry within the clock skew and refuses it beyond', async () => {
    expect(CLOCK_TOLERANCE_SECONDS).toBe(120);
    await expect(verify(await sign(claims({ exp: nowSeconds - 100, iat: nowSeconds - 3700, nbf: nowSeconds - 3700 })))).resolves.toBeDefined();
    const error = await expectRefused(await sign(claims({ exp: nowSeconds - 121, iat: nowSeconds - 3700, nbf: nowSeconds - 3700 })));
    expect(error.detail).toContain('ERR_JWT_EXPIRED');
  });

  it('allows nbf within the clock skew and refuses it beyond', async () => {
    await expect(verify(await sign(claims({ nbf: nowSeconds + 100 })))).resolves.toBeDefined();
    const error = await expectRefused(await sign(claims({ nbf: nowSeconds + 121 })));
    expect(error.detail).toContain('ERR_JWT_CLAIM_VALIDATION_FAILED');
  });

  it('refuses a nonce that does not match this sign-in', async () => {
    const error = await expectRefused(await sign(claims({ nonce: 'nonce-of-another-sign-in' })));
    expect(error.detail).toContain('ERR_NONCE_MISMATCH');
    expect(error.detail).not.toContain('nonce-of-another-sign-in');
    await expectRefused(await sign(claims()), `${NONCE}x`);
    await expectRefused(await sign(claims({ nonce: NONCE.slice(0, -1) })));
  });

  it('refuses a missing or non-string nonce', async () => {
    await expectRefused(await sign(claims({ nonce: undefined })));
    await expectRefused(await sign(claims({ nonce: 42 })));
    await expectRefused(await sign(claims({ nonce: [NONCE] })));
  });

  it('refuses another tenant\'s tid, and accepts ours in any case', async () => {
    const error = await expectRefused(await sign(claims({ tid: '00000000-0000-4000-8000-000000000000' })));
    expect(error.detail).toContain('ERR_JWT_WRONG_TENANT');
    await expect(verify(await sign(claims({ tid: TENANT_ID.toUpperCase() })))).resolves.toBeDefined();
  });

  it('refuses a token that is not version 2.0', async () => {
    expect((await expectRefused(await sign(claims({ ver: '1.0' })))).detail).toContain('ERR_JWT_NOT_V2');
    await expectRefused(await sign(claims({ ver: 2 })));
  });

  it('refuses a token without the oid that names the user', async () => {
    expect((await expectRefused(await sign(claims({ oid: undefined })))).detail).toContain('ERR_JWT_CLAIM_MISSING_OID');
    await expectRefused(await sign(claims({ oid: '' })));
  });

  it.each(['iss', 'aud', 'exp', 'iat', 'sub', 'tid', 'ver'] as const)('refuses a token without %s', async (claim) => {
    await expectRefused(await sign(claims({ [claim]: undefined })));
  });

  it('checks the signature as jose would for every asymmetric algorithm it allows, with a key of the right kind', async () => {
    const pairs = {
      PS256: await generateKeyPair('PS256', { extractable: true }),
      ES256: await generateKeyPair('ES256', { extractable: true }),
      ES384: await generateKeyPair('ES384', { extractable: true }),
    };
    const jwks = await Promise.all(Object.entries(pairs).map(async ([alg, pair]) => ({ ...(await exportJWK(pair.publicKey)), kid: alg, alg })));
    const mixed = createLocalJWKSet({ keys: jwks });
    const verifyWith = (token: string) => verifyIdToken(token, { keys: mixed, issuer: ISSUER, tenantId: TENANT_ID, clientId: CLIENT_ID, nonce: NONCE, currentDate: NOW });
    for (const [alg, pair] of Object.entries(pairs)) {
      await expect(verifyWith(await sign(claims(), pair.privateKey, { alg, kid: alg }))).resolves.toMatchObject({ sub: 'subject-1' });
    }
    // An ES384 key under a header that claims ES256 (another curve), and a signature by another key of the same kind.
    const refusedWith = async (token: string) => (await verifyWith(token).then(() => undefined, (error: AppError) => error))?.detail;
    const es384Signed = await sign(claims(), pairs.ES384.privateKey, { alg: 'ES384', kid: 'ES384' });
    const [, body, signature] = es384Signed.split('.');
    const relabelled = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'ES384' })).toString('base64url')}.${body}.${signature}`;
    expect(await refusedWith(relabelled)).toBeDefined();
    expect(await refusedWith(await sign(claims(), (await generateKeyPair('ES256')).privateKey, { alg: 'ES256', kid: 'ES256' }))).toContain('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  });

  it('refuses RSA keys under 2048 bits, and tokens that ask for extensions (crit, b64)', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const weakKeys = createLocalJWKSet({ keys: [{ ...small.publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256' }] });
    const input = (header: Record<string, unknown>) =>
      `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}`;
    const rs256 = (header: Record<string, unknown>, key: Parameters<typeof cryptoSign>[2]) => `${input(header)}.${cryptoSign('sha256', Buffer.from(input(header)), key).toString('base64url')}`;
    const weak = verifyIdToken(rs256({ alg: 'RS256', kid: 'weak' }, small.privateKey), { keys: weakKeys, issuer: ISSUER, tenantId: TENANT_ID, clientId: CLIENT_ID, nonce: NONCE, currentDate: NOW });
    await expect(weak).rejects.toMatchObject({ code: 'invalid_id_token' });
    const tenantPrivate = KeyObject.from(tenantKey as never);
    for (const header of [{ alg: 'RS256', kid: KID, crit: ['exp'], exp: 1 }, { alg: 'RS256', kid: KID, b64: true, crit: ['b64'] }]) {
      expect((await expectRefused(rs256(header, tenantPrivate))).detail).toContain('ERR_JWS_INVALID');
    }
    // The same way of signing, without the extension, is accepted: the refusals above are the headers'.
    await expect(verify(rs256({ alg: 'RS256', kid: KID }, tenantPrivate))).resolves.toMatchObject({ sub: 'subject-1' });
  });

  it('refuses garbage', async () => {
    for (const token of ['', 'not-a-jwt', 'a.b.c', `${(await sign(claims())).slice(0, -10)}`]) {
      await expectRefused(token);
    }
  });
});

describe('tenantIdOf', () => {
  it('reads the tenant id from the issuers Entra and the local provider publish', () => {
    expect(tenantIdOf(ISSUER)).toBe(TENANT_ID);
    expect(tenantIdOf(`https://login.microsoftonline.com/${TENANT_ID.toUpperCase()}/v2.0`)).toBe(TENANT_ID);
    expect(tenantIdOf(`https://localhost:8443/${TENANT_ID}/v2.0`)).toBe(TENANT_ID);
    expect(tenantIdOf(`https://${TENANT_ID}.ciamlogin.com/`)).toBe(TENANT_ID);
  });

  it('finds none where the issuer names no tenant', () => {
    expect(tenantIdOf('https://accounts.example.com/')).toBeUndefined();
    expect(tenantIdOf('https://login.example.com/contoso.onmicrosoft.com/v2.0')).toBeUndefined();
  });
});
