/**
 * `npm start` as a process (dev/start-functions.ts, what the script runs after
 * the build), in a folder holding only a local.settings.json:
 *
 * - without Core Tools it says so once and serves the functions with the
 *   built-in host on `Host.LocalHttpPort`, honouring `Host.CORS`, with
 *   `Values` as the environment of a new process: `NODE_EXTRA_CA_CERTS` in
 *   `Values` makes a self-signed tenant trusted, as under func;
 * - a settings problem ends it at start-up with the message, nothing served;
 * - with a `func` on PATH it runs `func start` with the arguments given.
 *
 * The cases without Core Tools cannot run where the optional dependency put
 * a real func into node_modules/.bin: that one wins, as it should.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopChild } from '../../dev/local-stack';
import { loadOrCreateTls } from '../../dev/provider/keys';
import { freePort } from '../helpers/network-faults';

const ROOT = join(__dirname, '../..');
const LAUNCHER = join(ROOT, 'dev', 'start-functions.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;
/** The issuer's path names the tenant by id, as Entra's does; the app reads `tid` from it. */
const TENANT_ID = 'aaaabbbb-0000-4ccc-8111-dddd2222eeee';
const CORE_TOOLS_INSTALLED = existsSync(join(ROOT, 'node_modules', '.bin', 'func'));

