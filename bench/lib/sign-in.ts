/**
 * One complete browser sign-in, scripted over HTTP (no browser): the app's
 * login endpoint, the local provider's sign-in form (the test helpers'
 * drivers), then the app's callback, which must set the session cookie.
 *
 * The same steps serve our app and the Express baselines, so the figures
 * differ only by the app. Time spent in the app (its login and callback
 * requests) is reported apart from the total, which is mostly the provider.
 */
import { HttpFormDriver } from '../../dev/http-form-driver';
import { signInAtProvider, type Credentials } from '../../dev/local-provider-flows';

export interface SignInTarget {
  name: string;
  /** GET here starts sign-in: a 302 to the provider. */
  loginUrl: string;
  /** The redirect URI: the provider sends the browser back here with the code. */
  callbackUrl: string;
  /** Name of the session cookie the callback sets (express-openid-connect may split it into `name.0`, `name.1`, …). */
  sessionCookie: string;
  /** A URL of the app whose Cookie header is the signed-in user's (for the load tests). */
  claimsUrl: string;
  /** The provider's certificate. */
  ca: string;
}

export interface SignedIn {
  /** The Cookie header a browser would send to `claimsUrl` now. */
  cookie: string;
  totalMs: number;
  /** The app's own requests: login (start) and callback (complete). The callback includes the app's token request to the provider. */
  loginMs: number;
  callbackMs: number;
}

export interface SignInHooks {
  /** Runs just before the callback request (the one that writes the session): to snapshot Cosmos counts. */
  beforeCallback?: () => Promise<void>;
  afterCallback?: () => Promise<void>;
}

export async function signIn(target: SignInTarget, user: Credentials, hooks: SignInHooks = {}): Promise<SignedIn> {
  const browser = new HttpFormDriver({ ca: target.ca });
  const started = performance.now();

  const login = await browser.request(target.loginUrl);
  const loginMs = performance.now() - started;
  const location = login.headers.location;
  if (login.status !== 302 || !location) throw new Error(`${target.name}: login answered ${login.status}, not a redirect:\n${login.body.slice(0, 500)}`);

  const back = await signInAtProvider(browser, new URL(location, target.loginUrl).href, user, target.callbackUrl);

  await hooks.beforeCallback?.();
  const callbackStarted = performance.now();
  const done = await browser.request(back);
  const callbackMs = performance.now() - callbackStarted;
  await hooks.afterCallback?.();

  const names = browser.jar.names(target.claimsUrl);
  const hasSession = names.some((name) => name === target.sessionCookie || name.startsWith(`${target.sessionCookie}.`));
  if (done.status !== 302 || !hasSession) {
    throw new Error(`${target.name}: the callback answered ${done.status} without a session cookie (cookies: ${names.join(', ')}):\n${done.body.slice(0, 500)}`);
  }
  return { cookie: browser.jar.header(target.claimsUrl) ?? '', totalMs: performance.now() - started, loginMs, callbackMs };
}
