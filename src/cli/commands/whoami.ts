/**
 * `fnauth whoami`: who is signed in, from the token cache. Gets an access
 * token silently (refreshing it when needed), so it also proves the sign-in
 * still works; it never starts a new sign-in.
 */
import { describeAccount, openClient, silentToken } from '../client';
import { EXIT, type ExitCode } from '../errors';
import { writeLine } from '../io';
import { warner, type CommandContext } from './context';

export async function whoami({ settings, io }: CommandContext): Promise<ExitCode> {
  const client = await openClient(settings, { online: true, warn: warner(io) });
  const result = await silentToken(client, settings.scope);
  writeLine(io.stdout, `Signed in as ${describeAccount(result.account)}.`);
  writeLine(io.stdout, `Tenant: ${result.tenantId || result.account?.tenantId || 'unknown'} (${client.environment})`);
  if (result.expiresOn) writeLine(io.stdout, `Access token for ${settings.scope} valid until ${result.expiresOn.toISOString()}.`);
  writeLine(io.stdout, 'ID token claims:');
  writeLine(io.stdout, JSON.stringify(result.idTokenClaims, null, 2));
  return EXIT.ok;
}
