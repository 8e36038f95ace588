/**
 * The bench's own look at the token cache documents (`type: 'tokens'` in the
 * sessions container), straight at the local Cosmos DB API (not through the
 * counting proxy, so these reads never show up in the app's counts). They are
 * told apart by what MSAL keeps in them: the `home_account_id`
 * (`<oid>.<tenant id>`) of the accounts they hold.
 */
import { CosmosClient, type Container } from '@azure/cosmos';
import { decodeJwt } from 'jose';
import { tokenCacheIdOf } from '../../src/lib/session/ids';

export interface TokenCacheDoc {
  id: string;
  _etag: string;
  /** Bytes of the document as stored (JSON, system properties included). */
  bytes: number;
  /** Bytes of MSAL's serialized cache alone. */
  cacheBytes: number;
  /** `oid` of every account in it. */
  accountOids: string[];
  /** How many entries of each MSAL section (Account, AccessToken, RefreshToken, IdToken, AppMetadata). */
  entries: Record<string, number>;
  /** `expires_on` of its access tokens: a refresh moves them. */
  accessTokenExpiries: string[];
}

export function openSessionsContainer(endpoint: string, key: string): Container {
  const client = new CosmosClient({ endpoint, key, connectionPolicy: { enableEndpointDiscovery: false } });
  return client.database('auth').container('sessions');
}

function describe(document: Record<string, unknown>): TokenCacheDoc {
  const cache = JSON.parse(String(document.cache ?? '{}')) as Record<string, Record<string, Record<string, unknown>>>;
  const accounts = Object.values(cache.Account ?? {});
  return {
    id: String(document.id),
    _etag: String(document._etag),
    bytes: Buffer.byteLength(JSON.stringify(document)),
    cacheBytes: Buffer.byteLength(String(document.cache ?? '')),
    accountOids: accounts.map((account) => String(account.home_account_id ?? '').split('.')[0] ?? ''),
    entries: Object.fromEntries(Object.entries(cache).map(([section, items]) => [section, Object.keys(items).length])),
    accessTokenExpiries: Object.values(cache.AccessToken ?? {}).map((token) => String(token.expires_on)),
  };
}

/** Every token cache document, by id. A query is fine here: it is the bench reading, not the app. */
export async function readTokenCaches(container: Container): Promise<Map<string, TokenCacheDoc>> {
  const { resources } = await container.items.query<Record<string, unknown>>("SELECT * FROM c WHERE c.type = 'tokens'").fetchAll();
  return new Map(resources.map((document) => [String(document.id), describe(document)]));
}

/** The documents holding this user's account. */
export function cachesOf(caches: Map<string, TokenCacheDoc>, oid: string): TokenCacheDoc[] {
  return [...caches.values()].filter((doc) => doc.accountOids.includes(oid));
}

/**
 * Entra's `sid` for one session, what the tenant's front-channel logout sends: read from the ID
 * token MSAL keeps in the session's token cache, since the session keeps only the sid's hash.
 */
export async function sidOfSession(container: Container, sessionId: string): Promise<string | undefined> {
  const { resources } = await container.items
    .query<{ cache?: string }>({ query: 'SELECT c.cache FROM c WHERE c.id = @id', parameters: [{ name: '@id', value: tokenCacheIdOf(sessionId) }] })
    .fetchAll();
  const cache = JSON.parse(resources[0]?.cache ?? '{}') as { IdToken?: Record<string, { secret?: string }> };
  const sids = Object.values(cache.IdToken ?? {}).map(({ secret }) => (secret ? decodeJwt(secret).sid : undefined));
  return sids.find((sid): sid is string => typeof sid === 'string');
}
