/**
 * `fnauth logout`: removes this tenant's accounts and their tokens from the
 * cache file, and the file itself once nothing is left in it. Works offline.
 *
 * It signs out of this device only: Entra has no sign-out call for public
 * clients, so refresh tokens already issued stay valid until they expire or
 * an administrator revokes the user's sessions.
 */
import { existsSync } from 'node:fs';
import { cachedAccounts, describeAccount, openClient } from '../client';
import { EXIT, type ExitCode } from '../errors';
import { writeLine } from '../io';
import { warner, type CommandContext } from './context';

export async function logout({ settings, io }: CommandContext): Promise<ExitCode> {
  const client = await openClient(settings, { online: false, warn: warner(io) });
  const accounts = await cachedAccounts(client);
  if (accounts.length === 0) {
    writeLine(io.stdout, `No one is signed in to ${client.environment} on this device.`);
    return EXIT.ok;
  }
  for (const account of accounts) {
    await client.pca.getTokenCache().removeAccount(account);
    writeLine(io.stdout, `Signed out ${describeAccount(account)}.`);
  }
  if (!existsSync(settings.cacheFile)) writeLine(io.stdout, `Removed the token cache ${settings.cacheFile}.`);
  return EXIT.ok;
}
