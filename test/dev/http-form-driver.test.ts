/** The test helper that stands in for a browser: cookies and forms as a browser handles them. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CookieJar, HttpFormDriver, parseForms, textById } from '../../dev/http-form-driver';

describe('CookieJar', () => {
  it('scopes cookies by host (not port) and path, keeps Secure ones off http, honours deletion', () => {
    const jar = new CookieJar();
    jar.store('https://localhost:8443/t/interaction/abc', [
      'lidp_interaction=1; path=/t/interaction/abc; secure; httponly',
      'lidp_session=2; path=/; secure',
      'plain=3; path=/',
    ]);
    expect(jar.header('https://localhost:8443/t/interaction/abc/login')).toBe('lidp_interaction=1; lidp_session=2; plain=3');
    expect(jar.header('https://localhost:8443/t/interaction/abcd')).toBe('lidp_session=2; plain=3');
    expect(jar.header('http://localhost:7071/api/redirect')).toBe('plain=3'); // other port, same host; not Secure
    expect(jar.header('https://127.0.0.1:8443/')).toBeUndefined();

    jar.store('https://localhost:8443/', 'lidp_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT');
    jar.store('http://localhost:7071/', 'plain=; Max-Age=0; path=/');
    expect(jar.header('https://localhost:8443/t/interaction/abc')).toBe('lidp_interaction=1');
  });
});

describe('parseForms', () => {
  it('reads forms with their hidden fields, decoded, and absolute actions', () => {
    const html = `
      <form id="op.logoutForm" method="post" action="/t/logout/confirm?x=1&amp;y=2">
        <input type="hidden" name="xsrf" value="a&quot;b"/>
        <input type="checkbox" name="remember">
        <input type="checkbox" name="agree" checked>
        <input type="submit" name="go" value="Go">
      </form>
      <form action="https://elsewhere.example/cb"><input name="q" value='single'></form>
      <p id="msg">Hello <b>&lt;you&gt;</b></p>`;
    expect(parseForms(html, 'https://localhost:8443/t/page')).toEqual([
      {
        id: 'op.logoutForm',
        action: 'https://localhost:8443/t/logout/confirm?x=1&y=2',
        method: 'POST',
        fields: { xsrf: 'a"b', agree: 'on' },
      },
      { id: undefined, action: 'https://elsewhere.example/cb', method: 'GET', fields: { q: 'single' } },
    ]);
    expect(textById(html, 'msg')).toBe('Hello <you>');
  });
});

describe('HttpFormDriver.follow', () => {
  it('loads iframes as a browser does (cookies only for same-site frames), then follows a clicked link up to stopAt', async () => {
    const seen: { url: string; cookie?: string }[] = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', cookie: req.headers.cookie });
      if (req.url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'app=1; Path=/' });
        res.end(`<iframe src="/frame?a=1&amp;b=2"></iframe>
          <iframe hidden src="http://127.0.0.1:${port}/cross-site"></iframe>
          <iframe src="http://localhost:1/refused"></iframe>
          <a id="next" href="/after?x=1&amp;y=2">Continue</a>
          <script>setTimeout(function () { document.getElementById('next').click(); }, 10);</script>`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const browser = new HttpFormDriver();
      const done = await browser.follow(`http://localhost:${port}/page`, { stopAt: (url) => url.pathname === '/after' });
      expect(done).toMatchObject({ stopped: true, url: `http://localhost:${port}/after?x=1&y=2` });
      expect(seen).toEqual([
        { url: '/page', cookie: undefined },
        { url: '/frame?a=1&b=2', cookie: 'app=1' },
        { url: '/cross-site', cookie: undefined },
      ]);
      expect(browser.history.at(-1)).toMatch(/^GET http:\/\/localhost:1\/refused -> /);

      await browser.follow(`http://localhost:${port}/page`);
      expect(seen.at(-1)).toEqual({ url: '/after?x=1&y=2', cookie: 'app=1' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
