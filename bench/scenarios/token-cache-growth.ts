/**
 * Token cache growth: one user's cache document must not grow as other users
 * sign in (one document per session, never one blob for everyone).
 *
 * The first user signs in and their document is found by its contents (the
 * account's `oid`); N other users then sign in; the first user's document is
 * read again, and once more after that user calls `/api/me` (which reads the
 * cache through MSAL and, when a refresh is due, writes it back).
 */
import type { Container } from '@azure/cosmos';
import { cachesOf, readTokenCaches, type TokenCacheDoc } from '../cosmos/token-caches';
import { signIn, type SignInTarget } from '../lib/sign-in';
import type { BenchUser } from '../lib/users';

export interface TokenCacheGrowthResult {
  otherUsers: number;
  firstUser: {
    /** Bytes of the stored document (system properties included) / of MSAL's cache text. */
    afterSignIn: { bytes: number; cacheBytes: number; accounts: number };
    afterOthers: { bytes: number; cacheBytes: number; accounts: number };
    afterOwnApiCall: { bytes: number; cacheBytes: number; accounts: number };
  };
  /** Sizes of all the other users' documents. */
  others: { documents: number; minBytes: number; maxBytes: number; maxAccounts: number };
  flat: boolean;
}

function sizeOf(doc: TokenCacheDoc | undefined) {
  if (!doc) throw new Error('token cache document not found');
  return { bytes: doc.bytes, cacheBytes: doc.cacheBytes, accounts: doc.accountOids.length };
}

/** Sign-ins in small parallel batches: the point is the end state, not their speed. */
async function signInAll(target: SignInTarget, users: BenchUser[], parallel = 4): Promise<void> {
  for (let i = 0; i < users.length; i += parallel) await Promise.all(users.slice(i, i + parallel).map((user) => signIn(target, user)));
}

export async function measureTokenCacheGrowth(options: {
  target: SignInTarget;
  functionsUrl: string;
  tokenCaches: Container;
  first: BenchUser;
  others: BenchUser[];
}): Promise<TokenCacheGrowthResult> {
  const { target, tokenCaches, first, others } = options;
  const initial = await readTokenCaches(tokenCaches);
  const { cookie } = await signIn(target, first);
  const before = await readTokenCaches(tokenCaches);
  // The document this sign-in created, recognised by the account it holds (the user may have older sessions).
  const mine = cachesOf(before, first.oid).find((doc) => !initial.has(doc.id));
  if (!mine) throw new Error(`no new token cache document holds ${first.email}`);
  const ids = new Set(before.keys());

  await signInAll(target, others);
  const afterOthers = await readTokenCaches(tokenCaches);

  const me = await fetch(`${options.functionsUrl}/me`, { headers: { cookie } });
  if (me.status !== 200) throw new Error(`/api/me answered ${me.status}`);
  const afterCall = await readTokenCaches(tokenCaches);

  const newDocs = [...afterOthers.values()].filter((doc) => !ids.has(doc.id));
  const result: TokenCacheGrowthResult = {
    otherUsers: others.length,
    firstUser: {
      afterSignIn: sizeOf(before.get(mine.id)),
      afterOthers: sizeOf(afterOthers.get(mine.id)),
      afterOwnApiCall: sizeOf(afterCall.get(mine.id)),
    },
    others: {
      documents: newDocs.length,
      minBytes: Math.min(...newDocs.map((doc) => doc.bytes)),
      maxBytes: Math.max(...newDocs.map((doc) => doc.bytes)),
      maxAccounts: Math.max(...newDocs.map((doc) => doc.accountOids.length)),
    },
    flat: false,
  };
  const { afterSignIn, afterOthers: grown, afterOwnApiCall } = result.firstUser;
  // Flat: untouched by other sign-ins, still one account after its own use, every document one account.
  result.flat =
    grown.bytes === afterSignIn.bytes && afterOwnApiCall.accounts === 1 && result.others.maxAccounts === 1 && newDocs.length === others.length;
  return result;
}
