import { randomUUID } from 'node:crypto';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenCacheIdOf } from '../../../src/lib/session/ids';
import { mergeCaches, TokenCacheStore, type TokenCacheDocument, type TokenCacheOwner } from '../../../src/lib/session/token-cache';
import { startLocalContainer, type LocalContainer } from '../../helpers/local-container';

type Sections = Record<string, Record<string, unknown>>;

const ACCOUNT_KEY = 'uid.utid-contoso.ciamlogin.com-utid';
const RT_KEY = 'uid.utid-contoso.ciamlogin.com-refreshtoken-client--';
const AT_KEY = 'uid.utid-contoso.ciamlogin.com-accesstoken-client-utid-user.read';
const AT2_KEY = 'uid.utid-contoso.ciamlogin.com-accesstoken-client-utid-api://x/read';

/** A cache shaped like msal-node's serialization, small enough to read. */
function cache(overrides: Partial<Record<'Account' | 'AccessToken' | 'RefreshToken' | 'IdToken' | 'AppMetadata', Record<string, unknown>>> = {}): Sections {
  return {
    Account: { [ACCOUNT_KEY]: { home_account_id: 'uid.utid', username: 'alice@example.com' } },
    IdToken: {},
    AccessToken: { [AT_KEY]: { secret: 'at-0', expires_on: '100' } },
    RefreshToken: { [RT_KEY]: { secret: 'rt-0' } },
    AppMetadata: {},
    ...overrides,
  };
}

const merged = (base: Sections | undefined, local: Sections, remote: Sections): Sections =>
  JSON.parse(mergeCaches(base === undefined ? undefined : JSON.stringify(base), JSON.stringify(local), JSON.stringify(remote))) as Sections;

describe('mergeCaches', () => {
  it("keeps the remote's entry when this request did not touch it", () => {
    const base = cache();
    const local = cache();
    const remote = cache({ RefreshToken: { [RT_KEY]: { secret: 'rt-rotated-elsewhere' } } });
    expect(merged(base, local, remote).RefreshToken).toEqual({ [RT_KEY]: { secret: 'rt-rotated-elsewhere' } });
  });

  it("applies this request's changed refresh token over the remote's", () => {
    const base = cache();
    const local = cache({ RefreshToken: { [RT_KEY]: { secret: 'rt-mine' } } });
    const remote = cache({ RefreshToken: { [RT_KEY]: { secret: 'rt-theirs' } } });
    expect(merged(base, local, remote).RefreshToken).toEqual({ [RT_KEY]: { secret: 'rt-mine' } });
  });

  it("applies this request's deletion", () => {
    const base = cache();
    const local = cache({ AccessToken: {} });
    const remote = cache({ RefreshToken: { [RT_KEY]: { secret: 'rt-theirs' } } });
    const result = merged(base, local, remote);
    expect(result.AccessToken).toEqual({});
    expect(result.RefreshToken).toEqual({ [RT_KEY]: { secret: 'rt-theirs' } });
  });

  it('adds new entries and new sections, keeping both sides', () => {
    const base = cache();
    const local = { ...cache({ AccessToken: { [AT_KEY]: { secret: 'at-0', expires_on: '100' }, [AT2_KEY]: { secret: 'at2' } } }), Extra: { k: 1 } };
    const remote = cache({ IdToken: { idt: { secret: 'id-theirs' } } });
    const result = merged(base, local, remote);
    expect(result.AccessToken).toEqual({ [AT_KEY]: { secret: 'at-0', expires_on: '100' }, [AT2_KEY]: { secret: 'at2' } });
    expect(result.IdToken).toEqual({ idt: { secret: 'id-theirs' } });
    expect(result.Extra).toEqual({ k: 1 });
  });

  it('treats a missing base as an empty cache: everything local is applied on top of remote', () => {
    const local = cache({ RefreshToken: { [RT_KEY]: { secret: 'rt-mine' } } });
    const remote: Sections = { AccessToken: { other: { secret: 'x' } } };
    const result = merged(undefined, local, remote);
    expect(result.RefreshToken).toEqual({ [RT_KEY]: { secret: 'rt-mine' } });
    expect(result.AccessToken).toEqual({ other: { secret: 'x' }, [AT_KEY]: { secret: 'at-0', expires_on: '100' } });
  });

  it('gives the remote unchanged when nothing changed locally', () => {
    const remote = cache({ AccessToken: { [AT_KEY]: { secret: 'at-theirs' } } });
    expect(merged(cache(), cache(), remote)).toEqual(remote);
  });
});

