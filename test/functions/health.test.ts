/**
 * GET /api/health through the registered function, against the fake tenant
 * (msw) and the real local Cosmos DB API behind the fault proxy. The proxy's
 * log counts what each probe costs in Cosmos calls.
 *
 * Reports are reused for a while (HEALTH_CACHE); instead of waiting, the tests
 * move `Date.now()` forward, which is the clock the health check reads.
 */
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { discoveryUrl } from '../../src/lib/authority';
import { HEALTH_CACHE, PROBE_DOCUMENT_ID } from '../../src/lib/health';
import { COOKIE_SECRET, startApp, type AppUnderTest } from '../helpers/app-under-test';
import { cosmosError, startCosmosFaultProxy, type CosmosFaultProxy, type LogEntry } from '../helpers/cosmos-fault-proxy';
import { invoke, loadFunctions, type InvokeResult } from '../helpers/functions';

const realNow = Date.now.bind(Date);
let clockOffset = 0;
/** Moves the clock past the current report's lifetime. */
const pastCacheOf = (seconds: number) => {
  clockOffset += seconds * 1000 + 1;
};

const WRITES = new Set<LogEntry['operation']>(['create', 'upsert', 'replace', 'delete', 'patch']);

let app: AppUnderTest;
let proxy: CosmosFaultProxy;
beforeAll(async () => {
  vi.spyOn(Date, 'now').mockImplementation(() => realNow() + clockOffset);
  app = await startApp({ COSMOS_ENDPOINT: 'http://127.0.0.1:1' });
  proxy = await startCosmosFaultProxy(app.cosmos.endpoint);
  process.env.COSMOS_ENDPOINT = proxy.url;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await proxy?.close();
  await app?.stop();
});

const probe = (method = 'GET') => invoke(app.fn.health, '/api/health', { method });

function expectNoSecrets(response: InvokeResult) {
  for (const secret of [app.env.CLIENT_SECRET, app.env.COSMOS_KEY, COOKIE_SECRET, proxy.url]) {
    expect(response.body).not.toContain(secret);
    for (const line of response.logs) expect(line).not.toContain(secret);
  }
}

describe('GET /api/health', () => {
  it('answers 503 naming the tenant when its discovery document cannot be fetched, and 200 once it can', async () => {
    app.msw.use(http.get(discoveryUrl(app.entra.authority), () => new HttpResponse('upstream down', { status: 503 })));
    const down = await probe();
    expect(down.status).toBe(503);
    expect(down.headers['content-type']).toBe('application/json');
    expect(down.headers['cache-control']).toBe('no-store');
    expect(Number(down.headers['retry-after'])).toBe(HEALTH_CACHE.failSeconds);
    expect(down.json()).toMatchObject({
      status: 'fail',
      checks: { settings: { status: 'pass' }, tenant: { status: 'fail', code: 'identity_provider_unavailable' }, cosmos: { status: 'pass' } },
    });
    expect(down.logs.some((line) => line.includes('"event":"health"') && line.includes('"tenant":"identity_provider_unavailable"'))).toBe(true);
    expectNoSecrets(down);

    app.msw.resetHandlers();
    pastCacheOf(HEALTH_CACHE.failSeconds);
    const up = await probe();
    expect(up.status).toBe(200);
    expect(up.json()).toEqual({
      status: 'pass',
      checks: { settings: { status: 'pass' }, tenant: { status: 'pass' }, cosmos: { status: 'pass' } },
      checkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expectNoSecrets(up);
  });

  it('costs one point read in the container, writes nothing, and no discovery call once the metadata is cached', async () => {
    pastCacheOf(HEALTH_CACHE.passSeconds);
    const before = proxy.log.length;
    const discoveryBefore = app.entra.requests.filter((line) => line.includes('openid-configuration')).length;

    expect((await probe()).status).toBe(200);

    const calls = proxy.log.slice(before);
    expect(calls.map(({ operation, container, docId }) => ({ operation, container, docId })).sort((a, b) => a.container!.localeCompare(b.container!))).toEqual([
      { operation: 'read', container: 'sessions', docId: PROBE_DOCUMENT_ID },
    ]);
    expect(proxy.log.filter((entry) => WRITES.has(entry.operation))).toEqual([]);
    expect(app.entra.requests.filter((line) => line.includes('openid-configuration')).length).toBe(discoveryBefore);
  });

  it('reuses its report: a burst of probes (GET and HEAD) costs no Cosmos call', async () => {
    const before = proxy.log.length;
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => probe(i % 2 ? 'HEAD' : 'GET')));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(new Set(answers.filter((a) => a.body).map((answer) => answer.json().checkedAt)).size).toBe(1);
    expect(proxy.log.length).toBe(before);
  });

  it('answers 503 naming Cosmos DB while it is down, and 200 again once it is back', async () => {
    await proxy.down();
    try {
      expect((await probe()).status).toBe(200); // still the cached report: an outage shows within the cache window
      pastCacheOf(HEALTH_CACHE.passSeconds);
      const down = await probe();
      expect(down.status).toBe(503);
      expect(Number(down.headers['retry-after'])).toBe(HEALTH_CACHE.failSeconds);
      expect(down.json()).toMatchObject({
        status: 'fail',
        checks: { settings: { status: 'pass' }, tenant: { status: 'pass' }, cosmos: { status: 'fail', code: 'store_unavailable' } },
      });
      expectNoSecrets(down);
    } finally {
      await proxy.up();
    }
    pastCacheOf(HEALTH_CACHE.failSeconds);
    expect((await probe()).status).toBe(200);
  }, 60_000);

  it('answers 503 with cosmos_container_missing when the container does not exist', async () => {
    // Cosmos DB answers a read in a missing container with 404 and sub-status 1003; the local Cosmos DB API server
    // sends no sub-status, so the proxy answers as Cosmos DB does.
    const remove = proxy.inject((request) =>
      request.docId === PROBE_DOCUMENT_ID && request.container === 'sessions' ? cosmosError(404, 'NotFound', { 'x-ms-substatus': '1003' }) : undefined,
    );
    try {
      pastCacheOf(HEALTH_CACHE.passSeconds);
      const missing = await probe();
      expect(missing.status).toBe(503);
      expect(missing.json()).toMatchObject({ checks: { cosmos: { status: 'fail', code: 'cosmos_container_missing' } } });
      // A missing container is a setup mistake: nothing invites a retry.
      expect(missing.headers['retry-after']).toBeUndefined();
    } finally {
      remove();
    }
  });
});

