/**
 * A tenant, host or certificate that is wrong is a setting to fix (exit 2),
 * not a network outage (exit 7): retrying never helps. Names under
 * `.invalid` reach the real resolver (RFC 2606: they never resolve).
 */
import { http, HttpResponse, passthrough } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/run';
import { startUntrustedHttps, UNRESOLVABLE_HOST, type LocalServer } from '../helpers/network-faults';
import { useCli } from './harness';

const cli = useCli();
let untrusted: LocalServer;
beforeAll(async () => {
  untrusted = await startUntrustedHttps();
});
afterAll(() => untrusted?.close());

/** Lets requests to `host` leave msw for the real network. */
function reachRealNetwork(host: string) {
  cli.msw.use(http.all(({ request }) => new URL(request.url).host === host, () => passthrough()));
}

describe('fnauth and a tenant that does not exist', () => {
  it('exits 2, naming the URL tried, the AADSTS number and the setting', async () => {
    const { code, stdout, stderr } = await cli.run(['login'], { env: { ...cli.env, TENANT_SUBDOMAIN: 'fabrikam' } });
    expect(code).toBe(EXIT.usage);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'The sign-in service has no tenant at https://fabrikam.ciamlogin.com/fabrikam.onmicrosoft.com/v2.0/.well-known/openid-configuration ' +
        '(it answered 400, AADSTS90002). Check --tenant / TENANT_SUBDOMAIN.\n',
    );
  });

  it('names --authority / AUTHORITY when the authority came from there', async () => {
    const { code, stderr } = await cli.run(['whoami', '--authority', 'https://fabrikam.ciamlogin.com/fabrikam.onmicrosoft.com/']);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain('Check --authority / AUTHORITY.');
  });
});

describe('fnauth and a host name that does not resolve', () => {
  it('exits 2 at discovery, naming the host and the setting', async () => {
    reachRealNetwork(UNRESOLVABLE_HOST);
    const { code, stderr } = await cli.run(['login', '--authority', `https://${UNRESOLVABLE_HOST}/tenant/`]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toBe(`The host name ${UNRESOLVABLE_HOST} does not exist (its DNS lookup failed). Check --authority / AUTHORITY.\n`);
  });

  it('exits 2 when an endpoint the tenant publishes does not resolve (MSAL reports only network_error)', async () => {
    const elsewhere = { ...cli.entra.metadata, token_endpoint: `https://${UNRESOLVABLE_HOST}/tenant/oauth2/v2.0/token` };
    cli.msw.use(http.get(`${cli.entra.base}/v2.0/.well-known/openid-configuration`, () => HttpResponse.json(elsewhere)));
    reachRealNetwork(UNRESOLVABLE_HOST);
    const { code, stderr } = await cli.run(['login']);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toBe(
      `The host name ${UNRESOLVABLE_HOST} does not exist (its DNS lookup failed). Check --tenant / TENANT_SUBDOMAIN (or --authority / AUTHORITY).\n`,
    );
  });

  it('exits 2 for an API base URL that does not resolve, naming --api', async () => {
    cli.entra.deviceUser = { pendingPolls: 0, outcome: 'approve' };
    expect((await cli.run(['login'])).code).toBe(EXIT.ok);
    const api = 'https://api.contoso.invalid';
    reachRealNetwork('api.contoso.invalid');
    const { code, stderr } = await cli.run(['call', '--api', api]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toBe('The host name api.contoso.invalid does not exist (its DNS lookup failed). Check --api / API_BASE_URL.\n');
  });
});

describe('fnauth and a certificate it does not trust', () => {
  it('exits 2 and points at NODE_EXTRA_CA_CERTS', async () => {
    const host = new URL(untrusted.url).host;
    reachRealNetwork(host);
    const { code, stderr } = await cli.run(['whoami', '--authority', `${untrusted.url}/tenant/`]);
    expect(code).toBe(EXIT.usage);
    expect(stderr).toContain(`This computer does not trust the certificate of ${host} (DEPTH_ZERO_SELF_SIGNED_CERT).`);
    expect(stderr).toContain('NODE_EXTRA_CA_CERTS');
  });
});

describe('outages stay exit 7', () => {
  it('a 5xx at discovery', async () => {
    cli.msw.use(http.get(`${cli.entra.base}/v2.0/.well-known/openid-configuration`, () => new HttpResponse('busy', { status: 503 })));
    const { code, stderr } = await cli.run(['login']);
    expect(code).toBe(EXIT.network);
    expect(stderr).toContain('The sign-in service cannot be reached (https://contoso.ciamlogin.com/');
  });
});
