/**
 * The MSAL token cache in Cosmos DB: one document per session, never one blob
 * for all users, in the user's partition next to its session document. The
 * session creates it (in the sign-in's batch) and ends it (with the session);
 * this module reads and updates it.
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
 * const msal = await createMsalClient(config, identity, tokenCaches.pluginFor(session));
 * const account = await msal.getTokenCache().getAccountByHomeId(session.homeAccountId);
 * ```
 */
import type { Container } from '@azure/cosmos';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { cosmosCall, cosmosStatus } from '../cosmos';
import { AppError } from '../errors';
import { nowInSeconds, ttlAt, type SessionLifetime } from './clock';
import { tokenCacheIdOf } from './ids';

export interface TokenCacheDocument {
  id: string;
  userKey: string;
  type: 'tokens';
  /** MSAL's serialized cache (JSON text). */
  cache: string;
  ttl: number;
  _etag?: string;
}

/** The session a token cache belongs to: its partition, its id, and the absolute end its `ttl` may not pass. */
export interface TokenCacheOwner {
  userKey: string;
  id: string;
  expiresAt: number;
}

const MAX_WRITE_ATTEMPTS = 8;
/** Jittered, growing pause before re-reading after a lost race, so concurrent writers spread out instead of colliding again. */
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * 2 ** Math.min(attempt, 4)));

export class TokenCacheStore {
  constructor(
    private readonly container: () => Promise<Container>,
    private readonly lifetime: SessionLifetime,
  ) {}

  /** The document a new session's cache starts as; the session writes it in the sign-in's batch. */
  newDocument(owner: TokenCacheOwner, cache: string, now = nowInSeconds()): TokenCacheDocument {
    return { id: tokenCacheIdOf(owner.id), userKey: owner.userKey, type: 'tokens', cache, ttl: ttlAt(this.lifetime, now, owner.expiresAt) };
  }

  /**
   * Moves the cache's expiry along with its session's idle clock, so refresh
   * tokens never outlive an idle session in Cosmos. A cache that is gone stays gone.
   */
  async renew(owner: TokenCacheOwner): Promise<void> {
    const container = await this.container();
    try {
      await cosmosCall('extend your session', () =>
        container.item(tokenCacheIdOf(owner.id), owner.userKey).patch([{ op: 'set', path: '/ttl', value: this.ttl(owner.expiresAt) }]),
      );
    } catch (error) {
      if (cosmosStatus(error) !== 404) throw error;
    }
  }

  private ttl(expiresAt: number): number {
    return ttlAt(this.lifetime, nowInSeconds(), expiresAt);
  }

  async read(owner: TokenCacheOwner): Promise<TokenCacheDocument | undefined> {
    const container = await this.container();
    const { resource } = await cosmosCall('read your tokens', () =>
      container.item(tokenCacheIdOf(owner.id), owner.userKey).read<TokenCacheDocument>(),
    );
    return resource;
  }

  /** An MSAL cache plugin for one session; make a new one per request. */
  pluginFor(owner: TokenCacheOwner): ICachePlugin {
    return new SessionCachePlugin(this, this.container, owner);
  }
}

class SessionCachePlugin implements ICachePlugin {
  private loaded = false;
  /** The cache as last read from or written to Cosmos: the base of the three-way merge. */
  private base: string | undefined;
  private etag: string | undefined;

  constructor(
    private readonly store: TokenCacheStore,
    private readonly container: () => Promise<Container>,
    private readonly owner: TokenCacheOwner,
  ) {}

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!this.loaded) {
      const record = await this.store.read(this.owner);
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
    const container = await this.container();
    const item = container.item(tokenCacheIdOf(this.owner.id), this.owner.userKey);
    let next = local;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      // Only sign-in creates a cache document; one that is gone belongs to a session that ended, and stays gone.
      const etag = this.etag;
      if (!etag) return;
      try {
        const record = this.store.newDocument(this.owner, next);
        const { resource } = await cosmosCall('save your tokens', () =>
          item.replace<TokenCacheDocument>(record, { accessCondition: { type: 'IfMatch', condition: etag } }),
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
        const remote = await this.store.read(this.owner);
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
