/**
 * App roles as Entra hands them out: an app's API defines roles; users are assigned roles
 * (Enterprise applications → Users and groups) and get them as `roles` in the ID tokens of that
 * app and in their tokens for its API; other apps are granted roles as application permissions
 * (admin consent) and get them as `roles` in app-only tokens (client credentials), which carry
 * no `scp`.
 *
 * @example
 * ```ts
 * const roles = new AppRoles(clients, tenantId);
 * roles.forUser(webClientId, oid);             // ['Sessions.RevokeAll'] for an assigned user
 * roles.appOnlyClaims(adminClientId, webClientId);
 * // { oid: '<service principal id>', sub: '<same>', roles: ['Sessions.RevokeAll'] }
 * ```
 */
import type { ProviderClient } from './configuration';
import { derivedServicePrincipalId } from './ids';

export class AppRoles {
  readonly #clients: ReadonlyMap<string, ProviderClient>;
  readonly #tenantId: string;

  constructor(clients: readonly ProviderClient[], tenantId: string) {
    this.#clients = new Map(clients.map((client) => [client.clientId, client]));
    this.#tenantId = tenantId;
  }

  /** The roles of `resourceAppId`'s API assigned to the user `oid` (empty when none). */
  forUser(resourceAppId: string, oid: string): string[] {
    return [...(this.#clients.get(resourceAppId)?.userRoles?.[oid] ?? [])];
  }

  /** The object id of `clientId`'s service principal. */
  servicePrincipalId(clientId: string): string {
    return this.#clients.get(clientId)?.servicePrincipalId ?? derivedServicePrincipalId(this.#tenantId, clientId);
  }

  /**
   * What an app-only token of `clientId` for `resourceAppId` says about the caller: the service
   * principal as `oid` and `sub`, and the granted roles. An app granted nothing still gets a token,
   * without `roles`, as from Entra: the API must check the role.
   */
  appOnlyClaims(clientId: string, resourceAppId: string): { oid: string; sub: string; roles?: string[] } {
    const servicePrincipal = this.servicePrincipalId(clientId);
    const roles = this.#clients.get(clientId)?.applicationPermissions?.[resourceAppId] ?? [];
    return { oid: servicePrincipal, sub: servicePrincipal, ...(roles.length > 0 ? { roles: [...roles] } : {}) };
  }
}

/**
 * What is wrong with the clients' roles, one sentence each, worded as setup mistakes.
 * `otherApis` are the roles of APIs that are not registered clients (Microsoft Graph), by app id.
 */
export function appRoleProblems(clients: readonly ProviderClient[], otherApis: Readonly<Record<string, readonly string[]>> = {}): string[] {
  const byId = new Map(clients.map((client) => [client.clientId, client]));
  const problems: string[] = [];
  for (const client of clients) {
    const defined = new Set(client.appRoles ?? []);
    for (const [oid, roles] of Object.entries(client.userRoles ?? {})) {
      for (const role of roles) {
        if (!defined.has(role)) problems.push(`Client ${client.clientId} assigns the role ${role} to user ${oid}, but its appRoles do not define it.`);
      }
    }
    for (const [resource, roles] of Object.entries(client.applicationPermissions ?? {})) {
      const offered = otherApis[resource] ?? byId.get(resource)?.appRoles;
      if (!offered) {
        problems.push(`Client ${client.clientId} has application permissions on ${resource}, which is no API of this tenant.`);
        continue;
      }
      for (const role of roles) {
        if (!offered.includes(role)) problems.push(`Client ${client.clientId} is granted ${role} on ${resource}, which does not define that role.`);
      }
    }
  }
  return problems;
}