interface Launched {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs the launcher in `cwd` with a PATH that holds only `pathFolder` (no func unless put there). */
function launch(cwd: string, pathFolder: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Launched {
  const child = spawn(process.execPath, ['--import', TSX, LAUNCHER, ...args], {
    cwd,
    env: { HOME: process.env.HOME, PATH: pathFolder, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(launched: Launched, text: string): Promise<void> {
  await expect.poll(launched.output, { timeout: 30_000, interval: 100 }).toContain(text);
}

let folder: string;
const running: ChildProcess[] = [];

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'npm-start-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((child) => stopChild(child)));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe.skipIf(CORE_TOOLS_INSTALLED || process.platform === 'win32')('npm start without Azure Functions Core Tools', () => {
  let tenant: Server;
  let tenantOrigin: string;
  let caCertPath: string;

  beforeAll(async () => {
    // A tenant whose certificate only NODE_EXTRA_CA_CERTS makes trusted.
    const tls = await loadOrCreateTls(join(folder, 'tenant'));
    caCertPath = tls.caCertPath;
    tenant = createHttpsServer({ cert: tls.cert, key: tls.key }, (request, response) => {
      if (request.url !== `/${TENANT_ID}/v2.0/.well-known/openid-configuration`) return void response.writeHead(404).end();
      response.setHeader('Content-Type', 'application/json');
      response.end(
        JSON.stringify({
          issuer: `${tenantOrigin}/${TENANT_ID}/v2.0`,
          authorization_endpoint: `${tenantOrigin}/${TENANT_ID}/oauth2/v2.0/authorize`,
          token_endpoint: `${tenantOrigin}/${TENANT_ID}/oauth2/v2.0/token`,
          end_session_endpoint: `${tenantOrigin}/${TENANT_ID}/oauth2/v2.0/logout`,
          jwks_uri: `${tenantOrigin}/${TENANT_ID}/discovery/v2.0/keys`,
        }),
      );
    });
    await new Promise<void>((resolve) => tenant.listen(0, '127.0.0.1', resolve));
    tenantOrigin = `https://localhost:${(tenant.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => tenant.close(() => resolve()));
  });

  function settingsFolder(name: string, values: Record<string, string>, host: Record<string, unknown>): string {
    const cwd = join(folder, name);
    mkdirSync(cwd, { recursive: true });
    writeFileSync(join(cwd, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: values, Host: host }));
    return cwd;
  }

  it('says so once, then serves with the settings func start would use', async () => {
    const port = await freePort();
    const cwd = settingsFolder(
      'serves',
      {
        FUNCTIONS_WORKER_RUNTIME: 'node',
        AzureWebJobsStorage: '',
        AUTHORITY: `${tenantOrigin}/${TENANT_ID}/`,
        CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        CLIENT_SECRET: 'a-client-secret-for-npm-start',
        COOKIE_SECRETS: 'a-cookie-secret-for-npm-start-0123456789abcdef',
        COSMOS_ENDPOINT: 'http://127.0.0.1:9/',
        REDIRECT_URI: `http://localhost:${port}/api/redirect`,
        NODE_EXTRA_CA_CERTS: caCertPath,
        SESSION_IDLE_TIMEOUT_MINUTES: '60',
      },
      { LocalHttpPort: port, CORS: 'http://localhost:3000' },
    );
    // --cors-credentials alone applies to the origins of Host.CORS, as under func.
    const launched = launch(cwd, dirname(process.execPath), ['--cors-credentials'], { SESSION_IDLE_TIMEOUT_MINUTES: '30' });
    running.push(launched.child);
    await waitForOutput(launched, `login: [GET] http://localhost:${port}/api/login`);

    expect(launched.output().match(/Azure Functions Core Tools were not found/g)).toHaveLength(1);
    expect(launched.output()).toContain('Using SESSION_IDLE_TIMEOUT_MINUTES from the environment instead of local.settings.json');
    expect(launched.output()).not.toMatch(/func: not found/);

    const home = await fetch(`http://localhost:${port}/api/home`);
    expect(home.status).toBe(200);

    // The tenant's discovery document was fetched over https with the CA from Values.
    const login = await fetch(`http://localhost:${port}/api/login`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toMatch(new RegExp(`^${tenantOrigin}/${TENANT_ID}/oauth2/v2.0/authorize\\?`));

    const preflight = await fetch(`http://localhost:${port}/api/claims`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');

    launched.child.kill('SIGTERM');
    expect(await launched.exited).toBe(0);
    await expect(fetch(`http://localhost:${port}/api/home`)).rejects.toThrow();
  });

  it('without NODE_EXTRA_CA_CERTS the same tenant is refused as untrusted, a setup mistake naming the setting', async () => {
    const port = await freePort();
    const cwd = settingsFolder(
      'untrusted',
      {
        AUTHORITY: `${tenantOrigin}/${TENANT_ID}/`,
        CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        CLIENT_SECRET: 'a-client-secret-for-npm-start',
        COOKIE_SECRETS: 'a-cookie-secret-for-npm-start-0123456789abcdef',
        COSMOS_ENDPOINT: 'http://127.0.0.1:9/',
      },
      { LocalHttpPort: port },
    );
    const launched = launch(cwd, dirname(process.execPath));
    running.push(launched.child);
    await waitForOutput(launched, `login: [GET] http://localhost:${port}/api/login`);
    const login = await fetch(`http://localhost:${port}/api/login`, { redirect: 'manual' });
    expect(login.status).toBe(500);
    const page = await login.text();
    expect(page).toContain('untrusted_certificate');
    expect(page).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('refuses any origin with credentials at start-up, as func does, naming both', async () => {
    const cwd = settingsFolder('cors-any', {}, { CORS: '*' });
    const launched = launch(cwd, dirname(process.execPath), ['--cors-credentials']);
    running.push(launched.child);
    expect(await launched.exited).toBe(1);
    expect(launched.output()).toContain('"*" (any origin) in "Host.CORS" cannot go with --cors-credentials');
    expect(launched.output()).not.toContain('Functions:');
  });

  it('names Host.LocalHttpPort and --port when the port is in use, instead of printing EADDRINUSE', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const cwd = settingsFolder('port-in-use', {}, { LocalHttpPort: port });
      const launched = launch(cwd, dirname(process.execPath));
      running.push(launched.child);
      expect(await launched.exited).toBe(1);
      expect(launched.output()).toContain(`npm start: port ${port}, from "Host.LocalHttpPort" in ${join(cwd, 'local.settings.json')}`);
      expect(launched.output()).toContain('is already in use. Stop what listens there');
      expect(launched.output()).toContain('npm start -- --port <port>');
      expect(launched.output()).not.toContain('EADDRINUSE');
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it.each([
    [['--port', ''], '--port "" is not a port number'],
    [['--port=0'], '--port "0" is not a port number'],
    [['--port'], '--port without a value is not a port number'],
  ])('refuses %j instead of listening on a port it was not given', async (args, message) => {
    const cwd = settingsFolder('bad-port', {}, {});
    const launched = launch(cwd, dirname(process.execPath), args);
    running.push(launched.child);
    expect(await launched.exited).toBe(1);
    expect(launched.output()).toContain(`npm start: ${message}. Give one from 1 to 65535, e.g. npm start -- --port 7072.`);
    expect(launched.output()).not.toContain('Functions:');
  });

  it('stops at start-up on a settings problem, with the message and nothing served', async () => {
    const port = await freePort();
    const example = JSON.parse(readFileSync(join(ROOT, 'local.settings.example.json'), 'utf8')) as { Values: Record<string, string> };
    const cwd = settingsFolder('example', example.Values, { LocalHttpPort: port });
    const launched = launch(cwd, dirname(process.execPath));
    running.push(launched.child);
    expect(await launched.exited).toBe(1);
    expect(launched.output()).toContain('The app cannot start: 5 settings need fixing');
    await expect(fetch(`http://localhost:${port}/api/home`)).rejects.toThrow();
  });
});

describe.skipIf(CORE_TOOLS_INSTALLED || process.platform === 'win32')('npm start with Azure Functions Core Tools', () => {
  it('runs func start in the current folder with the arguments given, and ends with its exit code', async () => {
    const bin = join(folder, 'bin');
    mkdirSync(bin, { recursive: true });
    const record = join(folder, 'func-was-run');
    writeFileSync(join(bin, 'func'), `#!/bin/sh\necho "$PWD $*" > '${record}'\nexit 3\n`);
    chmodSync(join(bin, 'func'), 0o755);
    const cwd = join(folder, 'with-func');
    mkdirSync(cwd, { recursive: true });

    const launched = launch(cwd, `${bin}:/bin:/usr/bin:${dirname(process.execPath)}`, ['--port', '7072']);
    running.push(launched.child);
    expect(await launched.exited).toBe(3);
    expect(readFileSync(record, 'utf8').trim()).toBe(`${cwd} start --port 7072`);
    expect(launched.output()).not.toContain('Core Tools were not found');
  });
});
