/** Starts an Express baseline (`express-app.ts`) in a child process, registered with the second provider. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { forkReady } from '../lib/processes';
import type { SecondProvider } from '../lib/second-provider';
import type { SignInTarget } from '../lib/sign-in';

export type BaselineVariant = 'cookie' | 'cosmos';

/** Paths that express-openid-connect uses by default. */
export const EXPRESS_PATHS = { redirectPath: '/callback', logoutPath: '/' };

export interface RunningApp {
  target: SignInTarget;
  /** The process that serves the app: its CPU time is the app's. */
  pid: number;
  stop(): Promise<void>;
}

export async function startExpressBaseline(
  variant: BaselineVariant,
  name: string,
  idp: SecondProvider,
  cosmos: { endpoint: string; key: string },
): Promise<RunningApp> {
  const { port, client } = idp.apps[variant]!;
  const running = await forkReady<{ port: number }>(
    join(__dirname, 'express-app.ts'),
    {
      ...process.env,
      NODE_EXTRA_CA_CERTS: idp.provider.caCertPath,
      PORT: String(port),
      ISSUER: idp.provider.issuer,
      CLIENT_ID: client.clientId,
      CLIENT_SECRET: client.clientSecret ?? '',
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      BASELINE_SESSION: variant,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: 'baseline',
    },
    (line) => process.stderr.write(`  [baseline ${variant}] ${line}\n`),
  );
  const origin = `http://localhost:${running.ready.port}`;
  return {
    target: {
      name,
      loginUrl: `${origin}/login`,
      callbackUrl: `${origin}/callback`,
      sessionCookie: 'appSession',
      claimsUrl: `${origin}/claims`,
      ca: idp.provider.caCert,
    },
    pid: running.child.pid!,
    stop: running.stop,
  };
}
