import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { verificationPage } from '../../src/cli/device-login';
import { EXIT } from '../../src/cli/run';
import { DEFAULT_USERS } from '../helpers/fake-entra';
import { lastLine, printedUserCode, useCli } from './harness';

const cli = useCli();
const devicecodeCalls = () => cli.entra.requests.filter((line) => line.endsWith('/oauth2/v2.0/devicecode')).length;
const tokenCalls = () => cli.entra.requests.filter((line) => line.endsWith('/oauth2/v2.0/token')).length;

describe('fnauth login (device code flow)', () => {
  it('polls through authorization_pending; the page and the code go to stderr, the claims to stdout', async () => {
    cli.entra.deviceUser = { pendingPolls: 3, outcome: 'approve', user: DEFAULT_USERS[1] };
    const { code, stdout, stderr } = await cli.run(['login']);

    expect(code).toBe(EXIT.ok);
    expect(devicecodeCalls()).toBe(1);
    expect(cli.entra.devicePolls.at(-1)).toBe(4); // three pending answers, then the tokens
    // The tenant answered with the generic page, which External ID accounts cannot use: the tenant's own is shown.
    expect(stderr).toContain('    https://contoso.ciamlogin.com/common/oauth2/deviceauth\n');
    expect(stderr).not.toContain('microsoft.com/devicelogin');
    expect(printedUserCode(stderr)).toMatch(/^[A-Z2-9]{9}$/);
    expect(stderr).toContain('Waiting for you to sign in. The code expires in 15 minutes');
    expect(stderr).not.toContain('\u001b['); // no QR code and no cursor moves when stderr is not a terminal
    // stdout holds the result alone, so `fnauth login > out` keeps the code on the screen.
    expect(stdout).not.toContain(printedUserCode(stderr));
    expect(stdout.split('\n')[0]).toBe('Signed in as Bob Example (bob@example.com).');
    expect(stdout.split('\n')[1]).toBe('ID token claims:');
    const claims = JSON.parse(stdout.split('\n').slice(2).join('\n')) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: cli.entra.publicClientId, oid: DEFAULT_USERS[1]!.oid, tid: cli.entra.tenantId, email: 'bob@example.com' });
  });

  it('asks for the API scope (MSAL adds openid, profile and offline_access) as a public client without a secret', async () => {
    const forms: URLSearchParams[] = [];
    cli.msw.events.on('request:start', async ({ request }) => {
      if (request.method === 'POST') forms.push(new URLSearchParams(await request.clone().text()));
    });
    try {
      expect((await cli.run(['login'])).code).toBe(EXIT.ok);
    } finally {
      cli.msw.events.removeAllListeners('request:start');
    }
    const [device, ...polls] = forms;
    expect(device!.get('scope')!.split(' ').sort()).toEqual([cli.entra.apiScope, 'offline_access', 'openid', 'profile'].sort());
    expect(device!.get('client_id')).toBe(cli.entra.publicClientId);
    expect(polls.map((form) => form.get('grant_type'))).toEqual(['device_code', 'device_code', 'device_code']);
    expect(forms.some((form) => form.has('client_secret'))).toBe(false);
  });

  it('shows the verification URI the tenant returns when it is the tenant’s own', async () => {
    cli.entra.deviceVerificationUri = 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/oauth2/deviceauth';
    const { code, stderr } = await cli.run(['login']);
    expect(code).toBe(EXIT.ok);
    expect(stderr).toContain('    https://contoso.ciamlogin.com/contoso.onmicrosoft.com/oauth2/deviceauth\n');
  });

  it('draws a QR code of the page and a live countdown on stderr when it is a terminal', async () => {
    const { code, stdout, stderr } = await cli.run(['login'], { tty: true });
    expect(code).toBe(EXIT.ok);
    expect(stderr).toContain('Or scan this QR code with a phone to open the page:');
    expect(stderr).toContain('\u001b[30;107m'); // black on white, whatever the terminal's theme
    expect(stderr).toMatch(/\r\u001b\[2KWaiting for you to sign in… 1[45]:\d\d left \(Ctrl-C to cancel\)/);
    expect(stderr.endsWith('\r\u001b[2K')).toBe(true); // the countdown line is cleared before the result shows
    expect(stdout).not.toContain('\u001b[');
  });

  it('keeps the code, the QR code and the countdown on the terminal when stdout is redirected (login > file)', async () => {
    const { code, stdout, stderr } = await cli.run(['login'], { tty: { stdout: false, stderr: true } });
    expect(code).toBe(EXIT.ok);
    expect(printedUserCode(stderr)).toBeDefined();
    expect(stderr).toContain('\u001b[30;107m');
    expect(stdout).toMatch(/^Signed in as .*\nID token claims:\n\{/);
  });

  it('draws no QR code and no live countdown when stderr is not a terminal (2> log), even if stdout is', async () => {
    const { code, stderr } = await cli.run(['login'], { tty: { stdout: true, stderr: false } });
    expect(code).toBe(EXIT.ok);
    expect(printedUserCode(stderr)).toBeDefined();
    expect(stderr).not.toContain('QR code');
    expect(stderr).not.toContain('\u001b[');
    expect(stderr).toContain('Waiting for you to sign in. The code expires in 15 minutes');
  });

  it.each([
    ['NO_COLOR=1', { NO_COLOR: '1' }, []],
    ['TERM=dumb', { TERM: 'dumb' }, []],
    ['--no-color', {}, ['--no-color']],
  ])('uses no colour and draws no QR code with %s, on a terminal too', async (_name, env, flags) => {
    const { code, stderr } = await cli.run(['login', ...flags], { tty: true, env: { ...cli.env, ...env } });
    expect(code).toBe(EXIT.ok);
    expect(printedUserCode(stderr)).toBeDefined();
    expect(stderr).not.toContain('QR code');
    expect(stderr).not.toMatch(/\u001b\[[0-9;]*m/); // no colour (SGR) sequence
    expect(stderr).toMatch(/\r\u001b\[2KWaiting for you to sign in…/); // the countdown still updates in place: that is not colour
  });

  it('treats an empty NO_COLOR as unset, as no-color.org says', async () => {
    const { stderr } = await cli.run(['login'], { tty: true, env: { ...cli.env, NO_COLOR: '' } });
    expect(stderr).toContain('\u001b[30;107m');
  });

  it('ends with exit 4 when the tenant says the code expired (expired_token)', async () => {
    cli.entra.deviceUser = { pendingPolls: 1, outcome: 'expired_token' };
    const { code, stderr } = await cli.run(['login']);
    expect(code).toBe(EXIT.codeExpired);
    expect(lastLine(stderr)).toBe('The code expired before the sign-in was completed. Run `fnauth login` to get a new code.');
  });

  it('ends with exit 4 when the code runs out while MSAL is still polling (its own expiry check)', async () => {
    cli.entra.deviceCodeLifetime = 1;
    cli.entra.deviceCodeInterval = 0.2;
    // The tenant never says expired_token here: only MSAL's own clock can end the flow.
    cli.msw.use(
      http.post(cli.entra.metadata.token_endpoint, () =>
        HttpResponse.json({ error: 'authorization_pending', error_codes: [70016] }, { status: 400 }),
      ),
    );
    const started = Date.now();
    const { code, stderr } = await cli.run(['login']);
    expect(code).toBe(EXIT.codeExpired);
    expect(lastLine(stderr)).toBe('The code expired before the sign-in was completed. Run `fnauth login` to get a new code.');
    expect(Date.now() - started).toBeGreaterThanOrEqual(500); // MSAL's clock has whole seconds
  });

  it.each(['authorization_declined', 'access_denied'] as const)('ends with exit 5 when the user declines (%s)', async (outcome) => {
    cli.entra.deviceUser = { pendingPolls: 1, outcome };
    const { code, stderr } = await cli.run(['login']);
    expect(code).toBe(EXIT.declined);
    expect(lastLine(stderr)).toBe(`The sign-in was declined (${outcome}). Run \`fnauth login\` to try again.`);
    expect(tokenCalls()).toBe(2); // MSAL stops at the answer
  });

  it('ends with exit 6 on slow_down, which MSAL treats as fatal, and says to retry', async () => {
    cli.entra.deviceUser = { pendingPolls: 1, outcome: 'slow_down' };
    const { code, stderr } = await cli.run(['login']);
    expect(code).toBe(EXIT.slowDown);
    expect(stderr).toContain('asked this device to poll more slowly (slow_down)');
    expect(stderr).toContain('MSAL ends the sign-in on that answer');
    expect(stderr).toContain('Wait a minute, then run `fnauth login` again.');
    expect(tokenCalls()).toBe(2);
  });

  it('stops polling on Ctrl-C (request.cancel) and exits 130', async () => {
    cli.entra.deviceUser = { pendingPolls: 0, outcome: 'pending' };
    const controller = new AbortController();
    let pollsAtCancel = -1;
    const { code, stderr } = await cli.run(['login'], {
      signal: controller.signal,
      onStderr: (text) => {
        // Like a person reading the code, then pressing Ctrl-C after a few polls.
        if (printedUserCode(text) && !controller.signal.aborted) {
          setTimeout(() => {
            pollsAtCancel = cli.entra.devicePolls.at(-1)!;
            controller.abort();
          }, 100);
        }
      },
    });
    expect(code).toBe(EXIT.cancelled);
    expect(stderr).toContain('Cancelling… (press Ctrl-C again to quit at once)\n');
    expect(lastLine(stderr)).toBe('Sign-in cancelled.');
    expect(pollsAtCancel).toBeGreaterThan(0);
    // MSAL checks the flag before each poll: at most the poll already under way completes.
    expect(cli.entra.devicePolls.at(-1)).toBeLessThanOrEqual(pollsAtCancel + 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(cli.entra.devicePolls.at(-1)).toBeLessThanOrEqual(pollsAtCancel + 1);
  });

  it('exits 130 without asking for a code when Ctrl-C came first', async () => {
    const controller = new AbortController();
    controller.abort();
    const { code } = await cli.run(['login'], { signal: controller.signal });
    expect(code).toBe(EXIT.cancelled);
    expect(devicecodeCalls()).toBe(0);
  });

  it('exits 7 when the network is down, before or during the flow', async () => {
    cli.msw.use(http.get(`${cli.entra.base}/v2.0/.well-known/openid-configuration`, () => HttpResponse.error()));
    const discovery = await cli.run(['login']);
    expect(discovery.code).toBe(EXIT.network);
    expect(discovery.stderr).toContain('The sign-in service cannot be reached (https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration)');

    cli.msw.resetHandlers();
    cli.msw.use(http.post(cli.entra.metadata.device_authorization_endpoint, () => HttpResponse.error()));
    const device = await cli.run(['login']);
    expect(device.code).toBe(EXIT.network);
    expect(device.stderr).toBe('The sign-in service cannot be reached. Check your network connection, then try again.\n');

    cli.msw.resetHandlers();
    cli.msw.use(http.post(cli.entra.metadata.token_endpoint, () => HttpResponse.error()));
    const polling = await cli.run(['login']);
    expect(polling.code).toBe(EXIT.network);
    expect(printedUserCode(polling.stderr)).toBeDefined();
  });

  it('exits 9 and names the setting when the registration does not allow public client flows', async () => {
    const env = { ...cli.env, CLI_CLIENT_ID: cli.entra.clientId }; // the web app's registration, still confidential
    const { code, stderr } = await cli.run(['login'], { env });
    expect(code).toBe(EXIT.refused);
    expect(stderr).toContain('(invalid_client, AADSTS7000218)');
    expect(stderr).toContain('Allow public client flows = Yes');
  });

  it('works with the web app’s own registration once it allows public client flows', async () => {
    cli.entra.allowPublicClientFlows = true;
    const { code, stdout } = await cli.run(['login'], { env: { ...cli.env, CLI_CLIENT_ID: '', CLIENT_ID: cli.entra.clientId } });
    expect(code).toBe(EXIT.ok);
    expect(stdout).toContain(`"aud": "${cli.entra.clientId}"`);
  });

  it('exits 9 with the AADSTS code when the tenant issues no device code (unknown client id)', async () => {
    const { code, stdout, stderr } = await cli.run(['login'], { env: { ...cli.env, CLI_CLIENT_ID: '99999999-9999-4999-8999-999999999999' } });
    expect(code).toBe(EXIT.refused);
    expect(stderr).toContain('(unauthorized_client, AADSTS700016)');
    expect(stderr).toContain('Check --client-id');
    expect(stderr).not.toContain('99999999'); // the tenant's description is not echoed
    expect(stdout).toBe('');
    expect(tokenCalls()).toBe(0);
  });
});

describe('the page shown', () => {
  const ciam = 'https://contoso.ciamlogin.com/contoso.onmicrosoft.com/';
  it.each([
    ['https://microsoft.com/devicelogin', ciam, 'https://contoso.ciamlogin.com/common/oauth2/deviceauth'],
    ['https://login.microsoft.com/device', ciam, 'https://contoso.ciamlogin.com/common/oauth2/deviceauth'],
    ['https://contoso.ciamlogin.com/common/oauth2/deviceauth', ciam, 'https://contoso.ciamlogin.com/common/oauth2/deviceauth'],
    ['https://localhost:8443/t/oauth2/v2.0/deviceauth', 'https://localhost:8443/t/', 'https://localhost:8443/t/oauth2/v2.0/deviceauth'],
    // A workforce tenant: the generic page is the right one there.
    ['https://microsoft.com/devicelogin', 'https://login.microsoftonline.com/contoso.onmicrosoft.com/', 'https://microsoft.com/devicelogin'],
  ])('%s for %s is %s', (uri, authority, expected) => {
    expect(verificationPage(uri, authority)).toBe(expected);
  });

  it('refuses what is not a web address', () => {
    expect(() => verificationPage('javascript:alert(1)', ciam)).toThrow(/unusable sign-in page address/);
  });
});
