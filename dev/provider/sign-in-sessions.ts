/**
 * What the provider holds for each user (grants with their refresh tokens, and browser sessions),
 * indexed by account as oidc-provider saves and destroys them, so that one user's sign-in
 * sessions can be revoked as Graph's `revokeSignInSessions` does: every refresh token dies and
 * the next authorization request needs the password again. Access tokens already issued are
 * JWTs and stay valid until they expire, as in Entra.
 *
 * @example
 * ```ts
 * const signInSessions = new SignInSessions(provider); // before the provider serves requests
 * await signInSessions.revoke(oid);
 * ```
 */
import type * as Oidc from 'oidc-provider';

export class SignInSessions {
  readonly #provider: Oidc.Provider;
  /** accountId → grant ids */
  readonly #grants = new Map<string, Set<string>>();
  /** accountId → session uids (a session's id rotates, its uid does not) */
  readonly #sessions = new Map<string, Set<string>>();

  constructor(provider: Oidc.Provider) {
    this.#provider = provider;
    provider.on('grant.saved', (grant: Oidc.Grant) => add(this.#grants, grant.accountId, grant.jti));
    provider.on('grant.destroyed', (grant: Oidc.Grant) => remove(this.#grants, grant.accountId, grant.jti));
    provider.on('session.saved', (session: Oidc.Session) => add(this.#sessions, session.accountId, session.uid));
    provider.on('session.destroyed', (session: Oidc.Session) => remove(this.#sessions, session.accountId, session.uid));
  }

  /** Revokes every grant (and the refresh tokens, codes and opaque access tokens of each) and ends every session of the user. */
  async revoke(accountId: string): Promise<void> {
    const { AccessToken, AuthorizationCode, DeviceCode, Grant, RefreshToken, Session } = this.#provider;
    const grantIds = [...(this.#grants.get(accountId) ?? [])];
    const sessionUids = [...(this.#sessions.get(accountId) ?? [])];
    this.#grants.delete(accountId);
    this.#sessions.delete(accountId);
    await Promise.all(
      grantIds.map(async (grantId) => {
        await Promise.all([AccessToken, AuthorizationCode, DeviceCode, RefreshToken].map((model) => model.revokeByGrantId(grantId)));
        await Grant.adapter.destroy(grantId);
      }),
    );
    await Promise.all(sessionUids.map(async (uid) => (await Session.findByUid(uid))?.destroy()));
  }
}

function add(index: Map<string, Set<string>>, accountId: string | undefined, id: string | undefined) {
  if (!accountId || !id) return;
  let ids = index.get(accountId);
  if (!ids) index.set(accountId, (ids = new Set()));
  ids.add(id);
}

function remove(index: Map<string, Set<string>>, accountId: string | undefined, id: string | undefined) {
  if (!accountId || !id) return;
  index.get(accountId)?.delete(id);
}
