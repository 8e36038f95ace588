/**
 * The deployed package (scripts/bundle.ts), built into a scratch folder and
 * loaded the way the Functions language worker loads package.json's `main`
 * (dev/functions-worker.ts), then used for a whole sign-in against
 * the fake tenant and the local Cosmos DB API. Timings are the bench's job.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleApp, functionNames, MAIN_FILE, type BuiltPackage } from '../../scripts/bundle';
import type { RegisteredFunction } from '../../src/lib/registry';
import { startApp, type AppUnderTest } from '../helpers/app-under-test';
import { APP_ORIGIN, CookieJar } from '../helpers/functions';
import { FunctionsWorker } from '../../dev/functions-worker';
import { SESSION_COOKIE, signIn } from '../helpers/sign-in-steps';

const ROOT = join(__dirname, '../..');
// Inside the repository, like dist/, and ignored by git.
const SCRATCH = join(ROOT, 'node_modules/.cache/bundle-test/app');
const LAZY_SDKS = ['@azure/cosmos', '@azure/identity', '@azure/msal-node'];

let built: BuiltPackage;
let app: AppUnderTest;
let worker: FunctionsWorker;
let exported: { routeTable: RegisteredFunction[] };

/** Which of the package's SDK bundles this process has loaded so far. */
const loadedSdks = () => LAZY_SDKS.filter((name) => require.cache[built.sdks[name]!] !== undefined);

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(SCRATCH, path)];
  });
}

beforeAll(async () => {
  built = await bundleApp({ outDir: SCRATCH });
  app = await startApp();
  worker = FunctionsWorker.install();
  exported = worker.load(built.main) as typeof exported;
  await worker.start();
}, 60_000);

afterAll(async () => {
  worker?.uninstall();
  await app?.stop();
  rmSync(SCRATCH, { recursive: true, force: true });
});

