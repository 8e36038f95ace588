/**
 * Everything a function needs, built once per instance and reused by every
 * invocation on it: settings, cookie keys, the Cosmos client, the tenant's
 * metadata and signing keys. Parts that need the network (Cosmos, the
 * discovery document) are resolved on first use and, if that fails, tried
 * again on the next request instead of keeping the failure.
 *
 * @example
 * ```ts
 * const runtime = getRuntime();
 * const { sessions } = await runtime.stores();
 * ```
 */
import { createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { DiscoveryError, fetchAuthority, resolveAuthorityFromJson, type ResolvedAuthority } from './authority';
import { loadConfig, type AppConfig } from './config';
import { CookiePolicy, SessionCookie } from './cookie';
import { openContainers, type Containers } from './cosmos';
import { fromDiscoveryError, identityProviderUnavailable } from './identity-errors';
import { createKeyRing } from './keys';
import { ReturnToPolicy } from './redirects';
import { urlFor } from './routes';
import { SessionStore } from './session';
import { TokenCacheStore } from './token-cache';
import { TransactionStore } from './transaction';

export interface Stores {
  sessions: SessionStore;
  tokenCaches: TokenCacheStore;
}

export interface Identity extends ResolvedAuthority {
  /** The tenant's signing keys, fetched on first use and refreshed when an unknown `kid` appears. */
  keys: JWTVerifyGetKey;
}

export class Runtime {
  readonly sessionCookie: SessionCookie;
  readonly transactions: TransactionStore;
  readonly returnTo: ReturnToPolicy;
  readonly containers: () => Promise<Containers>;
  readonly stores: () => Promise<Stores>;
  readonly identity: () => Promise<Identity>;

  constructor(readonly config: AppConfig) {
    const policy = new CookiePolicy(config.cookie.secure);
    this.sessionCookie = new SessionCookie(createKeyRing(config.cookie.secrets, 'session'), policy);
    this.transactions = new TransactionStore(createKeyRing(config.cookie.secrets, 'transaction'), policy);
    this.returnTo = new ReturnToPolicy(config.appOrigin, config.allowedReturnOrigins, urlFor('claims'));
    this.containers = retryingOnce(() => openContainers(config.cosmos));
    this.stores = retryingOnce(async () => {
      const containers = await this.containers();
      return {
        sessions: new SessionStore(containers.sessions, config.session),
        tokenCaches: new TokenCacheStore(containers.tokenCache, config.session),
      };
    });
    this.identity = retryingOnce(async () => {
      const authority = config.authorityMetadata
        ? resolveAuthorityFromJson(config.authority, config.authorityMetadata)
        : await fetchAuthority(config.authority).catch((error: unknown) => {
            throw error instanceof DiscoveryError ? fromDiscoveryError(error, config.authoritySetting) : error;
          });
      return { ...authority, keys: tenantKeys(new URL(authority.metadata.jwks_uri)) };
    });
  }

  /** Where to sign in, absolute: offered with every error that signing in again would fix. */
  get loginUrl(): string {
    return urlFor('login', { origin: this.config.appOrigin });
  }
}

/**
 * The tenant's JWKS. A key set that cannot be fetched is an outage (503),
 * not a bad token: only "no key matches" reaches the verifier as a refusal.
 */
function tenantKeys(jwksUri: URL): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(jwksUri);
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) throw error;
      throw identityProviderUnavailable(`jwks:${(error as { code?: string }).code ?? 'fetch_failed'}`);
    }
  };
}

/** Memoizes a successful result; a failure is not remembered, so the next call tries again. */
function retryingOnce<T>(create: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= create().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

let instance: Runtime | undefined;

/** The instance's runtime; reads and validates the settings on first call and throws a ConfigError naming every problem. */
export function getRuntime(): Runtime {
  instance ??= new Runtime(loadConfig(process.env));
  return instance;
}
