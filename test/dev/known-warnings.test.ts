import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OidcModule } from '../../dev/provider/configuration';
import { importEsm } from '../../dev/provider/esm';
import { isKnownWarning, KNOWN_WARNINGS, withoutKnownWarnings } from '../../dev/known-warnings';

afterEach(() => {
  vi.restoreAllMocks();
});

const oidcWarning = (text: string) => isKnownWarning(text, KNOWN_WARNINGS.oidcProvider);

describe("oidc-provider's expected warnings", () => {
  it('are dropped while a provider is built with the in-memory adapter; other warnings pass', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { Provider } = await importEsm<OidcModule>('oidc-provider');
    new Provider('https://localhost:1/unfiltered'); // the real warning, as oidc-provider prints it
    const [unfiltered] = warn.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('in-memory adapter'));
    expect(unfiltered).toBeDefined();
    expect(oidcWarning(unfiltered!)).toBe(true);
    warn.mockClear();

    await withoutKnownWarnings(KNOWN_WARNINGS.oidcProvider, () => {
      new Provider('https://localhost:1/filtered');
      console.warn('something else');
    });
    const lines = warn.mock.calls.map((call) => String(call[0]));
    expect(lines.filter((line) => line.includes('in-memory adapter'))).toEqual([]);
    // A bare provider also warns about its development keys and interactions: those still show.
    expect(lines).toEqual(expect.arrayContaining(['something else', expect.stringContaining('development-only signing keys')]));
  });

  it('match the runtime warning with or without terminal colours, and nothing else', () => {
    const runtime = 'oidc-provider WARNING: Unsupported runtime. Use Node.js v22.x LTS, or a later LTS release.';
    expect(oidcWarning(runtime)).toBe(true);
    expect(oidcWarning(`\u001b[31;1m${runtime}\u001b[0m`)).toBe(true);
    expect(oidcWarning('oidc-provider WARNING: quick start development-only signing keys are used')).toBe(false);
    expect(oidcWarning(`prefix ${runtime}`)).toBe(false);
  });

  it('leave console.warn as it was, also when calls overlap or fail', async () => {
    const original = console.warn;
    let release!: () => void;
    const first = withoutKnownWarnings(KNOWN_WARNINGS.oidcProvider, () => new Promise<void>((resolve) => (release = resolve)));
    const second = withoutKnownWarnings(KNOWN_WARNINGS.outsideFunctionsHost, () => Promise.reject(new Error('boom')));
    await expect(second).rejects.toThrow('boom');
    expect(console.warn).not.toBe(original); // the first is still running
    release();
    await first;
    expect(console.warn).toBe(original);
  });
});

describe("@azure/functions' notices outside the Functions host", () => {
  it('are dropped while the functions load; other warnings pass', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { app } = await import('@azure/functions');
    app.http('unfiltered', { handler: async () => ({}) }); // the real notices, as the package prints them
    const notices = warn.mock.calls.map((call) => String(call[0]));
    expect(notices).toContain('WARNING: Skipping call to register function "unfiltered" because the "@azure/functions" package is in test mode.');
    for (const notice of notices) expect(isKnownWarning(notice, KNOWN_WARNINGS.outsideFunctionsHost)).toBe(true);
    warn.mockClear();

    await withoutKnownWarnings(KNOWN_WARNINGS.outsideFunctionsHost, () => {
      app.http('filtered', { handler: async () => ({}) });
      console.warn('something else');
    });
    expect(warn.mock.calls).toEqual([['something else']]);
  });
});
