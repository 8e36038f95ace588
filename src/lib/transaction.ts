/**
 * The login transaction: what `/api/login` must remember until `/api/redirect`.
 *
 * It travels in its own encrypted cookie (JWE, `dir` + A256GCM), named after
 * the transaction's `state`, so two tabs signing in at once each find their
 * own. The cookie lives at most ten minutes and is cleared by the callback;
 * the session secret it carries names the session document (by its hash),
 * which is created with a Cosmos `create`, so a replayed callback is refused
 * even if the cookie was copied.
 *
 * @example
 * ```ts
 * const tx = newTransaction({ returnTo: 'https://app.contoso.com/api/claims', codeVerifier });
 * const cookie = transactions.seal(tx);
 * // … later, in the callback:
 * const same = await transactions.open(context.cookies, stateFromQuery);
 * ```
 */
import type { Cookie } from '@azure/functions';
import type { CookiePolicy, RequestCookies } from './cookie';
import { SealedTokens } from './cookie-tokens';
import { AppError } from './errors';
import type { KeyRing } from './keys';
import { equalStrings, randomToken } from './random';

export const TRANSACTION_LIFETIME_SECONDS = 600;
/** Sign-ins one browser may have under way at once; older ones are dropped so cookies cannot fill the header. */
export const MAX_PENDING_TRANSACTIONS = 3;

export interface LoginTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Where to send the user after sign-in: an absolute URL already checked by the redirect policy. */
  returnTo: string;
  /** The secret the session's cookie will carry; random per sign-in. */
  sessionSecret: string;
  /** Seconds since the epoch. */
  createdAt: number;
}

/** A fresh transaction: new state, nonce and session secret for every sign-in. */
export function newTransaction(input: Pick<LoginTransaction, 'returnTo' | 'codeVerifier'>, now = Math.floor(Date.now() / 1000)): LoginTransaction {
  return { ...input, state: randomToken(), nonce: randomToken(), sessionSecret: randomToken(), createdAt: now };
}

const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export class TransactionStore {
  private readonly tokens: SealedTokens;

  constructor(
    keys: KeyRing,
    private readonly policy: CookiePolicy,
  ) {
    this.tokens = new SealedTokens(keys);
  }

  cookieName(state: string): string {
    return this.policy.name(`-tx-${state}`);
  }

  seal(transaction: LoginTransaction): Cookie {
    return this.policy.set(this.cookieName(transaction.state), this.tokens.seal({ ...transaction }), TRANSACTION_LIFETIME_SECONDS);
  }

  /**
   * The transaction that `state` names, from this browser's cookies.
   * Throws an {@link AppError} a person can act on when it is missing, forged or too old.
   */
  async open(cookies: RequestCookies, state: string, nowSeconds = Math.floor(Date.now() / 1000)): Promise<LoginTransaction> {
    if (!STATE_PATTERN.test(state)) {
      throw new AppError('state_mismatch');
    }
    const sealed = cookies.get(this.cookieName(state));
    if (!sealed) {
      throw new AppError('transaction_missing');
    }
    const transaction = this.tokens.open(sealed);
    if (!isTransaction(transaction) || !equalStrings(transaction.state, state)) {
      throw new AppError('state_mismatch');
    }
    if (nowSeconds - transaction.createdAt > TRANSACTION_LIFETIME_SECONDS || transaction.createdAt > nowSeconds + 60) {
      throw new AppError('transaction_expired');
    }
    return transaction;
  }

  clear(state: string): Cookie {
    return this.policy.expire(this.cookieName(state));
  }

  /** Clears the transaction `state` names, if this browser holds it; nothing otherwise. */
  clearIfPresent(cookies: RequestCookies, state: string | null): Cookie[] {
    return state && cookies.get(this.cookieName(state)) !== undefined ? [this.clear(state)] : [];
  }

  /**
   * Expiring cookies for the oldest pending sign-ins, so that with the one
   * about to start at most {@link MAX_PENDING_TRANSACTIONS} remain. Abandoned
   * sign-ins would otherwise pile up for ten minutes each until the `Cookie`
   * header outgrew what servers accept.
   */
  dropOldest(cookies: RequestCookies): Cookie[] {
    const prefix = this.policy.name('-tx-');
    const pending = cookies.names.filter((name) => name.startsWith(prefix));
    return pending.slice(0, Math.max(0, pending.length - (MAX_PENDING_TRANSACTIONS - 1))).map((name) => this.policy.expire(name));
  }
}

function isTransaction(value: unknown): value is LoginTransaction {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    ['state', 'nonce', 'codeVerifier', 'returnTo', 'sessionSecret'].every((key) => typeof candidate[key] === 'string') &&
    typeof candidate.createdAt === 'number'
  );
}
