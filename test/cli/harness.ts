/**
 * The CLI run in-process against the fake External ID tenant (msw) and a fake
 * API at the default base URL that checks bearer tokens with the app's own
 * code (`verifyAccessToken`, problem+json errors). Each test gets a fresh
 * temporary cache folder, removed afterwards.
 *
 * @example
 * ```ts
 * const cli = useCli();
 * const { code, stdout } = await cli.run(['login']);
 * ```
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet } from 'jose';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { checkRequirement } from '../../src/lib/access';
import { bearerToken, verifyAccessToken } from '../../src/lib/access-token';
import { AppError } from '../../src/lib/errors';
import { errorResponse } from '../../src/lib/responses';
import { run, type ExitCode, type Output } from '../../src/cli/run';
import { FakeEntra } from '../helpers/fake-entra';

export const API_BASE = 'http://localhost:7071';

/** An output stream that keeps what was written; `onWrite` lets a test act on what the user would see. */
export class Capture implements Output {
  text = '';
  constructor(
    readonly isTTY = false,
    private readonly onWrite?: (text: string) => void,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    this.onWrite?.(this.text);
    return true;
  }
}

export interface CliRun {
  code: ExitCode;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Which streams are terminals: both (`true`), neither (the default), or each on its own. */
  tty?: boolean | { stdout: boolean; stderr: boolean };
  signal?: AbortSignal;
  /** Called on each write to stderr, where the code and the time left appear. */
  onStderr?: (textSoFar: string) => void;
}

export interface CliHarness {
  entra: FakeEntra;
  msw: ReturnType<typeof setupServer>;
  /** This test's cache folder and file. */
  cacheDir: string;
  cacheFile: string;
  env: Record<string, string>;
  /** Requests the API received: the Authorization header of each. */
  apiCalls: { path: string; authorization: string | null }[];
  /** Every token, device code and secret the fake tenant handed out, for leak checks. */
  secrets: Set<string>;
  run(argv: string[], options?: RunOptions): Promise<CliRun>;
}

/** Registers the hooks; the returned object is filled in before each test. */
export function useCli(): CliHarness {
  const harness = { apiCalls: [], secrets: new Set<string>() } as unknown as CliHarness;

  beforeAll(async () => {
    harness.entra = await FakeEntra.create();
    const jwks = createRemoteJWKSet(new URL(harness.entra.metadata.jwks_uri));
    harness.msw = setupServer(...harness.entra.handlers(), ...apiHandlers(harness, jwks));
    harness.msw.listen({ onUnhandledRequest: 'error' });
    // Everything the fake tenant answers passes through here: remember every credential in it.
    harness.msw.events.on('response:mocked', async ({ response }) => {
      const body = await response.clone().text();
      for (const [key, value] of Object.entries(safeJson(body))) {
        if (['access_token', 'refresh_token', 'id_token', 'device_code'].includes(key) && typeof value === 'string') harness.secrets.add(value);
      }
    });
  });
  afterAll(() => harness.msw.close());

  beforeEach(async () => {
    const entra = harness.entra;
    entra.deviceCodeInterval = 0.02; // MSAL sleeps interval × 1000 ms between polls; fractions work
    entra.deviceCodeLifetime = 900;
    entra.deviceVerificationUri = 'https://microsoft.com/devicelogin';
    entra.deviceUser = { pendingPolls: 2, outcome: 'approve' };
    entra.accessTokenLifetime = 3600;
    entra.allowPublicClientFlows = false;
    entra.requests.length = 0;
    harness.apiCalls.length = 0;
    harness.cacheDir = await mkdtemp(join(tmpdir(), 'fnauth-cli-'));
    harness.cacheFile = join(harness.cacheDir, 'msal-cache.json');
    harness.env = {
      TENANT_SUBDOMAIN: entra.subdomain,
      CLI_CLIENT_ID: entra.publicClientId,
      API_SCOPE: entra.apiScope,
      FNAUTH_CACHE_DIR: harness.cacheDir,
    };
  });
  afterEach(async () => {
    harness.msw.resetHandlers();
    await rm(harness.cacheDir, { recursive: true, force: true });
  });

  harness.run = async (argv, options = {}) => {
    const tty = typeof options.tty === 'object' ? options.tty : { stdout: options.tty ?? false, stderr: options.tty ?? false };
    const stdout = new Capture(tty.stdout);
    const stderr = new Capture(tty.stderr, options.onStderr);
    const code = await run(argv, { stdout, stderr, env: options.env ?? harness.env, signal: options.signal, platform: 'linux' });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
  return harness;
}

/**
 * The app's API as a bearer caller sees it: `/api/claims` verifies the token
 * exactly as the app does and answers its claims; `/api/admin` always
 * answers 403 problem+json.
 */
function apiHandlers(harness: CliHarness, jwks: ReturnType<typeof createRemoteJWKSet>) {
  const problem = (error: unknown) => {
    const response = errorResponse(error, 'api');
    return HttpResponse.json(response.jsonBody, { status: response.status, headers: response.headers as Record<string, string> });
  };
  return [
    http.get(`${API_BASE}/api/claims`, async ({ request }) => {
      const authorization = request.headers.get('authorization');
      harness.apiCalls.push({ path: '/api/claims', authorization });
      try {
        const token = bearerToken(authorization);
        if (!token) throw new AppError('not_signed_in');
        const claims = await verifyAccessToken(token, {
          keys: jwks,
          issuer: harness.entra.issuer,
          tenantId: harness.entra.tenantId,
          audiences: [harness.entra.clientId, `api://${harness.entra.clientId}`],
          allowedClientIds: [],
        });
        checkRequirement({ kind: 'bearer', claims, token }, { scopes: ['access_as_user'] });
        return HttpResponse.json({ claims, session: { authenticatedWith: 'bearer' } });
      } catch (error) {
        return problem(error);
      }
    }),
    http.get(`${API_BASE}/api/admin`, ({ request }) => {
      harness.apiCalls.push({ path: '/api/admin', authorization: request.headers.get('authorization') });
      return problem(new AppError('insufficient_scope', { detail: 'The access token does not grant the "admin" scope this API requires.' }));
    }),
  ];
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The user code as `login` shows it (on stderr). */
export function printedUserCode(stderr: string): string | undefined {
  return /enter the code:\s+(\S+)/.exec(stderr)?.[1];
}

/** The last line written: where a command's ending (its error message) stands. */
export function lastLine(text: string): string | undefined {
  return text.trimEnd().split('\n').at(-1);
}
