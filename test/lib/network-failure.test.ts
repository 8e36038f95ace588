import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkFailure } from '../../src/lib/network-failure';
import { freePort, startSilentServer, startUntrustedHttps, UNRESOLVABLE_HOST, type LocalServer } from '../helpers/network-faults';

/** What Node's fetch throws for `url`, through the real resolver, TCP and TLS of this machine. */
async function failureOf(url: string, init?: RequestInit): Promise<unknown> {
  return fetch(url, init).then(
    (response) => new Error(`answered ${response.status}`),
    (error: unknown) => error,
  );
}

let untrusted: LocalServer;
let silent: LocalServer;
beforeAll(async () => {
  [untrusted, silent] = await Promise.all([startUntrustedHttps(), startSilentServer()]);
});
afterAll(() => Promise.all([untrusted?.close(), silent?.close()]));

describe('networkFailure tells setup mistakes from outages', () => {
  it('a host name that does not resolve is host_not_found', async () => {
    expect(networkFailure(await failureOf(`https://${UNRESOLVABLE_HOST}/`))).toEqual({ kind: 'host_not_found', code: 'ENOTFOUND' });
  });

  it('a self-signed certificate is untrusted_certificate', async () => {
    expect(networkFailure(await failureOf(untrusted.url))).toEqual({ kind: 'untrusted_certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it.each(['ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN'])(
    '%s (a certificate for another name, expired, or from an unknown CA) is untrusted_certificate',
    (code) => {
      const cause = Object.assign(new Error('certificate refused'), { code });
      expect(networkFailure(new TypeError('fetch failed', { cause }))).toEqual({ kind: 'untrusted_certificate', code });
    },
  );

  it('a refused connection to a host that resolves is unreachable', async () => {
    expect(networkFailure(await failureOf(`http://127.0.0.1:${await freePort()}/`))).toEqual({ kind: 'unreachable', code: 'ECONNREFUSED' });
  });

  it('no answer in time is a timeout', async () => {
    expect(networkFailure(await failureOf(silent.url, { signal: AbortSignal.timeout(200) }))).toEqual({ kind: 'timeout' });
  });

  it('an error without a cause is unreachable (msw, proxies)', () => {
    expect(networkFailure(new TypeError('Failed to fetch'))).toEqual({ kind: 'unreachable' });
    expect(networkFailure('not an error')).toEqual({ kind: 'unreachable' });
  });

  it('a temporary resolver failure (EAI_AGAIN) is unreachable, not a missing host', () => {
    const cause = Object.assign(new Error('getaddrinfo EAI_AGAIN login.contoso.com'), { code: 'EAI_AGAIN' });
    expect(networkFailure(new TypeError('fetch failed', { cause }))).toEqual({ kind: 'unreachable', code: 'EAI_AGAIN' });
  });
});
