/**
 * A stand-in for Microsoft Graph's `GET /v1.0/me`: validates the access token as a resource
 * server does (RS256 signature with the provider's key, issuer, audience = Graph's app id,
 * expiry, `scp` containing `User.Read`) and answers with Graph-shaped JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { GRAPH_APP_ID } from './configuration';
import { sendJson } from './http';
import type { UserStore } from './users';

/** The application permissions of Microsoft Graph that this stand-in serves. */
export const GRAPH_APPLICATION_PERMISSIONS: readonly string[] = Object.freeze(['User.RevokeSessions.All']);

export function createGraphMeHandler(deps: {
  jose: typeof import('jose');
  publicKey: KeyObject;
  issuer: string;
  /** `https://localhost:PORT/<tenantId>` */
  baseUrl: string;
  users: UserStore;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { jose, publicKey, issuer, users } = deps;
  return async function handleGraphMe(req: IncomingMessage, res: ServerResponse) {
    const graphError = (status: number, code: string, message: string) => {
      res.setHeader('www-authenticate', `Bearer error="${status === 401 ? 'invalid_token' : 'insufficient_scope'}"`);
      sendJson(res, status, { error: { code, message } });
    };
    if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', 'Only GET is supported.');
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jose.jwtVerify(token, publicKey, { issuer, audience: GRAPH_APP_ID, algorithms: ['RS256'] }));
    } catch (error) {
      return graphError(401, 'InvalidAuthenticationToken', `Access token validation failure: ${(error as Error).message}`);
    }
    const scopes = String(payload.scp ?? '').split(' ');
    if (!scopes.includes('User.Read')) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const user = users.findById(String(payload.oid));
    if (!user) return graphError(404, 'Request_ResourceNotFound', 'The user no longer exists.');
    sendJson(res, 200, {
      '@odata.context': `${deps.baseUrl}/graph/v1.0/$metadata#users/$entity`,
      id: user.oid,
      displayName: user.displayName,
      mail: user.email,
      userPrincipalName: `${user.oid}@localprovider.onmicrosoft.com`,
    });
  };
}
