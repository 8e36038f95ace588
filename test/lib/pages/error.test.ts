import { beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, isSetupMistake, type ErrorCode } from '../../../src/lib/errors';
import { renderErrorPage, type ErrorPage } from '../../../src/lib/pages';
import { loadFunctions } from '../../helpers/functions';

beforeAll(loadFunctions); // the pages' links come from the route table

const frame = { appName: 'Contoso <Notes>' };
const render = (error: Partial<ErrorPage> & Pick<ErrorPage, 'code'>) => renderErrorPage(frame, { status: 400, detail: 'Something happened.', ...error });
const idOf = (page: string, id: string) => new RegExp(`id="${id}"`).test(page);

describe('the error page', () => {
  it('is a page of the app: its layout, its name escaped, a way home, and the code', () => {
    const page = render({ code: 'invalid_return_to', detail: 'The returnTo address is not allowed.' });
    expect(page).toContain('data-page="error"');
    expect(page).toContain('<title>This link does not work · Contoso &#60;Notes&#62;</title>');
    expect(page).toMatch(/<a id="back-home" class="button primary" href="\/api\/home">Back to home<\/a>/);
    expect(page).toContain('<p class="error-code" id="error-code">Error code: invalid_return_to</p>');
    expect(page).toContain('The returnTo address is not allowed.');
    expect(page).not.toMatch(/<script|style="/);
  });

  it('offers Sign in again where that is the way forward, with the login URL it was given', () => {
    expect(render({ code: 'transaction_expired' })).toMatch(/id="sign-in-again" class="button primary" href="\/api\/login\?returnTo=%2Fapi%2Fhome"/);
    expect(render({ code: 'not_signed_in', status: 401, loginUrl: 'http://localhost:7071/api/login' })).toContain('href="http://localhost:7071/api/login">Sign in again');
    for (const code of ['invalid_return_to', 'store_unavailable', 'misconfigured', 'internal_error'] as const) expect(idOf(render({ code, status: 503 }), 'sign-in-again')).toBe(false);
  });

  it('tells a signed-in user that a spent sign-in page leaves nothing to do, instead of asking to sign in', () => {
    const page = render({ code: 'transaction_reused', detail: 'This sign-in has already been completed. Please sign in again.', signedIn: { name: 'Alice <A>' } });
    expect(page).toContain('<h1 id="error-title">You are already signed in</h1>');
    expect(page).toContain('You are already signed in as <strong>Alice &#60;A&#62;</strong>.');
    expect(page).not.toContain('Please sign in again');
    expect(idOf(page, 'sign-in-again')).toBe(false);
    expect(page).toMatch(/<a id="back-home" class="button primary" href="\/api\/home">Continue<\/a>/);
    expect(page).toContain('<span class="header-user" id="header-user">Alice &#60;A&#62;</span>');
  });

  it('knows a signed-in user without a name in the token', () => {
    const page = render({ code: 'state_mismatch', signedIn: {} });
    expect(page).toContain('You are already signed in. This sign-in page was used before');
    expect(page).not.toContain('header-user');
  });

  it('says a signed-in user is still signed in after other errors', () => {
    const page = render({ code: 'access_denied', status: 401, detail: 'Sign-in was cancelled or not allowed.', signedIn: { name: 'Alice' } });
    expect(page).toContain('<h1 id="error-title">Sign-in was cancelled</h1>');
    expect(page).toContain('You are still signed in as <strong>Alice</strong>.');
  });

  it('keeps the lines of a settings message, each escaped', () => {
    const page = render({ code: 'misconfigured', status: 500, detail: 'The app cannot start:\n  - CLIENT_ID is <missing>.' });
    expect(page).toContain('<h1 id="error-title">Sign-in is not set up correctly</h1>');
    expect(page).toContain('The app cannot start:<br>  - CLIENT_ID is &#60;missing&#62;.');
  });

  it("reads as a setup mistake for exactly the catalogue's setup codes, never as 'try again'", () => {
    const setupHeading = '<h1 id="error-title">Sign-in is not set up correctly</h1>';
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const page = render({ code, status: ERRORS[code].status, detail: ERRORS[code].detail });
      expect(page.includes(setupHeading), code).toBe(isSetupMistake(code));
      if (isSetupMistake(code)) expect(page, code).not.toMatch(/try again/i);
    }
    expect((Object.keys(ERRORS) as ErrorCode[]).filter(isSetupMistake)).toEqual(
      expect.arrayContaining(['misconfigured', 'tenant_not_found', 'client_secret_rejected', 'redirect_uri_mismatch']),
    );
  });

  it('names what happened in plain words, never an HTTP status', () => {
    const headings = (['state_mismatch', 'store_unavailable', 'missing_role', 'downstream_failed', 'internal_error'] as const).map(
      (code, index) => /<h1 id="error-title">([^<]+)<\/h1>/.exec(render({ code, status: [400, 503, 403, 502, 500][index]! }))![1],
    );
    expect(headings).toEqual([
      'We could not sign you in',
      'Please try again in a moment',
      'You cannot do this here',
      'Another service did not answer as expected',
      'Something went wrong on our side',
    ]);
  });
});
