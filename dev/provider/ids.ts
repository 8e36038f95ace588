/**
 * The GUIDs the local provider makes up where Entra has ids of its own. Each is derived from
 * what it names, so it is stable for that thing and different for every other.
 */
import { createHash } from 'node:crypto';

/** A version-4-shaped GUID from the SHA-256 of `seed`. */
function guidFrom(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Entra's `sid` claim (the optional claim "sid"): the id of the user's session at the tenant,
 * one GUID for the whole browser session and the same in the ID tokens of every app signed in
 * through it. Front-channel logout hands it back to each app as `?sid=`.
 *
 * oidc-provider keeps a different `sid` per client and session; this one is derived from the
 * session's `uid`, which stays the same for the session's life (its cookie id rotates, the uid
 * does not) and is new for every session.
 *
 * @example
 * ```ts
 * sessionSid(session.uid); // '3f2b9c1e-8d4a-4e6f-a1b2-c3d4e5f60718'
 * ```
 */
export function sessionSid(sessionUid: string): string {
  return guidFrom(`sid\n${sessionUid}`);
}

/**
 * The object id of an app's service principal in a tenant: `oid` and `sub` of the app-only
 * tokens Entra issues to that app (client credentials). Not the client id, as in Entra.
 */
export function derivedServicePrincipalId(tenantId: string, clientId: string): string {
  return guidFrom(`service-principal\n${tenantId}\n${clientId}`);
}
