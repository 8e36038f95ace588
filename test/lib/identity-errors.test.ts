import { ServerError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { DiscoveryError } from '../../src/lib/authority';
import { AppError } from '../../src/lib/errors';
import { fromAuthorizationError, fromDiscoveryError, fromMsalError } from '../../src/lib/identity-errors';

const LOGIN = 'http://localhost:7071/api/login';
const URL_TRIED = 'https://fabrikam.ciamlogin.com/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration';

/** MSAL's error for a token endpoint answer, as its ResponseHandler builds it (errorNo = the first of `error_codes`). */
function tokenEndpointError(error: string, aadsts: number | undefined, status = 400): ServerError {
  return new ServerError(error, 'correlation', `Error(s): ${aadsts} - Description: AADSTS${aadsts}: secret s3cr3t was wrong`, '', aadsts as never, status);
}

function expectSetupMistake(error: AppError, code: string, setting: string | undefined) {
  expect(error).toBeInstanceOf(AppError);
  expect(error.code).toBe(code);
  expect(error.status).toBe(500);
  expect(error.extra.retryAfterSeconds).toBeUndefined();
  expect(error.extra.setting).toBe(setting);
  expect(error.detail).toMatch(/^Sign-in is not set up correctly on this site: /);
  expect(error.detail).not.toMatch(/try again/i);
  if (setting) expect(error.detail).toContain(setting);
}

describe('fromDiscoveryError', () => {
  it('names the setting and the URL tried for a tenant that does not exist', () => {
    const error = fromDiscoveryError(new DiscoveryError('tenant_not_found', URL_TRIED, { status: 400, aadsts: 90002 }), 'TENANT_SUBDOMAIN');
    expectSetupMistake(error, 'tenant_not_found', 'TENANT_SUBDOMAIN');
    expect(error.extra).toMatchObject({ url: URL_TRIED, reason: 'discovery:400 aadsts:90002' });
    expect(error.detail).toContain(`no tenant at ${URL_TRIED} (it answered 400, AADSTS90002)`);
  });

  it('names the host and the setting for a host name that does not resolve', () => {
    const url = 'https://login.contoso.invalid/tenant/v2.0/.well-known/openid-configuration';
    const error = fromDiscoveryError(new DiscoveryError('host_not_found', url, { network: { kind: 'host_not_found', code: 'ENOTFOUND' } }), 'AUTHORITY');
    expectSetupMistake(error, 'authority_host_not_found', 'AUTHORITY');
    expect(error.detail).toContain('the host name login.contoso.invalid does not exist');
    expect(error.extra).toMatchObject({ url, reason: 'discovery:ENOTFOUND' });
  });

  it('points at NODE_EXTRA_CA_CERTS for a certificate Node does not trust', () => {
    const error = fromDiscoveryError(
      new DiscoveryError('untrusted_certificate', 'https://localhost:8443/t/v2.0/.well-known/openid-configuration', {
        network: { kind: 'untrusted_certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      }),
      'AUTHORITY',
    );
    expectSetupMistake(error, 'untrusted_certificate', 'AUTHORITY');
    expect(error.detail).toContain('localhost:8443 (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(error.detail).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('keeps outages as 503 with Retry-After', () => {
    const error = fromDiscoveryError(new DiscoveryError('unavailable', URL_TRIED, { status: 503 }), 'TENANT_SUBDOMAIN');
    expect(error).toMatchObject({ code: 'identity_provider_unavailable', status: 503 });
    expect(error.extra.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.extra.reason).toBe('discovery:503');
  });
});

describe('fromMsalError: what the token endpoint said about the registration', () => {
  it.each([
    ['invalid_client', 7000215, 'client_secret_rejected', 'CLIENT_SECRET'],
    ['invalid_client', 7000222, 'client_secret_rejected', 'CLIENT_SECRET'],
    ['invalid_client', undefined, 'client_secret_rejected', 'CLIENT_SECRET'],
    ['unauthorized_client', 700016, 'client_not_authorized', 'CLIENT_ID'],
    // Entra reports an unregistered redirect URI at the token endpoint as invalid_client with AADSTS50011.
    ['invalid_client', 50011, 'redirect_uri_mismatch', 'REDIRECT_URI'],
    ['invalid_scope', 70011, 'misconfigured', 'DOWNSTREAM_API_SCOPES'],
  ] as const)('%s (AADSTS%s) is %s, naming %s', (oauthError, aadsts, code, setting) => {
    for (const step of ['sign-in', 'silent', 'on-behalf-of'] as const) {
      const error = fromMsalError(tokenEndpointError(oauthError, aadsts, 401), LOGIN, step);
      expectSetupMistake(error, code, setting);
      expect(error.extra.reason).toBe(`msal:${oauthError}${aadsts ? ` aadsts:${aadsts}` : ''}`);
      expect(error.detail).not.toContain('s3cr3t');
    }
  });

  it('keeps 5xx and network failures as 503, and a refused code as the user’s 400', () => {
    expect(fromMsalError(tokenEndpointError('server_error', 500, 500), LOGIN, 'sign-in')).toMatchObject({ code: 'identity_provider_unavailable', status: 503 });
    expect(fromMsalError(new ServerError('invalid_grant', 'c', 'used', '', 54005 as never, 400), LOGIN, 'sign-in')).toMatchObject({
      code: 'code_redemption_failed',
      status: 400,
    });
  });
});

describe('fromAuthorizationError: what Entra sent to the redirect URI', () => {
  it('reads the registration mistakes from the AADSTS number, never echoing the description', () => {
    const description = "AADSTS700016: Application with identifier 'x' was not found in the directory 'secret-tenant'.";
    const error = fromAuthorizationError('unauthorized_client', description, LOGIN);
    expectSetupMistake(error, 'client_not_authorized', 'CLIENT_ID');
    expect(error.extra.reason).toBe('authorize:unauthorized_client aadsts:700016');
    expect(error.detail).not.toContain('secret-tenant');

    expectSetupMistake(fromAuthorizationError('invalid_request', 'AADSTS50011: The redirect URI does not match.', LOGIN), 'redirect_uri_mismatch', 'REDIRECT_URI');
  });

  it('is 503 for server_error and temporarily_unavailable, 401 for a cancelled sign-in, 400 otherwise', () => {
    for (const error of ['server_error', 'temporarily_unavailable']) {
      expect(fromAuthorizationError(error, null, LOGIN)).toMatchObject({ code: 'identity_provider_unavailable', status: 503 });
    }
    expect(fromAuthorizationError('access_denied', 'AADSTS65004: User declined to consent', LOGIN)).toMatchObject({
      code: 'access_denied',
      status: 401,
      extra: { loginUrl: LOGIN },
    });
    expect(fromAuthorizationError('login_required', null, LOGIN)).toMatchObject({ code: 'authorization_failed', status: 400 });
    expect(fromAuthorizationError('<script>', null, LOGIN).detail).toContain('(unknown_error)');
  });
});

describe('fromMsalError: every rule of the table', () => {
  const steps = ['sign-in', 'silent', 'on-behalf-of'] as const;
  type Step = (typeof steps)[number];
  const msal = (errorCode: string, status?: number) => Object.assign(new Error('MSAL said something with a t0ken'), { name: 'AuthError', errorCode, status });

  it.each([
    // [MSAL error, status, expected per step: sign-in, silent, on-behalf-of]
    ['network_error', undefined, ['identity_provider_unavailable', 'identity_provider_unavailable', 'identity_provider_unavailable']],
    ['endpoints_resolution_error', undefined, ['identity_provider_unavailable', 'identity_provider_unavailable', 'identity_provider_unavailable']],
    ['token_parsing_error', undefined, ['identity_provider_unavailable', 'identity_provider_unavailable', 'identity_provider_unavailable']],
    ['invalid_grant', 503, ['identity_provider_unavailable', 'identity_provider_unavailable', 'identity_provider_unavailable']],
    ['invalid_client', 401, ['client_secret_rejected', 'client_secret_rejected', 'client_secret_rejected']],
    ['unsupported_grant_type', 400, ['misconfigured', 'misconfigured', 'misconfigured']],
    ['nonce_mismatch', undefined, ['invalid_id_token', 'invalid_id_token', 'downstream_failed']],
    ['invalid_grant', 400, ['code_redemption_failed', 'interaction_required', 'downstream_failed']],
    ['no_tokens_found', undefined, ['code_redemption_failed', 'interaction_required', 'downstream_failed']],
  ] as const)('%s (status %s)', (errorCode, status, expected) => {
    steps.forEach((step: Step, index) => {
      const error = fromMsalError(msal(errorCode, status), LOGIN, step);
      expect(error.code, step).toBe(expected[index]);
      expect(error.detail).not.toContain('t0ken');
      // Signing in again helps only where the user's own grant is the problem.
      const offersSignIn = ['code_redemption_failed', 'interaction_required'].includes(error.code);
      expect(error.extra.loginUrl, step).toBe(offersSignIn ? LOGIN : undefined);
      if (error.status === 503) expect(error.extra.retryAfterSeconds).toBeGreaterThan(0);
    });
  });

  it('is a bug, not a setup mistake, for anything that is not MSAL’s', () => {
    const error = fromMsalError(new TypeError('boom'), LOGIN, 'silent');
    expect(error).toMatchObject({ code: 'internal_error', status: 500, extra: { reason: 'unexpected:TypeError' } });
  });
});
