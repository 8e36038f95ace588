/**
 * The provider's own pages behind oidc-provider's interactions: sign-in, sign-up with a one-time
 * code shown on the page (standing in for Entra's email code), and consent (granted at once).
 */
import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as Oidc from 'oidc-provider';
import type { ProviderClient } from './configuration';
import { readForm, sendHtml } from './http';
import { errorPage, signInPage, signUpPage, verifyEmailPage } from './pages';
import { hashPassword, normalizeEmail, signUpProblems, type UserRecord, type UserStore } from './users';

interface PendingSignUp {
  email: string;
  displayName: string;
  passwordHash: string;
  code: string;
  attempts: number;
  expiresAt: number;
}

const SIGN_UP_CODE_TTL_MS = 10 * 60 * 1000;
const MAX_REMEMBERED_INTERACTIONS = 1000;

export function createInteractionHandler(deps: {
  provider: Oidc.Provider;
  users: UserStore;
  clients: readonly ProviderClient[];
  /** `/<tenantId>/interaction/` */
  interactionPrefix: string;
}): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const { provider, users, interactionPrefix } = deps;
  const clientsById = new Map(deps.clients.map((client) => [client.clientId, client]));
  const pendingSignUps = new Map<string, PendingSignUp>();
  /**
   * The app each recent interaction belonged to, kept after it finished: Back after signing in
   * opens a finished interaction's page, whose error page should still lead back to that app.
   */
  const interactionClients = new Map<string, string>();
  const rememberClient = (uid: string, clientId: string) => {
    interactionClients.delete(uid);
    interactionClients.set(uid, clientId);
    const oldest = interactionClients.keys().next().value;
    if (interactionClients.size > MAX_REMEMBERED_INTERACTIONS && oldest !== undefined) interactionClients.delete(oldest);
  };

  async function autoConsent(details: Oidc.Interaction): Promise<string> {
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error('consent without a signed-in user');
    let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    grant ??= new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const d = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    return grant.save();
  }

  async function finishSignIn(req: IncomingMessage, res: ServerResponse, details: Oidc.Interaction, user: UserRecord) {
    const result: Oidc.InteractionResults = {
      login: { accountId: user.oid, amr: ['pwd'], remember: true },
    };
    // Resolve whichever requestable prompt brought the user here.
    if (details.prompt.name === 'create' || details.prompt.name === 'select_account') result[details.prompt.name] = {};
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  async function handleInteraction(req: IncomingMessage, res: ServerResponse, url: URL) {
    const [uid = '', ...rest] = url.pathname.slice(interactionPrefix.length).split('/');
    const action = rest.join('/');
    let details: Oidc.Interaction;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      return sendHtml(
        res,
        400,
        errorPage({
          error: 'session_not_found',
          description: 'This sign-in page has expired, was already used, or was opened in another browser. Go back to the application and sign in again.',
          backTo: clientsById.get(interactionClients.get(uid) ?? ''),
        }),
      );
    }
    const params = details.params as Record<string, string | undefined>;
    const client = clientsById.get(String(params.client_id));
    if (details.uid !== uid) {
      return sendHtml(res, 400, errorPage({ error: 'invalid_request', description: 'This sign-in page does not match your session.', backTo: client }));
    }
    rememberClient(uid, String(params.client_id));

    const here = `${interactionPrefix}${uid}`;
    const loginHint = params.login_hint;
    const signInView = (extra: { email?: string; errors?: string[] } = {}) =>
      signInPage({ action: `${here}/login`, signUpHref: `${here}/signup`, clientName: client?.clientName, email: extra.email ?? loginHint, errors: extra.errors });
    const signUpView = (extra: { email?: string; displayName?: string; errors?: string[] } = {}) =>
      signUpPage({
        action: `${here}/signup`,
        signInHref: here,
        clientName: client?.clientName,
        email: extra.email ?? loginHint,
        displayName: extra.displayName,
        errors: extra.errors,
      });

    if (req.method === 'GET' && action === '') {
      if (details.prompt.name === 'consent') {
        const grantId = await autoConsent(details);
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      return sendHtml(res, 200, details.prompt.name === 'create' ? signUpView() : signInView());
    }
    if (req.method === 'GET' && action === 'signup') return sendHtml(res, 200, signUpView());
    if (req.method !== 'POST') return sendHtml(res, 404, errorPage({ error: 'not_found' }));

    const form = await readForm(req);
    if (action === 'login') {
      const email = form.get('email') ?? '';
      const user = users.authenticate(email, form.get('password') ?? '');
      if (!user) return sendHtml(res, 200, signInView({ email, errors: ['Your account or password is incorrect.'] }));
      return finishSignIn(req, res, details, user);
    }
    if (action === 'signup') {
      const input = { email: form.get('email') ?? '', displayName: form.get('displayName') ?? '', password: form.get('password') ?? '' };
      const problems = signUpProblems(input);
      if (problems.length === 0 && users.findByEmail(input.email)) {
        problems.push('An account with this email address already exists. Sign in instead.');
      }
      if (problems.length > 0) return sendHtml(res, 200, signUpView({ email: input.email, displayName: input.displayName, errors: problems }));
      const pending: PendingSignUp = {
        email: normalizeEmail(input.email),
        displayName: input.displayName.trim(),
        passwordHash: hashPassword(input.password),
        code: String(randomInt(0, 1_000_000)).padStart(6, '0'),
        attempts: 0,
        expiresAt: Date.now() + SIGN_UP_CODE_TTL_MS,
      };
      pendingSignUps.set(uid, pending);
      return sendHtml(res, 200, verifyEmailPage({ action: `${here}/signup/verify`, email: pending.email, code: pending.code }));
    }
    if (action === 'signup/verify') {
      const pending = pendingSignUps.get(uid);
      if (!pending || pending.expiresAt < Date.now()) {
        pendingSignUps.delete(uid);
        return sendHtml(res, 200, signUpView({ errors: ['The verification code expired. Fill in the form again.'] }));
      }
      if ((form.get('otp') ?? '').trim() !== pending.code) {
        pending.attempts += 1;
        if (pending.attempts >= 5) {
          pendingSignUps.delete(uid);
          return sendHtml(res, 200, signUpView({ email: pending.email, displayName: pending.displayName, errors: ['Too many wrong codes. Fill in the form again.'] }));
        }
        return sendHtml(res, 200, verifyEmailPage({ action: `${here}/signup/verify`, email: pending.email, code: pending.code, errors: ['That code is wrong. Try again.'] }));
      }
      pendingSignUps.delete(uid);
      let user: UserRecord;
      try {
        user = users.createHashed(pending);
      } catch (error) {
        return sendHtml(res, 200, signUpView({ errors: [(error as Error).message] }));
      }
      return finishSignIn(req, res, details, user);
    }
    return sendHtml(res, 404, errorPage({ error: 'not_found' }));
  }

  return handleInteraction;
}
