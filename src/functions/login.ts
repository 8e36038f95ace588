import { AppError } from '../lib/errors';
import { defineFunction } from '../lib/registry';
import { redirect } from '../lib/responses';
import { PROMPTS, startSignIn, type Prompt } from '../lib/sign-in';

/** GET /api/login?returnTo=&prompt=&login_hint= : starts sign-in (or sign-up with prompt=create). */
export default defineFunction({
  name: 'login',
  route: 'login',
  methods: ['GET'],
  audience: 'browser',
  async handler({ runtime, query, cookies }) {
    const returnTo = runtime.returnTo.resolve(query.get('returnTo'));
    const prompt = parsePrompt(query.get('prompt'));
    const loginHint = parseLoginHint(query.get('login_hint'));
    const started = await startSignIn(runtime, { returnTo, prompt, loginHint }, cookies);
    return redirect(started.location, { cookies: started.cookies });
  },
});

function parsePrompt(value: string | null): Prompt | undefined {
  if (value === null || value === '') return undefined;
  if ((PROMPTS as readonly string[]).includes(value)) return value as Prompt;
  throw new AppError('invalid_request', { detail: `prompt must be one of ${PROMPTS.join(', ')}.` });
}

function parseLoginHint(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (value.length > 256 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new AppError('invalid_request', { detail: 'login_hint must be an email address or user name of at most 256 characters.' });
  }
  return value;
}
