/**
 * HTML of the local provider's pages. Plain forms, every value escaped, and stable ids that the
 * end-to-end tests use (listed in the doc comment of `dev/provider/index.ts`).
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f3f2f1; margin: 0; }
  main { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 2rem 2.5rem; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
  h1 { font-size: 1.5rem; font-weight: 600; margin-top: 0; }
  label { display: block; margin: 1rem 0 .25rem; }
  input[type=email], input[type=password], input[type=text] { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
  button, a.button { display: inline-block; margin-top: 1.5rem; padding: .5rem 1.5rem; font-size: 1rem; background: #0067b8; color: #fff; border: 0; cursor: pointer; text-decoration: none; }
  button.secondary { background: #ccc; color: #000; }
  .error { color: #a80000; }
  .banner { font-size: .8rem; color: #605e5c; border-bottom: 1px solid #edebe9; padding-bottom: .5rem; margin-bottom: 1rem; }
  code.otp { font-size: 1.5rem; letter-spacing: .3rem; }
`;

export function layout(title: string, body: string, options: { script?: string; nonce?: string } = {}): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>${escapeHtml(title)}</title>
  <style>${STYLE}</style>${options.script ? `\n  <script${options.nonce ? ` nonce="${escapeHtml(options.nonce)}"` : ''}>${options.script}</script>` : ''}
</head>
<body>
  <main>
    <p class="banner" id="provider-banner">Local OpenID provider &middot; development only</p>
${body}
  </main>
</body>
</html>`;
}

function errorBlock(errors: readonly string[]): string {
  if (errors.length === 0) return '';
  return `    <div id="error" class="error" role="alert">${errors.map((e) => `<p>${escapeHtml(e)}</p>`).join('')}</div>\n`;
}

export function signInPage(input: {
  action: string;
  signUpHref: string;
  email?: string;
  clientName?: string;
  errors?: readonly string[];
}): string {
  return layout(
    'Sign in',
    `    <h1 id="signin-title">Sign in</h1>
${input.clientName ? `    <p id="client-name">to continue to ${escapeHtml(input.clientName)}</p>\n` : ''}${errorBlock(input.errors ?? [])}    <form id="signin-form" method="post" action="${escapeHtml(input.action)}" novalidate>
      <label for="email">Email address</label>
      <input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(input.email ?? '')}"${input.email ? '' : ' autofocus'}>
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required${input.email ? ' autofocus' : ''}>
      <button id="signin-submit" type="submit">Sign in</button>
    </form>
    <p id="signup-prompt">No account? <a id="create-account" href="${escapeHtml(input.signUpHref)}">Create one</a></p>`,
  );
}

export function signUpPage(input: {
  action: string;
  signInHref: string;
  email?: string;
  displayName?: string;
  clientName?: string;
  errors?: readonly string[];
}): string {
  return layout(
    'Create account',
    `    <h1 id="signup-title">Create account</h1>
${input.clientName ? `    <p id="client-name">to continue to ${escapeHtml(input.clientName)}</p>\n` : ''}${errorBlock(input.errors ?? [])}    <form id="signup-form" method="post" action="${escapeHtml(input.action)}" novalidate>
      <label for="email">Email address</label>
      <input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(input.email ?? '')}" autofocus>
      <label for="displayName">Display name</label>
      <input id="displayName" name="displayName" type="text" autocomplete="name" required value="${escapeHtml(input.displayName ?? '')}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="new-password" required>
      <button id="signup-submit" type="submit">Next</button>
    </form>
    <p id="signin-prompt">Already have an account? <a id="signin-link" href="${escapeHtml(input.signInHref)}">Sign in</a></p>`,
  );
}

export function verifyEmailPage(input: {
  action: string;
  email: string;
  code: string;
  errors?: readonly string[];
}): string {
  return layout(
    'Verify email',
    `    <h1 id="verify-title">Verify email</h1>
    <p>Enter the code sent to <strong id="verify-email">${escapeHtml(input.email)}</strong>.</p>
    <p>This provider sends no email: your one-time code is <code id="otp-display" class="otp">${escapeHtml(input.code)}</code></p>
${errorBlock(input.errors ?? [])}    <form id="verify-form" method="post" action="${escapeHtml(input.action)}" novalidate>
      <label for="otp">Verification code</label>
      <input id="otp" name="otp" type="text" inputmode="numeric" autocomplete="one-time-code" required autofocus>
      <button id="verify-submit" type="submit">Verify</button>
    </form>`,
  );
}

export function devicePage(input: { title: string; message: string; form: string; buttons: string; errors?: readonly string[] }): string {
  return layout(
    input.title,
    `    <h1 id="device-title">${escapeHtml(input.title)}</h1>
    <p id="device-message">${escapeHtml(input.message)}</p>
${errorBlock(input.errors ?? [])}    ${input.form}
    ${input.buttons}`,
  );
}

export function messagePage(input: { id: string; title: string; message: string }): string {
  return layout(
    input.title,
    `    <h1 id="${escapeHtml(input.id)}">${escapeHtml(input.title)}</h1>
    <p id="message">${escapeHtml(input.message)}</p>`,
  );
}

/**
 * The provider's error page. With the app the error belongs to (`backTo`, when it registered a
 * home page), it links back there: Back after signing in lands here, on a finished sign-in page.
 */
export function errorPage(input: { error: string; description?: string; backTo?: { clientName?: string; clientUri?: string } }): string {
  const back = input.backTo?.clientUri
    ? `\n    <p><a id="back-to-app" class="button" href="${escapeHtml(input.backTo.clientUri)}">Back to ${escapeHtml(input.backTo.clientName ?? 'the application')}</a></p>`
    : '';
  return layout(
    'Sorry, something went wrong',
    `    <h1 id="error-title">Sorry, something went wrong</h1>
    <p>Error: <code id="error-code">${escapeHtml(input.error)}</code></p>
    <p id="error-description">${escapeHtml(input.description ?? '')}</p>${back}`,
  );
}

/** Sign-out: submits itself (Entra shows no "are you sure" page); the button is for scripts without JS. */
export function signOutPage(form: string): string {
  return layout(
    'Signing out',
    `    <h1 id="signout-title">Signing out&hellip;</h1>
    ${form}
    <button id="signout-submit" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`,
    {
      script: `document.addEventListener('DOMContentLoaded', function () { document.getElementById('signout-submit').click(); });`,
    },
  );
}

/**
 * After sign-out: each app's front-channel logout URL in a hidden iframe, then on to `continueTo`
 * once every frame has loaded (the window's load event waits for them) or after `waitMs`.
 */
export function frontchannelLogoutPage(input: {
  frames: readonly { src: string; clientName: string }[];
  continueTo: string;
  nonce: string;
  waitMs: number;
}): string {
  const frames = input.frames
    .map((frame) => `    <iframe class="frontchannel-logout" hidden src="${escapeHtml(frame.src)}" title="Signing out of ${escapeHtml(frame.clientName)}"></iframe>`)
    .join('\n');
  return layout(
    'Signing out',
    `    <h1 id="signout-frontchannel">You signed out of your account</h1>
    <p id="message">Signing you out of the applications you used&hellip;</p>
${frames}
    <p><a id="signout-continue" href="${escapeHtml(input.continueTo)}">Continue</a></p>`,
    {
      nonce: input.nonce,
      script:
        "(function () { var gone = false; function next() { if (gone) return; gone = true; document.getElementById('signout-continue').click(); } " +
        `window.addEventListener('load', next); setTimeout(next, ${Number(input.waitMs)}); })();`,
    },
  );
}