/** A minimal stand-in for MSAL's token cache: the plugin only calls serialize and deserialize. */
class FakeTokenCache {
  data: Sections = {};
  deserialize(serialized: string): void {
    this.data = JSON.parse(serialized) as Sections;
  }
  serialize(): string {
    return JSON.stringify(this.data);
  }
}

function contextFor(tokenCache: FakeTokenCache, cacheHasChanged: boolean): TokenCacheContext {
  return { cacheHasChanged, tokenCache } as unknown as TokenCacheContext;
}

describe('TokenCacheStore against Cosmos', () => {
  let local: LocalContainer;
  let store: TokenCacheStore;
  const lifetime = { idleTimeoutSeconds: 8 * 3600, absoluteTimeoutSeconds: 7 * 24 * 3600 };
  beforeAll(async () => {
    local = await startLocalContainer('token-cache-test');
    store = new TokenCacheStore(() => Promise.resolve(local.container), lifetime);
  });
  afterAll(() => local?.stop());

  const expiresAt = () => Math.floor(Date.now() / 1000) + 3600;
  /** A session of its own user, so every test has a partition to itself. */
  const owner = (expires = expiresAt()): TokenCacheOwner => ({ userKey: `user-${randomUUID()}`, id: randomUUID(), expiresAt: expires });

  /** The first write of a session's cache: what the sign-in's batch stores. */
  async function create(of: TokenCacheOwner, content: Sections | string = cache(), on = store): Promise<void> {
    await local.container.items.create(on.newDocument(of, typeof content === 'string' ? content : JSON.stringify(content)));
  }

  async function storedCache(of: TokenCacheOwner): Promise<Sections | undefined> {
    const { resource } = await local.container.item(tokenCacheIdOf(of.id), of.userKey).read<TokenCacheDocument>();
    return resource ? (JSON.parse(resource.cache) as Sections) : undefined;
  }

  async function remove(of: TokenCacheOwner): Promise<void> {
    await local.container.item(tokenCacheIdOf(of.id), of.userKey).delete();
  }

  /** One request: load through the plugin, let `change` edit the cache, save if it changed. */
  async function load(plugin: ICachePlugin): Promise<FakeTokenCache> {
    const tokenCache = new FakeTokenCache();
    await plugin.beforeCacheAccess(contextFor(tokenCache, false));
    return tokenCache;
  }

  it("lives in its session's partition, next to it, typed and named after it", async () => {
    const of = owner();
    const document = store.newDocument(of, JSON.stringify(cache()));
    expect(document).toMatchObject({ id: `${of.id}.tokens`, userKey: of.userKey, type: 'tokens' });
    expect(document.ttl).toBeGreaterThan(3500);
    expect(document.ttl).toBeLessThanOrEqual(3600);
    await create(of);
    const record = await store.read(of);
    expect(JSON.parse(record!.cache)).toEqual(cache());
    expect(await store.read({ ...of, userKey: 'someone-else' })).toBeUndefined();
  });

  it('hands the stored cache to MSAL and does not write when nothing changed', async () => {
    const of = owner();
    await create(of);
    const before = await store.read(of);
    const plugin = store.pluginFor(of);
    const tokenCache = await load(plugin);
    expect(tokenCache.data).toEqual(cache());
    await plugin.afterCacheAccess(contextFor(tokenCache, false));
    expect((await store.read(of))?._etag).toBe(before?._etag);
  });

  it('keeps both changes when two requests of one session write concurrently (412, then merge)', async () => {
    const of = owner();
    await create(of);
    const first = store.pluginFor(of);
    const second = store.pluginFor(of);
    const cacheA = await load(first);
    const cacheB = await load(second);

    // Request A rotates the refresh token; request B gets a new access token for another scope.
    cacheA.data.RefreshToken = { [RT_KEY]: { secret: 'rt-from-A' } };
    cacheB.data.AccessToken = { ...cacheB.data.AccessToken, [AT2_KEY]: { secret: 'at2-from-B' } };

    await first.afterCacheAccess(contextFor(cacheA, true));
    const afterA = await store.read(of);
    await second.afterCacheAccess(contextFor(cacheB, true));

    const final = await storedCache(of);
    expect(final?.RefreshToken).toEqual({ [RT_KEY]: { secret: 'rt-from-A' } });
    expect(final?.AccessToken).toEqual({ [AT_KEY]: { secret: 'at-0', expires_on: '100' }, [AT2_KEY]: { secret: 'at2-from-B' } });
    expect((await store.read(of))?._etag).not.toBe(afterA?._etag);
  });

  it('a second change in the same request after a merge is based on the merged document', async () => {
    const of = owner();
    await create(of);
    const first = store.pluginFor(of);
    const second = store.pluginFor(of);
    const cacheA = await load(first);
    const cacheB = await load(second);
    cacheA.data.RefreshToken = { [RT_KEY]: { secret: 'rt-from-A' } };
    await first.afterCacheAccess(contextFor(cacheA, true));
    cacheB.data.AccessToken = { [AT_KEY]: { secret: 'at-from-B' } };
    await second.afterCacheAccess(contextFor(cacheB, true));
    // B changes something else; its stale view of the refresh token must not undo A's rotation.
    await second.beforeCacheAccess(contextFor(cacheB, false));
    cacheB.data.IdToken = { idt: { secret: 'id-from-B' } };
    await second.afterCacheAccess(contextFor(cacheB, true));

    const final = await storedCache(of);
    expect(final?.RefreshToken).toEqual({ [RT_KEY]: { secret: 'rt-from-A' } });
    expect(final?.AccessToken).toEqual({ [AT_KEY]: { secret: 'at-from-B' } });
    expect(final?.IdToken).toEqual({ idt: { secret: 'id-from-B' } });
  });

  it('does not recreate the document when the session was signed out meanwhile', async () => {
    const of = owner();
    await create(of);
    const plugin = store.pluginFor(of);
    const tokenCache = await load(plugin);
    await remove(of);
    tokenCache.data.RefreshToken = { [RT_KEY]: { secret: 'rt-after-sign-out' } };
    await expect(plugin.afterCacheAccess(contextFor(tokenCache, true))).resolves.toBeUndefined();
    expect(await store.read(of)).toBeUndefined();
  });

  it('does not recreate the document when the sign-out lands between a 412 and the re-read', async () => {
    const of = owner();
    await create(of);
    const first = store.pluginFor(of);
    const second = store.pluginFor(of);
    const cacheA = await load(first);
    const cacheB = await load(second);
    cacheA.data.RefreshToken = { [RT_KEY]: { secret: 'rt-from-A' } };
    await first.afterCacheAccess(contextFor(cacheA, true));
    await remove(of);
    cacheB.data.RefreshToken = { [RT_KEY]: { secret: 'rt-from-B' } };
    await second.afterCacheAccess(contextFor(cacheB, true));
    expect(await store.read(of)).toBeUndefined();
  });

  it('writes the ttl of the remaining session lifetime', async () => {
    const soon = owner(Math.floor(Date.now() / 1000) + 120);
    await create(soon);
    const plugin = store.pluginFor(soon);
    const tokenCache = await load(plugin);
    tokenCache.data.RefreshToken = { [RT_KEY]: { secret: 'rt-1' } };
    await plugin.afterCacheAccess(contextFor(tokenCache, true));
    const record = await store.read(soon);
    expect(record?.ttl).toBeGreaterThan(100);
    expect(record?.ttl).toBeLessThanOrEqual(120);
  });

  it('caps the ttl at the idle timeout and renews it when the session slides, never recreating a gone cache', async () => {
    const shortIdle = new TokenCacheStore(() => Promise.resolve(local.container), { idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 7 * 24 * 3600 });
    const of = owner();
    await create(of, cache(), shortIdle);
    const created = await shortIdle.read(of);
    expect(created?.ttl).toBe(600);
    await shortIdle.renew(of);
    const renewed = await shortIdle.read(of);
    expect(renewed?.ttl).toBe(600);
    expect(renewed?._etag).not.toBe(created?._etag);
    expect(renewed?.cache).toBe(created?.cache);

    const gone = owner();
    await shortIdle.renew(gone);
    expect(await shortIdle.read(gone)).toBeUndefined();
  });
});
