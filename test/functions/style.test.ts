import { beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredFunction } from '../../src/lib/registry';
import { stylesheetHref } from '../../src/lib/pages';
import { invoke, loadFunctions } from '../helpers/functions';

let style: RegisteredFunction;

beforeAll(async () => {
  style = (await loadFunctions()).style!;
});

describe('GET /api/style', () => {
  it('serves the stylesheet pages link, cached for a year under its version, with no settings at all', async () => {
    expect(process.env.CLIENT_ID).toBeUndefined();
    const response = await invoke(style, stylesheetHref());
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.body).toContain('.site-header');
  });

  it('revalidates any other version, and answers 304 to the one the browser holds', async () => {
    const stale = await invoke(style, '/api/style?v=older');
    expect(stale.status).toBe(200);
    expect(stale.headers['cache-control']).toBe('no-cache');
    const etag = stale.headers.etag!;
    const revalidated = await invoke(style, '/api/style', { headers: { 'if-none-match': `W/"other", ${etag}` } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBe('');
    expect(revalidated.headers.etag).toBe(etag);
    expect((await invoke(style, '/api/style', { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });
});
