/**
 * How MSAL's errors end a command: the table in `src/cli/errors.ts`, one row
 * here per rule, each with the exit code and a word of the message a person
 * acts on.
 */
import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { describe, expect, it } from 'vitest';
import { CliError, EXIT, fromMsalError } from '../../src/cli/errors';
import type { NetworkClient } from '../../src/cli/network';

const noNetworkView: Pick<NetworkClient, 'lastProviderError' | 'lastNetworkFailure'> = {
  lastProviderError: () => undefined,
  lastNetworkFailure: () => undefined,
};

describe('fromMsalError', () => {
  it.each([
    ['cancelled polling', new AuthError('device_code_polling_cancelled', 'c'), EXIT.cancelled, 'cancelled'],
    ['a device code MSAL saw expire', new AuthError('device_code_expired', 'c'), EXIT.codeExpired, 'expired'],
    ['MSAL’s own time-out', new AuthError('user_timeout_reached', 'c'), EXIT.codeExpired, 'expired'],
    ['expired_token from the tenant', new AuthError('post_request_failed', 'c', 'expired_token'), EXIT.codeExpired, 'expired'],
    ['authorization_declined', new AuthError('post_request_failed', 'c', 'authorization_declined'), EXIT.declined, 'declined'],
    ['access_denied', new AuthError('post_request_failed', 'c', 'access_denied'), EXIT.declined, 'declined'],
    ['slow_down', new AuthError('post_request_failed', 'c', 'slow_down'), EXIT.slowDown, 'more slowly'],
    ['another poll error', new AuthError('post_request_failed', 'c', 'invalid_client'), EXIT.refused, 'invalid_client'],
    ['a poll error that is not a code', new AuthError('post_request_failed', 'c', '<b>token abc</b>'), EXIT.refused, 'unknown_error'],
    ['network_error', new AuthError('network_error', 'c'), EXIT.network, 'cannot be reached'],
    ['no_network_connectivity', new AuthError('no_network_connectivity', 'c'), EXIT.network, 'cannot be reached'],
    ['endpoints_resolution_error', new AuthError('endpoints_resolution_error', 'c'), EXIT.network, 'cannot be reached'],
    ['get_request_failed', new AuthError('get_request_failed', 'c'), EXIT.network, 'cannot be reached'],
    ['invalid_grant from the tenant', new ServerError('invalid_grant', 'c', 'revoked'), EXIT.loginRequired, 'fnauth login'],
    ['an interaction MSAL needs', new InteractionRequiredAuthError('no_tokens_found', 'c'), EXIT.loginRequired, 'fnauth login'],
    ['another tenant refusal', new ServerError('unauthorized_client', 'c', 'AADSTS700016'), EXIT.refused, 'unauthorized_client'],
    ['another MSAL error', new AuthError('invalid_cache_record', 'c'), EXIT.failure, 'invalid_cache_record'],
    ['a bug', new TypeError('x is undefined'), EXIT.failure, 'TypeError'],
  ] as const)('%s ends with its exit code', (_, error, exitCode, words) => {
    const ending = fromMsalError(error, noNetworkView);
    expect(ending).toBeInstanceOf(CliError);
    expect(ending.exitCode).toBe(exitCode);
    expect(ending.message).toContain(words);
    expect(ending.message).not.toContain('token abc');
  });

  it('reads a host that does not resolve behind network_error as a setting to fix', () => {
    const ending = fromMsalError(new AuthError('network_error', 'c'), {
      lastProviderError: () => undefined,
      lastNetworkFailure: () => ({ kind: 'host_not_found', code: 'ENOTFOUND', host: 'contoso.invalid' }),
    });
    expect(ending.exitCode).toBe(EXIT.usage);
    expect(ending.message).toContain('contoso.invalid');
  });

  it('passes its own endings through', () => {
    const own = new CliError(EXIT.usage, 'Fix --scope.');
    expect(fromMsalError(own)).toBe(own);
  });
});
