/**
 * Where the app may send a browser after sign-in: a path on this app, or a URL
 * whose origin is on the `ALLOWED_RETURN_ORIGINS` list. Everything else is
 * refused with a 400, never followed.
 *
 * The checks are deliberately strict: browsers and proxies disagree on
 * backslashes, encoded slashes, control characters and user-info, so any
 * value that could be read two ways is refused rather than normalised.
 *
 * @example
 * ```ts
 * const policy = new ReturnToPolicy('https://app.contoso.com', ['https://portal.contoso.com'], '/api/claims');
 * policy.resolve('/api/claims');          // 'https://app.contoso.com/api/claims'
 * policy.resolve('//evil.example');       // throws AppError invalid_return_to
 * ```
 */
import { AppError } from './errors';

const MAX_LENGTH = 2048;
// Whitespace, control characters and backslashes have no place in a return URL; browsers strip or rewrite them.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff\\]/;

export class ReturnToPolicy {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(
    private readonly appOrigin: string,
    allowedOrigins: readonly string[],
    /** Where to go when no `returnTo` is given: a path on this app. */
    readonly defaultPath: string,
  ) {
    this.allowedOrigins = new Set([appOrigin, ...allowedOrigins]);
  }

  /** An absolute URL that is safe to redirect to; the default when `raw` is null or empty. */
  resolve(raw: string | null | undefined): string {
    if (raw === null || raw === undefined || raw === '') return new URL(this.defaultPath, this.appOrigin).href;
    if (!this.isAcceptable(raw)) {
      throw new AppError('invalid_return_to');
    }
    return new URL(raw, this.appOrigin).href;
  }

  private isAcceptable(raw: string): boolean {
    if (raw.length > MAX_LENGTH || FORBIDDEN_CHARACTERS.test(raw)) return false;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return false;
    }
    // A value that decodes into something dangerous is refused too: some proxies decode before routing.
    if (FORBIDDEN_CHARACTERS.test(decoded)) return false;

    if (raw.startsWith('/')) {
      if (raw.startsWith('//') || decoded.startsWith('//')) return false;
      return new URL(raw, this.appOrigin).origin === this.appOrigin;
    }
    if (!URL.canParse(raw)) return false;
    const target = new URL(raw);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') return false;
    if (target.username || target.password) return false;
    // Only the canonical spelling counts: "https://app.contoso.com:443" or "HTTPS://…" must match exactly what was allowed.
    if (!raw.startsWith(`${target.origin}/`) && raw !== target.origin) return false;
    return this.allowedOrigins.has(target.origin);
  }
}
