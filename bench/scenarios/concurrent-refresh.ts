/**
 * 100 concurrent `GET /api/me` of one session whose access token has
 * expired, on one instance of our compiled app, then spread over two
 * instances sharing the client, the cookie secret and Cosmos DB (a
 * scaled-out app). Each request must answer 200; the provider counts the
 * refreshes at its token endpoint.
 *
 * The provider issues access tokens for `accessTokenTtlSeconds` (300 + w);
 * MSAL renews a token 300 s before it expires. Each run's user signs in,
 * and the burst starts once the w seconds have passed: the token from
 * sign-in is then due for renewal, and the one a refresh brings counts as
 * valid, so a request arriving after a refresh uses it instead of
 * refreshing again. What is left is what the app shares: on one instance,
 * concurrent requests share one refresh; each instance refreshes on its own.
 */
import { MSAL_RENEWAL_OFFSET_SECONDS } from './cosmos-cost';
import { signIn, type SignInTarget } from '../lib/sign-in';
import type { BenchUser } from '../lib/users';

/** One burst, as the results JSON reports it. */
export interface ConcurrentRefresh {
  requests: number;
  /** Answers with status 200. */
  ok: number;
  /** Token requests at the provider during the burst: refreshes. */
  idpRefreshes: number;
  instances: number;
  /** Status -> how many answered it. */
  statuses: Record<string, number>;
  ms: number;
}

export async function measureConcurrentRefresh(options: {
  /** The instances, the first of which signs the users in. */
  instances: SignInTarget[];
  users: BenchUser[];
  accessTokenTtlSeconds: number;
  tokenRequests: () => number;
  requests?: number;
}): Promise<ConcurrentRefresh[]> {
  const requests = options.requests ?? 100;
  const [first] = options.instances;
  if (!first || options.users.length < 2) throw new Error('need an instance and two users');
  const runs = [options.instances.slice(0, 1), options.instances];
  const signedIn = await Promise.all(runs.map((_, index) => signIn(first, options.users[index]!)));
  const dueAt = performance.now() + (options.accessTokenTtlSeconds - MSAL_RENEWAL_OFFSET_SECONDS + 1) * 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - performance.now())));

  const results: ConcurrentRefresh[] = [];
  for (const [index, instances] of runs.entries()) {
    const { cookie } = signedIn[index]!;
    const before = options.tokenRequests();
    const started = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: requests }, async (_, request) => {
        const response = await fetch(new URL('/api/me', instances[request % instances.length]!.claimsUrl), { headers: { cookie } });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const counts: Record<string, number> = {};
    for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
    results.push({
      requests,
      ok: counts[200] ?? 0,
      idpRefreshes: options.tokenRequests() - before,
      instances: instances.length,
      statuses: counts,
      ms: performance.now() - started,
    });
  }
  return results;
}
