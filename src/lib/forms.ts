/**
 * The form posts of our own pages: small `application/x-www-form-urlencoded`
 * bodies. Anything else reads as an empty form; an oversized body is refused.
 *
 * Tested by test/lib/request-context.test.ts and test/functions/logout.test.ts.
 *
 * @example
 * ```ts
 * const form = await readForm(request); // URLSearchParams; empty for GET
 * form.get('everywhere') === '1';
 * ```
 */
import type { HttpRequest } from '@azure/functions';
import { AppError } from './errors';

/** Our forms hold a token and a session id or two; nothing legitimate comes near this. */
const MAX_FORM_BYTES = 2048;

export async function readForm(request: HttpRequest): Promise<URLSearchParams> {
  if (request.method !== 'POST') return new URLSearchParams();
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  const body = await request.text();
  if (body.length > MAX_FORM_BYTES) throw new AppError('invalid_request', { detail: 'This form is larger than any form of ours.' });
  return new URLSearchParams(body);
}
