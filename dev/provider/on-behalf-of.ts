/**
 * The on-behalf-of grant, as Entra runs it: a confidential client (the web app's API) trades an
 * access token a user's client obtained for it (the assertion) for an access token of the same
 * user to another API (the Graph stand-in). msal-node's `acquireTokenOnBehalfOf` sends:
 *
 * ```
 * POST /<tenant>/oauth2/v2.0/token
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&requested_token_use=on_behalf_of
 * &assertion=<access token>&scope=User.Read openid profile offline_access
 * &client_id=<web app>&client_secret=<secret>
 * ```
 *
 * Checked as Entra checks them, with its error codes in `error_description`:
 *
 * | what | answer |
 * | --- | --- |
 * | a public client (no secret) | `invalid_client` AADSTS7000218 (401) |
 * | `requested_token_use` or `assertion` missing or wrong | `invalid_request` AADSTS900144 |
 * | an assertion not signed by this tenant's key, or another issuer's | `invalid_grant` AADSTS50013 |
 * | an expired assertion | `invalid_grant` AADSTS500133 |
 * | an assertion for another audience than the calling client (`<clientId>` or `api://<clientId>`) | `invalid_grant` AADSTS500131 |
 * | an app-only assertion (no `scp`), or a user that no longer exists | `invalid_grant` |
 * | no API scope, or scopes of two APIs | `invalid_scope` AADSTS70011 / AADSTS28000 |
 *
 * The answer is an access token for the requested API (`token_type`, `scope`, `expires_in`,
 * `ext_expires_in`, `client_info`). Differences from Entra: no refresh token (Entra sends one
 * when `offline_access` is asked; msal-node does not use it for on-behalf-of), and no
 * `error_codes` array in errors. Every registered client counts as consented to every API, as
 * elsewhere in this provider.
 */
import type { KeyObject } from 'node:crypto';
import type * as Oidc from 'oidc-provider';
import type { OidcModule, tenantApis } from './configuration';
import type { UserStore } from './users';

/** RFC 7523's grant type; Entra tells on-behalf-of apart by `requested_token_use`. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export interface OnBehalfOfDeps {
  oidc: OidcModule;
  jose: typeof import('jose');
  /** The provider's signing key: every access token it issued verifies with it. */
  publicKey: KeyObject;
  issuer: string;
  users: UserStore;
  apis: ReturnType<typeof tenantApis>;
}

export function registerOnBehalfOf(provider: Oidc.Provider, deps: OnBehalfOfDeps): void {
  const { oidc, jose, publicKey, issuer, users, apis } = deps;
  const refuse = (error: string, description: string, status = 400) =>
    Object.assign(new oidc.errors.CustomOIDCProviderError(error, description), { status, statusCode: status });

  provider.registerGrantType<{ assertion?: string; requested_token_use?: string }>(
    JWT_BEARER_GRANT,
    async (ctx) => {
      const { client, params } = ctx.oidc;
      if (client.clientAuthMethod === 'none') {
        throw refuse('invalid_client', "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", 401);
      }
      if (params.requested_token_use !== 'on_behalf_of') {
        throw refuse('invalid_request', "AADSTS900144: The request body must contain the following parameter: 'requested_token_use' (on_behalf_of).");
      }
      if (!params.assertion) throw refuse('invalid_request', "AADSTS900144: The request body must contain the following parameter: 'assertion'.");

      let claims: Record<string, unknown>;
      try {
        ({ payload: claims } = await jose.jwtVerify(params.assertion, publicKey, { issuer, algorithms: ['RS256'] }));
      } catch (error) {
        if (error instanceof jose.errors.JWTExpired) throw refuse('invalid_grant', 'AADSTS500133: Assertion is not within its valid time range.');
        throw refuse('invalid_grant', 'AADSTS50013: Assertion failed signature validation.');
      }
      if (claims.aud !== client.clientId && claims.aud !== `api://${client.clientId}`) {
        throw refuse('invalid_grant', 'AADSTS500131: Assertion audience does not match the Client app presenting the assertion.');
      }
      if (typeof claims.scp !== 'string') throw refuse('invalid_grant', 'The assertion is not a delegated (user) access token.');
      const user = users.findById(String(claims.oid));
      if (!user) throw refuse('invalid_grant', 'AADSTS50034: The user account does not exist in the directory.');

      const asked = String(params.scope ?? '')
        .split(' ')
        .filter((scope) => scope && !OIDC_SCOPES.has(scope));
      const resource = apis.requestedResource(asked.join(' '));
      if (!resource) throw refuse('invalid_scope', "AADSTS70011: The provided value for the input parameter 'scope' is not valid.");
      const resourceServer = new provider.ResourceServer(resource, apis.resourceServer(resource));
      const scope = asked.filter((name) => resourceServer.scopes.has(name)).join(' ');
      if (!scope) throw refuse('invalid_scope', "AADSTS70011: The provided value for the input parameter 'scope' is not valid.");

      // The (admin) consent this exchange rests on, as every grant of this provider.
      const grant = new provider.Grant({ accountId: user.oid, clientId: client.clientId });
      grant.addResourceScope(resource, scope);
      const token = new provider.AccessToken({ accountId: user.oid, client, grantId: await grant.save(), gty: 'on_behalf_of', scope, resourceServer });
      ctx.oidc.entity('Account', { accountId: user.oid } as Oidc.Account);
      ctx.oidc.entity('AccessToken', token);
      ctx.body = { access_token: await token.save(), token_type: 'Bearer', expires_in: token.expiration, scope };
    },
    ['assertion', 'requested_token_use', 'scope'],
  );
}
