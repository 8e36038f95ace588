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
import { createHash } from 'node:crypto';

export function sessionSid(sessionUid: string): string {
  const hex = createHash('sha256').update(`sid\n${sessionUid}`).digest('hex');
  // Shaped as a version 4 GUID, as Entra's session ids are.
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
