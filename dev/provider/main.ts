/**
 * Starts the local OpenID provider on its own: `npx tsx dev/provider/main.ts`.
 *
 * Environment (all optional):
 * - LOCAL_IDP_PORT: port to listen on (default 8443, as `npm run dev`; 0 = any free port).
 * - LOCAL_IDP_DATA_DIR: where the certificate, signing key and signed-up users live (default `.dev/local-idp`).
 * - LOCAL_IDP_ACCESS_TOKEN_TTL: access token lifetime in seconds (default 3600).
 *
 * Prints the settings an app uses against it, the demo users, and keeps running until Ctrl+C.
 */
import { resolve } from 'node:path';
import { DEMO_USERS, DEV_ADMIN_CLIENT, DEV_DEVICE_CLIENT, DEV_WEB_CLIENT, startProvider } from './index';

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, not "${raw}".`);
  return value;
}

async function main() {
  const idp = await startProvider({
    port: numberFromEnv('LOCAL_IDP_PORT', 8443),
    dataDir: resolve(process.env.LOCAL_IDP_DATA_DIR?.trim() || '.dev/local-idp'),
    clients: [{ ...DEV_WEB_CLIENT }, { ...DEV_DEVICE_CLIENT }, { ...DEV_ADMIN_CLIENT }],
    accessTokenTtlSeconds: numberFromEnv('LOCAL_IDP_ACCESS_TOKEN_TTL', 3600),
    persistUsers: true,
  });

  const settings = {
    AUTHORITY: idp.authority,
    CLIENT_ID: DEV_WEB_CLIENT.clientId,
    CLIENT_SECRET: DEV_WEB_CLIENT.clientSecret,
    REDIRECT_URI: DEV_WEB_CLIENT.redirectUris[0],
    POST_LOGOUT_REDIRECT_URI: DEV_WEB_CLIENT.postLogoutRedirectUris[0],
    DOWNSTREAM_API_URL: idp.downstreamApiUrl,
    DOWNSTREAM_API_SCOPES: idp.downstreamApiScopes.join(' '),
  };
  const lines = [
    `Local OpenID provider (Entra External ID look-alike, development only) at ${idp.origin}`,
    '',
    `  issuer        ${idp.issuer}`,
    `  discovery     ${idp.discoveryUrl}`,
    `  trust its certificate: NODE_EXTRA_CA_CERTS=${idp.caCertPath}`,
    '',
    'App settings ("Values" of local.settings.json); AUTHORITY_METADATA may also be set to the discovery document:',
    ...Object.entries(settings).map(([key, value]) => `  ${key}=${value}`),
    '',
    `Device code client: ${DEV_DEVICE_CLIENT.clientId} (public), scope ${idp.apiScope(DEV_WEB_CLIENT.clientId)}`,
    `Admin daemon (client credentials): ${DEV_ADMIN_CLIENT.clientId} / ${DEV_ADMIN_CLIENT.clientSecret}, scope api://${DEV_WEB_CLIENT.clientId}/.default`,
    '',
    'Demo users:',
    ...DEMO_USERS.map((user) => `  ${user.email} / ${user.password}  (${user.displayName})`),
    '  ...or "No account? Create one" on the sign-in page.',
    '',
    'Ctrl+C stops it.',
  ];
  console.log(lines.join('\n'));

  const stop = () => {
    idp.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
