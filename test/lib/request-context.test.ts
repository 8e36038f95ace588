import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { RequestContext } from '../../src/lib/request-context';

const context = (headers: Record<string, string> = {}) =>
  new RequestContext(
    new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/x?a=1&a=2&b=3', headers, params: { id: '7' } }),
    new InvocationContext({ invocationId: 'i', functionName: 'x' }),
  );

describe('RequestContext', () => {
  it('gives the query, params, headers, method and URL of the request', () => {
    const { query, params, headers, method, url } = context({ 'user-agent': 'test' });
    expect(query.getAll('a')).toEqual(['1', '2']);
    expect(params).toEqual({ id: '7' });
    expect(headers.get('user-agent')).toBe('test');
    expect(method).toBe('GET');
    expect(url.pathname).toBe('/api/x');
  });

  it('parses the Cookie header once and shares the result', () => {
    const request = context({ cookie: 'a=1; b=2' });
    expect(request.cookies).toBe(request.cookies);
    expect(request.cookies.get('b')).toBe('2');
  });

  it('runs the failure hooks in order and gathers their cookies; a failing hook is skipped', async () => {
    const request = context();
    request.onFailure(() => [{ name: 'a', value: '' }]);
    request.onFailure(() => {
      throw new Error('clean-up failed');
    });
    request.onFailure(async () => [{ name: 'b', value: '' }]);
    request.onFailure(() => undefined);
    expect(await request.undo()).toEqual([
      { name: 'a', value: '' },
      { name: 'b', value: '' },
    ]);
  });

  it('lets a handler take onFailure off the context', async () => {
    const request = context();
    const { onFailure } = request;
    onFailure(() => [{ name: 'tx', value: '' }]);
    expect(await request.undo()).toEqual([{ name: 'tx', value: '' }]);
  });
});

describe('RequestContext.form', () => {
  it('reads a posted form once, also when taken off the context', async () => {
    const request = new RequestContext(
      new HttpRequest({
        method: 'POST',
        url: 'http://localhost:7071/api/logout',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: { string: 'everywhere=1&token=t' },
      }),
      new InvocationContext({ invocationId: 'i', functionName: 'logout' }),
    );
    const { form } = request;
    expect((await form()).get('everywhere')).toBe('1');
    expect(await form()).toBe(await request.form());
  });
});
