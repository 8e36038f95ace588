/**
 * Everything a function needs, built once per instance and reused by every
 * invocation on it: settings, cookie keys, the Cosmos client, the tenant's
 * metadata and signing keys. Parts that need the network (Cosmos, the
 * discovery document) are resolved on first use and, if that fails, tried
 * again on the next request instead of keeping the failure.
 *
 * Tested by test/functions/setup-mistakes.test.ts.
 *
 * @example
 * ```ts
 * const runtime = getRuntime();
 * const session = await runtime.sessions.resume(context.cookies);
 * ```
 */
import { createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { DiscoveryError, fetchAuthority, resolveAuthorityFromJson, type ResolvedAuthority } from './authority';
import { loadConfig, type AppConfig } from './config';
import type { Container } from '@azure/cosmos';
import { CookiePolicy } from './cookie';
import { createCosmosClient, openSessionsContainer, sessionsContainerOf } from './cosmos';
import { FormTokens } from './cross-site';
import { notSetUp } from './errors';
import { fromDiscoveryError, identityProviderUnavailable } from './identity-errors';
import { createKeyRing } from './keys';
import { ReturnToPolicy } from './redirects';
import { urlFor } from './routes';
import { Sessions } from './session';
import { SessionCookie } from './session/cookie';
import { tenantIdOf } from './tenant-jwt';
import { TransactionStore } from './transaction';

export interface Identity extends ResolvedAuthority {
  /** The tenant's id, from its issuer: every token must carry it as `tid`. */
  tenantId: string;
  /** The tenant's signing keys, fetched on first use and refreshed when an unknown `kid` appears. */
  keys: JWTVerifyGetKey;
}

export class Runtime {
  readonly sessions: Sessions;
  readonly transactions: TransactionStore;
  readonly formTokens: FormTokens;
  readonly returnTo: ReturnToPolicy;
  /** The Cosmos container, opened on first use (and created then, where `COSMOS_CREATE_IF_MISSING` is on). */
  readonly container: () => Promise<Container>;
  /** The same container as it is, never created: for reads that must write nothing (the health check). */
  readonly existingContainer: () => Promise<Container>;
  readonly identity: () => Promise<Identity>;

  constructor(readonly config: AppConfig) {
    const policy = new CookiePolicy(config.cookie.secure);
    // The Cosmos SDK loads on the first request that needs it, not for /api/login or a request without a cookie.
    const cosmosClient = retryingOnce(() => createCosmosClient(config.cosmos));
    this.container = retryingOnce(async () => openSessionsContainer(config.cosmos, await cosmosClient()));
    this.existingContainer = async () => sessionsContainerOf(await cosmosClient(), config.cosmos);
    this.sessions = new Sessions(new SessionCookie(createKeyRing(config.cookie.secrets, 'session'), policy), this.container, config.session);
    this.transactions = new TransactionStore(createKeyRing(config.cookie.secrets, 'transaction'), policy);
    this.formTokens = new FormTokens(createKeyRing(config.cookie.secrets, 'form'));
    this.returnTo = new ReturnToPolicy(config.appOrigin, config.allowedReturnOrigins, urlFor('claims'));
    this.identity = retryingOnce(async () => {
      const authority = config.authorityMetadata
        ? resolveAuthorityFromJson(config.authority, config.authorityMetadata)
        : await fetchAuthority(config.authority).catch((error: unknown) => {
            throw error instanceof DiscoveryError ? fromDiscoveryError(error, config.authoritySetting) : error;
          });
      const tenantId = tenantIdOf(authority.metadata.issuer);
      if (!tenantId) {
        throw notSetUp('misconfigured', `the sign-in service's issuer (${authority.metadata.issuer}) names no tenant id. Check the ${config.authoritySetting} setting.`, {
          reason: 'issuer_without_tenant_id',
          setting: config.authoritySetting,
        });
      }
      return { ...authority, tenantId, keys: tenantKeys(new URL(authority.metadata.jwks_uri)) };
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
