/**
 * MSAL's HTTP transport for the CLI: the global `fetch` (as MSAL's own
 * client), plus a memory of the last OAuth error the tenant answered with
 * and of the last request that got no answer at all.
 *
 * MSAL drops most of an error answer: from the device code endpoint it keeps
 * nothing at all (it calls back with an empty device code), and from the
 * polls it keeps only the `error` word. The AADSTS numbers are what tells
 * "public client flows are off" from "wrong client id", so they are kept here;
 * `error_description` is not (it can quote request data). MSAL also turns
 * every failed request into `network_error`, whether the host does not exist
 * (a setting to fix) or is down for a moment (worth a retry); the reason is
 * kept here too.
 *
 * @example
 * ```ts
 * const network = createNetworkClient();
 * new PublicClientApplication({ auth, system: { networkClient: network.client } });
 * network.lastProviderError(); // { status: 400, error: 'invalid_client', codes: [7000218] }
 * network.lastNetworkFailure(); // { kind: 'host_not_found', code: 'ENOTFOUND', host: 'contoso.invalid' }
 * ```
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { safeCode } from '../lib/identity-errors';
import { networkFailure, type NetworkFailure } from '../lib/network-failure';

export interface ProviderError {
  status: number;
  /** The OAuth `error` word, e.g. `invalid_client`. */
  error: string;
  /** Entra's `error_codes` (the AADSTS numbers). */
  codes: number[];
}

/** A request that got no answer, and the host it was sent to. */
export interface HostFailure extends NetworkFailure {
  host: string;
}

export interface NetworkClient {
  client: INetworkModule;
  lastProviderError(): ProviderError | undefined;
  lastNetworkFailure(): HostFailure | undefined;
}

const TIMEOUT_MS = 30_000;

export function createNetworkClient(fetchImpl: typeof fetch = (input, init) => fetch(input, init)): NetworkClient {
  let last: ProviderError | undefined;
  let lastFailure: HostFailure | undefined;

  async function send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      // MSAL turns anything that is not its own error into `network_error`: remember why.
      lastFailure = { ...networkFailure(error), host: new URL(url).host };
      throw error;
    }
    const text = await response.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {};
    }
    const fields = (typeof body === 'object' && body !== null ? body : {}) as { error?: unknown; error_codes?: unknown };
    if (typeof fields.error === 'string') {
      const codes = Array.isArray(fields.error_codes) ? fields.error_codes.filter((code): code is number => Number.isInteger(code)) : [];
      last = { status: response.status, error: safeCode(fields.error), codes };
    } else if (!response.ok) {
      last = { status: response.status, error: 'http_error', codes: [] };
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body: body as T };
  }

  return {
    lastProviderError: () => last,
    lastNetworkFailure: () => lastFailure,
    client: {
      sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('GET', url, options),
      sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('POST', url, options),
    },
  };
}
