/**
 * A stand-in for two Microsoft Graph calls, each validating the access token as a resource server
 * does (RS256 signature with the provider's key, issuer, audience = Graph's app id, expiry) and
 * answering with Graph-shaped JSON and errors:
 *
 * - `GET /v1.0/me` needs `scp` with `User.Read` (a user's delegated token);
 * - `POST /v1.0/users/{id}/revokeSignInSessions` needs `roles` with `User.RevokeSessions.All`
 *   (an app-only token) and revokes the user's refresh tokens and provider sessions.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { GRAPH_APP_ID } from './configuration';
import { sendJson } from './http';
import type { SignInSessions } from './sign-in-sessions';
import type { UserStore } from './users';

/** The application permissions of Microsoft Graph that this stand-in serves. */
export const GRAPH_APPLICATION_PERMISSIONS: readonly string[] = Object.freeze(['User.RevokeSessions.All']);

interface GraphDeps {
  jose: typeof import('jose');
  publicKey: KeyObject;
  issuer: string;
  /** `https://localhost:PORT/<tenantId>` */
  baseUrl: string;
  users: UserStore;
}

function graphError(res: ServerResponse, status: number, code: string, message: string) {
  if (status === 401 || status === 403) {
    res.setHeader('www-authenticate', `Bearer error="${status === 401 ? 'invalid_token' : 'insufficient_scope'}"`);
  }
  sendJson(res, status, { error: { code, message } });
}

/** The verified claims of the request's Graph token, or undefined once a 401 has been sent. */
async function graphClaims(req: IncomingMessage, res: ServerResponse, deps: GraphDeps): Promise<Record<string, unknown> | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!token) {
    graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
    return undefined;
  }
  try {
    const { payload } = await deps.jose.jwtVerify(token, deps.publicKey, { issuer: deps.issuer, audience: GRAPH_APP_ID, algorithms: ['RS256'] });
    return payload;
  } catch (error) {
    graphError(res, 401, 'InvalidAuthenticationToken', `Access token validation failure: ${(error as Error).message}`);
    return undefined;
  }
}

export function createGraphMeHandler(deps: GraphDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { users } = deps;
  return async function handleGraphMe(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'GET') return graphError(res, 405, 'Request_BadRequest', 'Only GET is supported.');
    const claims = await graphClaims(req, res, deps);
    if (!claims) return;
    const scopes = String(claims.scp ?? '').split(' ');
    if (!scopes.includes('User.Read')) return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const user = users.findById(String(claims.oid));
    if (!user) return graphError(res, 404, 'Request_ResourceNotFound', 'The user no longer exists.');
    sendJson(res, 200, {
      '@odata.context': `${deps.baseUrl}/graph/v1.0/$metadata#users/$entity`,
      id: user.oid,
      displayName: user.displayName,
      mail: user.email,
      userPrincipalName: `${user.oid}@localprovider.onmicrosoft.com`,
    });
  };
}

/**
 * `POST /v1.0/users/{id}/revokeSignInSessions`: `{ "value": true }` once the user's refresh
 * tokens and provider sessions are gone. `{id}` is the user's object id (`oid`). Graph revokes
 * "with a delay of a few minutes"; this stand-in at once. Access tokens already issued stay
 * valid until they expire, in both.
 */
export function createRevokeSignInSessionsHandler(
  deps: GraphDeps & { signInSessions: SignInSessions },
): (req: IncomingMessage, res: ServerResponse, userId: string) => Promise<void> {
  const { users, signInSessions } = deps;
  return async function handleRevokeSignInSessions(req: IncomingMessage, res: ServerResponse, userId: string) {
    if (req.method !== 'POST') return graphError(res, 405, 'Request_BadRequest', 'Only POST is supported.');
    const claims = await graphClaims(req, res, deps);
    if (!claims) return;
    const roles = Array.isArray(claims.roles) ? claims.roles : [];
    if (!roles.includes('User.RevokeSessions.All')) {
      return graphError(res, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    const user = users.findById(userId);
    if (!user) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
    await signInSessions.revoke(user.oid);
    sendJson(res, 200, { '@odata.context': `${deps.baseUrl}/graph/v1.0/$metadata#Edm.Boolean`, value: true });
  };
}
