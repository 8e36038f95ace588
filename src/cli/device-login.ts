/**
 * The device code sign-in as a person sees it: where to go, the code to type,
 * a QR code of the page (on a colour terminal), the time left, and every way it can
 * end (see `fromMsalError` for the endings and their exit codes).
 *
 * MSAL does the protocol: it asks the tenant's `/devicecode` endpoint (the
 * token endpoint with `/token` replaced), calls back once with the code, then
 * polls the token endpoint every `interval` seconds while the answer is
 * `authorization_pending`. It checks `request.cancel` before each poll, so
 * Ctrl-C takes effect within one interval.
 *
 * The page shown is the `verification_uri` the tenant returned, never MSAL's
 * `message` text. External ID tenants have answered with the generic
 * https://microsoft.com/devicelogin, which refuses their customer accounts
 * (AADSTS500208); for a `*.ciamlogin.com` authority that page is replaced by
 * the tenant's own `https://<tenant>.ciamlogin.com/common/oauth2/deviceauth`.
 *
 * @example
 * ```ts
 * const result = await deviceCodeLogin(pca, { scope, authority, prompt: io.stderr, color, signal: io.signal, network });
 * ```
 */
import type { AuthenticationResult, DeviceCodeRequest, PublicClientApplication } from '@azure/msal-node';
import { CliError, EXIT, fromMsalError, refused } from './errors';
import { printable, writeLine, type Output } from './io';
import type { NetworkClient } from './network';
import { renderQr } from './qr';

export interface DeviceLoginOptions {
  scope: string;
  /** The normalized authority: decides whether the generic Microsoft page must be replaced. */
  authority: string;
  /** Where the page, the code, the time left and the QR code go: stderr, never the result's stream. */
  prompt: Output;
  /** Whether `prompt` may be coloured; the QR code is drawn only then. */
  color: boolean;
  signal?: AbortSignal;
  network: NetworkClient;
  /** Milliseconds between updates of the time left: 1 s on a terminal, 1 min otherwise. */
  tickMs?: { tty: number; plain: number };
}

/** Entra's generic device login pages (and their aliases). */
const GENERIC_PAGES = new Set([
  'microsoft.com/devicelogin',
  'www.microsoft.com/devicelogin',
  'aka.ms/devicelogin',
  'login.microsoft.com/device',
  'login.microsoftonline.com/common/oauth2/deviceauth',
]);

export async function deviceCodeLogin(pca: PublicClientApplication, options: DeviceLoginOptions): Promise<AuthenticationResult> {
  const { prompt: out, signal, network } = options;
  if (signal?.aborted) throw new CliError(EXIT.cancelled, 'Sign-in cancelled.');
  let countdown: Countdown | undefined;
  const request: DeviceCodeRequest = {
    scopes: [options.scope],
    deviceCodeCallback: (response) => {
      // MSAL calls back even when the tenant refused to issue a code: every field is then undefined.
      if (!response.userCode || !response.deviceCode || !response.verificationUri || !(response.expiresIn > 0)) {
        const provider = network.lastProviderError();
        throw refused(provider?.error ?? 'no_device_code', provider);
      }
      const page = verificationPage(response.verificationUri, options.authority);
      showCode(out, page, printable(response.userCode), options.color);
      countdown = new Countdown(out, Date.now() + response.expiresIn * 1000, options.tickMs);
      if (request.cancel) countdown.cancelling();
    },
  };
  const cancel = () => {
    request.cancel = true;
    countdown?.cancelling();
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const result = await pca.acquireTokenByDeviceCode(request);
    if (!result) throw new CliError(EXIT.failure, 'The sign-in ended without a result. Please try again.');
    return result;
  } catch (error) {
    throw fromMsalError(error, network);
  } finally {
    signal?.removeEventListener('abort', cancel);
    countdown?.stop();
  }
}

/** The page to show: the tenant's own, never the generic one for an External ID tenant. */
export function verificationPage(verificationUri: string, authority: string): string {
  if (!URL.canParse(verificationUri) || !/^https?:$/.test(new URL(verificationUri).protocol)) {
    throw new CliError(EXIT.refused, 'The sign-in service returned an unusable sign-in page address. Please try again later.');
  }
  const page = new URL(verificationUri);
  const authorityHost = new URL(authority).host;
  const generic = GENERIC_PAGES.has(`${page.host}${page.pathname}`.replace(/\/$/, '').toLowerCase());
  if (generic && /\.ciamlogin\.com$/i.test(authorityHost)) return `https://${authorityHost}/common/oauth2/deviceauth`;
  return printable(page.href);
}

function showCode(out: Output, page: string, userCode: string, color: boolean): void {
  writeLine(out, 'To sign in, open this page in a browser on any device:');
  writeLine(out);
  writeLine(out, `    ${page}`);
  writeLine(out);
  writeLine(out, 'and enter the code:');
  writeLine(out);
  writeLine(out, `    ${userCode}`);
  writeLine(out);
  // Drawn in explicit colours to scan on any theme: without colour it would not scan reliably, so it is left out.
  if (color) {
    writeLine(out, 'Or scan this QR code with a phone to open the page:');
    writeLine(out);
    out.write(renderQr(page));
    writeLine(out);
  }
}

/**
 * The time left until the code expires: one line rewritten every second on a
 * terminal; on anything else (a log, a pipe) a plain line now and then.
 */
class Countdown {
  private readonly timer: NodeJS.Timeout;
  private state: 'waiting' | 'cancelling' | 'stopped' = 'waiting';

  constructor(
    private readonly out: Output,
    private readonly expiresAt: number,
    tickMs: { tty: number; plain: number } = { tty: 1000, plain: 60_000 },
  ) {
    if (out.isTTY) {
      this.render();
      this.timer = setInterval(() => this.render(), tickMs.tty);
    } else {
      writeLine(out, `Waiting for you to sign in. The code expires in ${describe(this.secondsLeft())}; press Ctrl-C to cancel.`);
      this.timer = setInterval(() => this.plainLine(), tickMs.plain);
    }
    this.timer.unref();
  }

  cancelling(): void {
    if (this.state !== 'waiting') return;
    this.state = 'cancelling';
    clearInterval(this.timer);
    if (this.out.isTTY) this.out.write('\r\u001b[2K');
    writeLine(this.out, 'Cancelling… (press Ctrl-C again to quit at once)');
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.state === 'waiting' && this.out.isTTY) this.out.write('\r\u001b[2K');
    this.state = 'stopped';
  }

  private secondsLeft(): number {
    return Math.max(0, Math.round((this.expiresAt - Date.now()) / 1000));
  }

  private render(): void {
    const left = this.secondsLeft();
    const clock = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
    this.out.write(`\r\u001b[2KWaiting for you to sign in… ${clock} left (Ctrl-C to cancel)`);
  }

  private plainLine(): void {
    const left = this.secondsLeft();
    writeLine(this.out, left > 0 ? `Still waiting for you to sign in: ${describe(left)} left.` : 'The code has expired.');
  }
}

function describe(seconds: number): string {
  if (seconds >= 90) return `${Math.round(seconds / 60)} minutes`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
