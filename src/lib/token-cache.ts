/**
 * The MSAL token cache in Cosmos DB: one document per session, never one blob
 * for all users.
 *
 * {@link TokenCacheStore.pluginFor} gives MSAL an `ICachePlugin` bound to one
 * session. It reads the document once per request and writes only when MSAL
 * reports a change, with optimistic concurrency: the write carries the
 * ETag it read (`If-Match`); on 412 it reads the newer document, replays
 * its own changes on top of it (a three-way merge against what it first
 * read) and tries again. Two requests of one user that both refresh
 * therefore keep a working refresh token instead of the last writer
 * blindly overwriting the other.
 *
 * @example
 * ```ts
 * const msal = createMsalClient(authority, tokenCaches.pluginFor(session.id, session.expiresAt));
 * const account = await msal.getTokenCache().getAccountByHomeId(session.homeAccountId);
 * ```
 */
import type { Container } from '@azure/cosmos';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { cosmosCall, cosmosStatus, deleteIfPresent } from './cosmos';
import { AppError } from './errors';
import { sessionTtl, type SessionLifetime } from './session';

export interface TokenCacheRecord {
  id: string;
  /** MSAL's serialized cache (JSON text). */
  cache: string;
  ttl: number;
  _etag?: string;
}

const MAX_WRITE_ATTEMPTS = 8;
/** Jittered, growing pause before re-reading after a lost race, so concurrent writers spread out instead of colliding again. */
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** Math.min(attempt, 4)));

export class TokenCacheStore {
  constructor(
    private readonly container: Container,
    private readonly lifetime: SessionLifetime,
  ) {}

  /** First write of a new session's cache (at sign-in). */
  async create(sessionId: string, cache: string, expiresAt: number): Promise<void> {
    await cosmosCall('save your tokens', () =>
      this.container.items.create<TokenCacheRecord>({ id: sessionId, cache, ttl: this.ttl(expiresAt) }),
    );
  }

  /**
   * Moves the cache's expiry along with its session's idle clock, so refresh
   * tokens never outlive an idle session in Cosmos. A cache that is gone stays gone.
   */
  async renew(sessionId: string, expiresAt: number): Promise<void> {
    try {
      await cosmosCall('extend your session', () =>
        this.container.item(sessionId, sessionId).patch([{ op: 'set', path: '/ttl', value: this.ttl(expiresAt) }]),
      );
    } catch (error) {
      if (cosmosStatus(error) !== 404) throw error;
    }
  }

  ttl(expiresAt: number): number {
    return sessionTtl(this.lifetime, Math.floor(Date.now() / 1000), expiresAt);
  }

  async read(sessionId: string): Promise<TokenCacheRecord | undefined> {
    const { resource } = await cosmosCall('read your tokens', () =>
      this.container.item(sessionId, sessionId).read<TokenCacheRecord>(),
    );
    return resource;
  }

  /** Idempotent. */
  delete(sessionId: string): Promise<void> {
    return deleteIfPresent(this.container, sessionId, 'remove your tokens');
  }

  /** An MSAL cache plugin for one session; make a new one per request. */
  pluginFor(sessionId: string, expiresAt: number): ICachePlugin {
    return new SessionCachePlugin(this, this.container, sessionId, expiresAt);
  }
}

class SessionCachePlugin implements ICachePlugin {
  private loaded = false;
  /** The cache as last read from or written to Cosmos: the base of the three-way merge. */
  private base: string | undefined;
  private etag: string | undefined;

  constructor(
    private readonly store: TokenCacheStore,
    private readonly container: Container,
    private readonly sessionId: string,
    private readonly expiresAt: number,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!this.loaded) {
      const record = await this.store.read(this.sessionId);
      this.base = record?.cache;
      this.etag = record?._etag;
      this.loaded = true;
    }
    if (this.base) context.tokenCache.deserialize(this.base);
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) return;
    await this.write(context.tokenCache.serialize());
  }

  private async write(local: string): Promise<void> {
    let next = local;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      // Only sign-in creates a cache document; one that is gone belongs to a session that ended, and stays gone.
      const etag = this.etag;
      if (!etag) return;
      try {
        const item = this.container.item(this.sessionId, this.sessionId);
        const record = { id: this.sessionId, cache: next, ttl: this.store.ttl(this.expiresAt) };
        const { resource } = await cosmosCall('save your tokens', () =>
          item.replace<TokenCacheRecord>(record, { accessCondition: { type: 'IfMatch', condition: etag } }),
        );
        this.base = next;
        this.etag = resource?._etag;
        return;
      } catch (error) {
        const status = cosmosStatus(error);
        // 404: the session was signed out meanwhile; writing would resurrect an orphan.
        if (status === 404) return;
        if (status !== 412) throw error;
        await backoff(attempt);
        const remote = await this.store.read(this.sessionId);
        if (!remote?._etag) return;
        next = mergeCaches(this.base, next, remote.cache);
        this.base = remote.cache;
        this.etag = remote._etag;
      }
    }
    throw new AppError('store_unavailable', { detail: 'Too many simultaneous updates to your tokens. Please try again.' });
  }
}

type CacheSections = Record<string, Record<string, unknown>>;

/**
 * Replays the changes between `base` and `local` on top of `remote`, entry by
 * entry within each MSAL cache section (Account, AccessToken, RefreshToken,
 * IdToken, AppMetadata). Entries this request did not touch keep the
 * remote value, so another request's rotated refresh token survives.
 */
export function mergeCaches(base: string | undefined, local: string, remote: string): string {
  const before = parseCache(base);
  const mine = parseCache(local);
  const merged = parseCache(remote);
  for (const section of new Set([...Object.keys(before), ...Object.keys(mine)])) {
    const beforeEntries = before[section] ?? {};
    const myEntries = mine[section] ?? {};
    for (const key of new Set([...Object.keys(beforeEntries), ...Object.keys(myEntries)])) {
      if (JSON.stringify(beforeEntries[key]) === JSON.stringify(myEntries[key])) continue;
      const target = (merged[section] ??= {});
      if (myEntries[key] === undefined) delete target[key];
      else target[key] = myEntries[key];
    }
  }
  return JSON.stringify(merged);
}

function parseCache(serialized: string | undefined): CacheSections {
  if (!serialized) return {};
  const value: unknown = JSON.parse(serialized);
  return typeof value === 'object' && value !== null ? (value as CacheSections) : {};
}
