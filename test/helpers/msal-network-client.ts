/**
 * An msal-node `system.networkClient` that trusts one extra CA (the local OpenID provider's
 * self-signed certificate) for its own requests only, and records what MSAL asked for.
 *
 * msal-node 7 has no agent option (it uses the global fetch), and NODE_EXTRA_CA_CERTS only works
 * when set before the process starts; tests that run the provider in-process use this instead.
 *
 * @example
 * ```ts
 * const network = createMsalNetworkClient({ ca: idp.caCert });
 * new ConfidentialClientApplication({ auth: {...}, system: { networkClient: network.client } });
 * network.requests; // [{ method: 'POST', url: 'https://localhost:…/token?…', status: 200 }]
 * ```
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { httpRequest } from '../../dev/http-form-driver';

export interface RecordedRequest {
  method: 'GET' | 'POST';
  url: string;
  status: number;
  /** Parsed form body of POSTs. */
  form?: Record<string, string>;
}

export function createMsalNetworkClient(options: { ca: string | string[] }): { client: INetworkModule; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  async function send<T>(method: 'GET' | 'POST', url: string, request?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const response = await httpRequest(url, {
      method,
      headers: request?.headers,
      body: method === 'POST' ? (request?.body ?? '') : undefined,
      ca: options.ca,
    });
    requests.push({
      method,
      url,
      status: response.status,
      ...(method === 'POST' ? { form: Object.fromEntries(new URLSearchParams(request?.body ?? '')) } : {}),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { status: response.status, headers, body: JSON.parse(response.body || '{}') as T };
  }
  return {
    requests,
    client: {
      sendGetRequestAsync: <T>(url: string, request?: NetworkRequestOptions) => send<T>('GET', url, request),
      sendPostRequestAsync: <T>(url: string, request?: NetworkRequestOptions) => send<T>('POST', url, request),
    },
  };
}
