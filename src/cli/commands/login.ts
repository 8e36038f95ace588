/**
 * `fnauth login`: the device code flow, then the ID token claims, as the
 * External ID device-code sample prints them. One account per tenant: a new
 * sign-in replaces whoever was signed in before. The code and the time left
 * go to stderr; only the result (who signed in, the claims) goes to stdout.
 */
import { cachedAccounts, describeAccount, openClient } from '../client';
import { deviceCodeLogin } from '../device-login';
import { EXIT, type ExitCode } from '../errors';
import { writeLine } from '../io';
import { warner, type CommandContext } from './context';

export async function login({ settings, io, color }: CommandContext): Promise<ExitCode> {
  const client = await openClient(settings, { online: true, warn: warner(io) });
  await client.cachePlugin.checkWritable();
  const result = await deviceCodeLogin(client.pca, {
    scope: settings.scope,
    authority: settings.authority,
    prompt: io.stderr,
    color,
    signal: io.signal,
    network: client.network,
  });
  for (const account of await cachedAccounts(client)) {
    if (account.homeAccountId !== result.account?.homeAccountId) await client.pca.getTokenCache().removeAccount(account);
  }
  writeLine(io.stdout, `Signed in as ${describeAccount(result.account)}.`);
  writeLine(io.stdout, 'ID token claims:');
  writeLine(io.stdout, JSON.stringify(result.idTokenClaims, null, 2));
  return EXIT.ok;
}
