/**
 * `fnauth call [path]`: GET `<API base URL><path>` (default `/api/claims`)
 * with `Authorization: Bearer <access token>`. The status goes to stderr and
 * the body to stdout (JSON pretty-printed), so `fnauth call | jq` works.
 *
 * The path must stay on the API's origin: the access token is never sent
 * anywhere else.
 */
import { STATUS_CODES } from 'node:http';
import { networkFailure } from '../../lib/network-failure';
import { openClient, silentToken } from '../client';
import { CliError, EXIT, hostMistake, type ExitCode } from '../errors';
import { writeLine } from '../io';
import { warner, type CommandContext } from './context';

const DEFAULT_PATH = '/api/claims';
const TIMEOUT_MS = 60_000;

export async function call({ settings, io, args }: CommandContext): Promise<ExitCode> {
  const url = apiUrl(settings.apiBaseUrl, args[0] ?? DEFAULT_PATH);
  const client = await openClient(settings, { online: true, warn: warner(io) });
  const { accessToken } = await silentToken(client, settings.scope);

  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: io.signal ? AbortSignal.any([io.signal, timeout]) : timeout,
    });
  } catch (error) {
    if (io.signal?.aborted) throw new CliError(EXIT.cancelled, 'Cancelled.');
    const mistake = hostMistake(networkFailure(error), url.host, '--api / API_BASE_URL');
    if (mistake) throw mistake;
    throw new CliError(
      EXIT.network,
      `The API at ${url.origin} cannot be reached${timeout.aborted ? ' (no answer in time)' : ''}. Is it running (npm run dev, or func start), and is --api / API_BASE_URL right?`,
    );
  }

  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const json = /[/+]json\b/i.test(contentType) ? parseJson(text) : undefined;
  writeLine(io.stderr, `HTTP ${response.status} ${STATUS_CODES[response.status] ?? ''}`.trim());
  if (json !== undefined) writeLine(io.stdout, JSON.stringify(json, null, 2));
  else if (text) writeLine(io.stdout, printableBody(text));
  if (response.ok) return EXIT.ok;
  throw new CliError(EXIT.apiError, describeProblem(response.status, json));
}

/** The path resolved against the base URL (which may have a path of its own), refused if it leaves the base's origin. */
function apiUrl(base: string, path: string): URL {
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new CliError(EXIT.usage, `The path must start with a single "/", e.g. /api/me (got ${JSON.stringify(path.slice(0, 80))}).`);
  }
  const baseUrl = new URL(base);
  const url = new URL(`${baseUrl.pathname.replace(/\/$/, '')}${path}`, baseUrl.origin);
  if (url.origin !== baseUrl.origin) throw new CliError(EXIT.usage, 'The path must stay on the API base URL (--api / API_BASE_URL).');
  return url;
}

/** An RFC 9457 problem, as this app's API answers errors; anything else by its status alone. */
function describeProblem(status: number, body: unknown): string {
  const problem = (typeof body === 'object' && body !== null ? body : {}) as { title?: unknown; detail?: unknown; code?: unknown };
  const detail = typeof problem.detail === 'string' ? printableBody(problem.detail) : undefined;
  const code = typeof problem.code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(problem.code) ? problem.code : undefined;
  const title = typeof problem.title === 'string' ? printableBody(problem.title) : STATUS_CODES[status] ?? 'Error';
  return `The API answered ${status} (${title})${detail ? `: ${detail}` : '.'}${code ? ` [${code}]` : ''}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Keeps line breaks and tabs, drops other control characters (terminal escapes). */
function printableBody(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
