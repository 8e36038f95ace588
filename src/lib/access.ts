/**
 * Who may call a function: the requirement a function declares in
 * `defineFunction`, and the check the registry makes before its handler runs.
 *
 * - `'anonymous'` (the default): anyone; the handler gets no caller.
 * - `'signed-in'`: a session cookie or a bearer token for this API.
 * - `{ roles, scopes }`: signed in, and holding at least one of `roles`
 *   (Entra app roles, from the token's `roles` claim: assign them to users
 *   or groups, or grant them to apps, under the app registration's *App
 *   roles*) and at least one of `scopes` (from a bearer token's `scp`).
 *   Scopes are what a user delegated to a client app; a session cookie is
 *   this app's own sign-in, which no scope narrows, so `scopes` binds bearer
 *   callers only. A list left out asks nothing.
 *
 * Without a caller an API function answers 401 `not_signed_in`, a page
 * redirects to sign-in and back. A caller without the role answers 403
 * `missing_role`, without the scope 403 `insufficient_scope`.
 *
 * @example
 * ```ts
 * defineFunction({ name: 'orders', route: 'orders', methods: ['GET'], audience: 'api', auth: { roles: ['Orders.Read'] }, handler });
 * ```
 */
import type { Caller } from './current-user';
import { AppError } from './errors';

export type AuthRequirement = 'anonymous' | 'signed-in' | { roles?: readonly string[]; scopes?: readonly string[] };

/** The claims of either kind of caller: the ID token's for a session, the access token's for a bearer. */
export function callerClaims(caller: Caller): Record<string, unknown> {
  return caller.kind === 'session' ? caller.session.claims : caller.claims;
}

/** Entra puts app roles in `roles`, an array of strings; anything else holds none. */
export function rolesOf(caller: Caller): string[] {
  const roles = callerClaims(caller).roles;
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}

/** Throws 403 when the caller lacks what the requirement names. */
export function checkRequirement(caller: Caller, requirement: AuthRequirement): void {
  if (typeof requirement === 'string') return;
  const { roles = [], scopes = [] } = requirement;
  if (roles.length > 0 && !rolesOf(caller).some((role) => roles.includes(role))) {
    throw new AppError('missing_role', {
      detail: `This needs the app role ${roles.map((role) => `"${role}"`).join(' or ')}, which you do not have. Ask an administrator to assign it.`,
      // RFC 6750: a token that is valid but grants too little.
      ...(caller.kind === 'bearer' ? { wwwAuthenticate: 'Bearer error="insufficient_scope"' } : {}),
    });
  }
  if (scopes.length > 0 && caller.kind === 'bearer') {
    const granted = typeof caller.claims.scp === 'string' ? caller.claims.scp.split(' ') : [];
    if (!granted.some((scope) => scopes.includes(scope))) {
      throw new AppError('insufficient_scope', {
        detail: `The access token does not grant the ${scopes.map((scope) => `"${scope}"`).join(' or ')} scope this API requires.`,
        wwwAuthenticate: `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"`,
      });
    }
  }
}