describe('GET /api/health on a fresh instance, with COSMOS_CREATE_IF_MISSING on (the default)', () => {
  it('creates nothing: no database, no container, no write; only the one point read', async () => {
    vi.resetModules(); // a fresh instance: its runtime has opened no container yet
    const database = `never-created-${crypto.randomUUID()}`;
    Object.assign(process.env, { COSMOS_DATABASE: database, COSMOS_ENDPOINT: proxy.url });
    delete process.env.COSMOS_CREATE_IF_MISSING;
    const before = proxy.log.length;
    try {
      const fn = await loadFunctions();
      const response = await invoke(fn.health!, '/api/health');
      const calls = proxy.log.slice(before).filter((entry) => entry.operation !== 'account');
      expect(calls.map(({ method, operation, container, docId }) => ({ method, operation, container, docId }))).toEqual([
        { method: 'GET', operation: 'read', container: 'sessions', docId: PROBE_DOCUMENT_ID },
      ]);
      expect(calls[0]!.path).toContain(`/dbs/${database}/`);
      // Cosmos DB answers this read with 404 sub-status 1003 (cosmos_container_missing, tested above); the local
      // Cosmos DB API server answers a plain 404, which reads as "no such document", so the report passes here.
      expect(response.json()).toMatchObject({ checks: { cosmos: { status: 'pass' } } });
      // Nothing was created behind the probe's back: the first request that needs the container still creates it.
      expect(proxy.log.slice(before).every((entry) => entry.method === 'GET')).toBe(true);
    } finally {
      Object.assign(process.env, app.env, { COSMOS_ENDPOINT: proxy.url });
    }
  });
});

describe('GET /api/health with bad settings', () => {
  it('answers 503 naming the settings (never their values) and skips the other checks', async () => {
    vi.resetModules(); // a fresh instance: the runtime and the health check are per module instance
    const badSecret = 'too-short-secret';
    Object.assign(process.env, { COOKIE_SECRETS: badSecret, REDIRECT_URI: 'http://app.example/api/redirect' });
    delete process.env.CLIENT_SECRET;
    try {
      const fn = await loadFunctions();
      const response = await invoke(fn.health!, '/api/health');
      expect(response.status).toBe(503);
      expect(response.json()).toMatchObject({
        status: 'fail',
        checks: {
          settings: { status: 'fail', code: 'misconfigured', settings: ['CLIENT_SECRET', 'COOKIE_SECRETS', 'REDIRECT_URI'] },
          tenant: { status: 'skipped' },
          cosmos: { status: 'skipped' },
        },
      });
      expect(response.body).not.toContain(badSecret);
      expect(response.body).not.toContain('app.example');
      // A settings mistake is not an outage: no Retry-After invites a retry that cannot help.
      expect(response.headers['retry-after']).toBeUndefined();
    } finally {
      Object.assign(process.env, app.env);
    }
  });
});
