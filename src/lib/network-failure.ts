/**
 * Why a `fetch` failed, in the terms that decide what to do about it.
 *
 * Only two kinds are worth retrying: `timeout` and `unreachable` (a refused
 * or reset connection to a host that exists). A host name that does not
 * resolve, or a certificate Node does not trust, stays that way until
 * someone changes a setting, so callers report those as setup mistakes.
 *
 * Node's fetch hides the reason in `error.cause.code` (`getaddrinfo
 * ENOTFOUND`, `DEPTH_ZERO_SELF_SIGNED_CERT`…); the message is always just
 * "fetch failed".
 *
 * @example
 * ```ts
 * await fetch('https://contoso.invalid/').catch((error) => networkFailure(error));
 * // { kind: 'host_not_found', code: 'ENOTFOUND' }
 * ```
 */

export type NetworkFailureKind = 'host_not_found' | 'untrusted_certificate' | 'timeout' | 'unreachable';

export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** Node's error code (`ENOTFOUND`, `ECONNREFUSED`, `CERT_HAS_EXPIRED`…), when it gave one. */
  code?: string;
}

/**
 * OpenSSL's verification codes as Node reports them, and Node's own for a
 * name the certificate does not cover.
 */
const UNTRUSTED_CERTIFICATE = /CERT|SELF_SIGNED|^UNABLE_TO_(GET|VERIFY|DECRYPT)|^INVALID_CA$|^HOSTNAME_MISMATCH$/;

export function networkFailure(error: unknown): NetworkFailure {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { kind: 'timeout' };
  const code = causeCode(error);
  // EAI_AGAIN is a resolver that did not answer (a temporary DNS failure), not a name that does not exist.
  if (code === 'ENOTFOUND') return { kind: 'host_not_found', code };
  if (code && UNTRUSTED_CERTIFICATE.test(code)) return { kind: 'untrusted_certificate', code };
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'timeout', code };
  return code ? { kind: 'unreachable', code } : { kind: 'unreachable' };
}

function causeCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code)) return code;
  }
  return undefined;
}