describe('the deployed package', () => {
  it('is one folder: host.json, a package.json without dependencies, the functions bundle and one bundle per lazily loaded SDK', () => {
    expect(filesUnder(SCRATCH).sort()).toEqual([
      'functions.js',
      'host.json',
      'package.json',
      'sdk/azure-cosmos.js',
      'sdk/azure-identity.js',
      'sdk/azure-msal-node.js',
      'sdk/jsonwebtoken.js',
    ]);
    const deployed = JSON.parse(readFileSync(join(SCRATCH, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(deployed).toMatchObject({ main: MAIN_FILE, type: 'commonjs' });
    expect(deployed).not.toHaveProperty('dependencies');
    expect(deployed).not.toHaveProperty('devDependencies');
    expect(readFileSync(join(SCRATCH, 'host.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'host.json'), 'utf8'));
  });

  it('is what the project root runs: package.json main points at the bundle npm run build writes', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(root.main).toBe(`dist/app/${MAIN_FILE}`);
    expect(root.scripts.build).toContain('scripts/bundle.ts');
  });

  it('needs no node_modules: the bundles require only Node built-ins, each other and the worker-provided @azure/functions-core', () => {
    const inPackage = (from: string, name: string) => name.startsWith('./') && filesUnder(SCRATCH).includes(relative(SCRATCH, resolve(dirname(from), name)));
    for (const file of [built.main, ...Object.values(built.sdks), ...Object.values(built.deferred)]) {
      const required = new Set([...readFileSync(file, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]!));
      const outside = [...required].filter((name) => !isBuiltin(name) && !inPackage(file, name) && name !== '@azure/functions-core');
      expect(outside, relative(SCRATCH, file)).toEqual([]);
    }
  });
});

describe('loading the package the way the Functions worker does', () => {
  it('registers every function in src/functions with the worker, with its route, methods and anonymous access', () => {
    expect(worker.programmingModel?.name).toBe('@azure/functions');
    expect([...worker.functions.keys()].sort()).toEqual(functionNames());
    expect(exported.routeTable.map((route) => route.name).sort()).toEqual(functionNames());
    for (const route of exported.routeTable) {
      const trigger = Object.values(worker.functions.get(route.name)!.metadata.bindings).find((binding) => binding.type === 'httpTrigger');
      expect(trigger, route.name).toMatchObject({ route: route.route, methods: route.methods, authLevel: 'anonymous' });
    }
    // Settings are checked when the app starts, before the first request; the warm-up waits for the first invocation.
    expect(worker.hooks.map((hook) => hook.name).sort()).toEqual(['appStart', 'postInvocation']);
  });

  it('loads no SDK at start-up: Cosmos DB, Azure Identity and MSAL are bundles of their own, required on first use', () => {
    expect(Object.keys(built.sdks).sort()).toEqual(LAZY_SDKS);
    expect(loadedSdks()).toEqual([]);
  });

  it('answers /api/login through the worker, with MSAL loaded for it', async () => {
    const response = await worker.invoke('login', { url: `${APP_ORIGIN}/api/login` });
    expect(response.statusCode).toBe('302');
    expect(response.headers.location).toMatch(new RegExp(`^${app.entra.base}/oauth2/v2.0/authorize\\?`));
    expect(response.cookies.map((cookie) => cookie.httpOnly?.value)).toEqual([true]);
    expect(loadedSdks()).toContain('@azure/msal-node');
    // The request's log line reaches the host through the worker, and holds no cookie value.
    const logged = worker.logs.filter((line) => line.includes('"event":"request"'));
    expect(logged).toEqual([expect.stringMatching(/^information user \{.*"function":"login".*"status":302/)]);
    expect(logged[0]).not.toContain(response.cookies[0]!.value);
  });

  it('then loads the Cosmos DB SDK in the background, once: the warm-up hook removes itself after the first invocation', async () => {
    await vi.waitFor(() => expect(loadedSdks()).toContain('@azure/cosmos'), { timeout: 10_000 });
    expect(worker.hooks.map((hook) => hook.name)).toEqual(['appStart']);
  });

  it('completes a sign-in and serves /api/claims from the bundle; with a Cosmos key, Azure Identity is never loaded', async () => {
    const fn = Object.fromEntries(exported.routeTable.map((route) => [route.name, route])) as AppUnderTest['fn'];
    const jar = new CookieJar();
    await signIn({ ...app, fn }, jar);
    expect(jar.cookies.has(SESSION_COOKIE)).toBe(true);
    const claims = await jar.invoke(fn.claims, '/api/claims');
    expect(claims.status).toBe(200);
    expect(claims.json()).toMatchObject({ claims: { email: 'alice@example.com' } });
    expect(loadedSdks()).toEqual(['@azure/cosmos', '@azure/msal-node']);
  });

  it('loads Azure Identity in the warm-up too where Cosmos DB uses Microsoft Entra auth (no COSMOS_KEY)', async () => {
    // A second instance of the app in this process: the package loaded afresh, without a Cosmos key.
    worker.uninstall();
    for (const file of [built.main, ...Object.values(built.sdks)]) delete require.cache[file];
    const key = process.env.COSMOS_KEY;
    delete process.env.COSMOS_KEY;
    const keyless = FunctionsWorker.install();
    try {
      keyless.load(built.main);
      await keyless.start();
      expect(loadedSdks()).toEqual([]);
      expect((await keyless.invoke('home', { url: `${APP_ORIGIN}/api/home` })).statusCode).toBe('200');
      await vi.waitFor(() => expect(loadedSdks()).toEqual(LAZY_SDKS), { timeout: 10_000 });
    } finally {
      keyless.uninstall();
      process.env.COSMOS_KEY = key;
    }
  });

  it("defers MSAL's jsonwebtoken to the first certificate assertion, which a client secret never makes", async () => {
    const jsonwebtoken = built.deferred.jsonwebtoken!;
    expect(require.cache[jsonwebtoken]).toBeUndefined();
    const msal = require(built.sdks['@azure/msal-node']!) as typeof import('@azure/msal-node');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const assertion = msal.ClientAssertion.fromCertificateWithSha256Thumbprint('ab'.repeat(32), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const jwt = assertion.getJwt(new msal.CryptoProvider(), 'client-id', 'https://login.example/token');
    // MSAL rounds its nbf to the nearest second, which can be up to half a second ahead of the clock.
    const { payload } = await jwtVerify(jwt, publicKey, { issuer: 'client-id', audience: 'https://login.example/token', clockTolerance: 5 });
    expect(payload.sub).toBe('client-id');
    expect(require.cache[jsonwebtoken]).toBeDefined();
  });
});
