/**
 * A small browser stand-in for the tests and the bench: HTTP(S) requests with a cookie jar, redirects followed by
 * hand, and HTML forms parsed and submitted as a browser would (hidden fields included).
 *
 * TLS trust is per driver (`ca`), never global: nothing here touches NODE_TLS_REJECT_UNAUTHORIZED
 * or the global fetch dispatcher.
 *
 * @example
 * ```ts
 * const browser = new HttpFormDriver({ ca: idp.caCert });
 * const page = await browser.follow(authUrl);                  // lands on the sign-in page
 * const done = await browser.submitForm(page, {
 *   form: '#signin-form',
 *   fields: { email: 'alice@example.com', password: 'Passw0rd!' },
 *   stopAt: (url) => url.href.startsWith(redirectUri),          // don't request the app's redirect URI
 * });
 * new URL(done.url).searchParams.get('code');
 * ```
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { CookieJar as ToughCookieJar } from 'tough-cookie';

export interface HttpResponse {
  status: number;
  /** The URL requested; after `follow`/`submitForm` stopped by `stopAt`, the URL it stopped at. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** True when `stopAt` matched: `url` is a redirect target that was not requested. */
  stopped?: boolean;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string> | URLSearchParams;
  body?: string;
  /** Milliseconds; default 10 000. */
  timeoutMs?: number;
}

/** One HTTP(S) request; `ca` is trusted for https in addition to the system store. */
export function httpRequest(url: string | URL, options: RequestOptions & { ca?: string | string[] } = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.form) {
    body = new URLSearchParams(options.form as Record<string, string>).toString();
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const method = options.method ?? (body !== undefined ? 'POST' : 'GET');
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      { method, headers, ...(target.protocol === 'https:' && options.ca ? { ca: options.ca } : {}), timeout: options.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, url: target.href, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${target.href} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Cookies as a browser keeps them (tough-cookie, RFC 6265): scoped by host (ports ignored, as
 * browsers do) and path; `Secure` ones only go over https, localhost included; `Max-Age` and
 * `Expires` honoured; `__Host-` and `__Secure-` rules kept.
 */
export class CookieJar {
  #jar = new ToughCookieJar(undefined, { allowSecureOnLocal: false });

  store(url: string | URL, setCookie: string[] | string | undefined): void {
    for (const line of ([] as string[]).concat(setCookie ?? [])) this.#jar.setCookieSync(line, String(url), { ignoreError: true });
  }

  /** The Cookie header for `url`, longest paths first; undefined when none apply. */
  header(url: string | URL): string | undefined {
    return this.#jar.getCookieStringSync(String(url)) || undefined;
  }

  /** Names of the cookies held for `url`'s host. */
  names(url: string | URL): string[] {
    const { hostname } = new URL(url);
    return this.#jar
      .serializeSync()!
      .cookies.filter((cookie) => cookie.domain === hostname)
      .map((cookie) => String(cookie.key));
  }

  clear(): void {
    this.#jar.removeAllCookiesSync();
  }
}

export interface ParsedForm {
  id?: string;
  /** Absolute URL the form submits to. */
  action: string;
  method: 'GET' | 'POST';
  /** Named fields with their current values (hidden ones included; unchecked boxes left out). */
  fields: Record<string, string>;
}

const ATTRIBUTE = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

function attributesOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const inner = tag.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const match of inner.matchAll(ATTRIBUTE)) {
    const name = match[1]?.toLowerCase();
    if (name) out[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return out;
}

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_all, entity: string) => {
    const e = entity.toLowerCase();
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    return String.fromCodePoint(parseInt(e.slice(1), 10));
  });
}

/** The forms of a page, in document order. */
export function parseForms(html: string, baseUrl: string): ParsedForm[] {
  const forms: ParsedForm[] = [];
  for (const match of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)) {
    const attributes = attributesOf(match[0].slice(0, match[0].indexOf('>') + 1));
    const fields: Record<string, string> = {};
    for (const input of (match[1] ?? '').matchAll(/<input\b[^>]*>/gi)) {
      const a = attributesOf(input[0]);
      const type = (a.type ?? 'text').toLowerCase();
      if (!a.name || ['submit', 'button', 'image', 'reset', 'file'].includes(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !('checked' in a)) continue;
      fields[a.name] = a.value ?? (type === 'checkbox' ? 'on' : '');
    }
    for (const area of (match[1] ?? '').matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
      const a = attributesOf(`<textarea${area[1] ?? ''}>`);
      if (a.name) fields[a.name] = decodeEntities(area[2] ?? '');
    }
    forms.push({
      id: attributes.id,
      action: new URL(attributes.action ?? '', baseUrl).href,
      method: (attributes.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET',
      fields,
    });
  }
  return forms;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `href` of the link with this id, entities decoded, or undefined. */
function linkHref(html: string, id: string): string | undefined {
  const tag = new RegExp(`<a\\b[^>]*\\bid="${escapeRegExp(id)}"[^>]*>`, 'i').exec(html)?.[0];
  return tag ? attributesOf(tag).href : undefined;
}

/** The text content of the element with this id (tags stripped, entities decoded), or undefined. */
export function textById(html: string, id: string): string | undefined {
  const match = new RegExp(`<(\\w+)\\b[^>]*\\bid="${escapeRegExp(id)}"[^>]*>([\\s\\S]*?)</\\1>`, 'i').exec(html);
  return match ? decodeEntities((match[2] ?? '').replace(/<[^>]+>/g, '')).trim() : undefined;
}

export interface SubmitOptions {
  /** `#id` of the form, or its index on the page; default: the first form. */
  form?: string | number;
  /** Values to set (merged over the form's own fields). */
  fields?: Record<string, string>;
  /** `#id` of a submit button whose name/value is sent (and whose `form=` attribute picks the form). */
  submitter?: string;
  stopAt?: (url: URL) => boolean;
  /** See {@link HttpFormDriver.follow}; a number limits how many self-submitting pages are run. */
  autoSubmit?: boolean | number;
}

export interface FollowOptions extends RequestOptions {
  stopAt?: (url: URL) => boolean;
  maxRedirects?: number;
  /** See {@link HttpFormDriver.follow}; a number limits how many self-submitting pages are run. */
  autoSubmit?: boolean | number;
}

export class HttpFormDriver {
  readonly jar = new CookieJar();
  readonly #ca: string | string[] | undefined;
  /** Every request made, in order: `METHOD url -> status`. */
  readonly history: string[] = [];

  constructor(options: { ca?: string | string[] } = {}) {
    this.#ca = options.ca;
  }

  /** One request, cookies sent and stored; redirects not followed. */
  request(url: string | URL, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.#send(url, options, true);
  }

  async #send(url: string | URL, options: RequestOptions, sendCookies: boolean): Promise<HttpResponse> {
    const cookie = sendCookies ? this.jar.header(url) : undefined;
    const response = await httpRequest(url, {
      ...options,
      ca: this.#ca,
      headers: { 'user-agent': 'http-form-driver', ...(cookie ? { cookie } : {}), ...options.headers },
    });
    this.jar.store(url, response.headers['set-cookie']);
    this.history.push(`${options.method ?? (options.form || options.body !== undefined ? 'POST' : 'GET')} ${new URL(url).href} -> ${response.status}`);
    return response;
  }

  /**
   * Requests `url` and follows redirects (303 and 301/302 turn into GET, as browsers do). Stops
   * before requesting a redirect target for which `stopAt` is true and returns it as `url`.
   *
   * Like a browser with JavaScript, it also runs self-submitting pages (unless `autoSubmit` is
   * false): `document.forms[0].submit()` (OIDC form_post and the provider's hand-over pages) and
   * `document.getElementById('x').click()` on a submit button or a link (the provider's sign-out
   * pages). Before that it loads the page's iframes, as a browser does: a frame of another site
   * (scheme or host differ; ports do not count) gets no cookies, as browsers keep `SameSite=Lax`
   * cookies (their default) home. The jar does not model `SameSite=None`.
   */
  async follow(url: string | URL, options: FollowOptions = {}): Promise<HttpResponse> {
    const { stopAt, maxRedirects = 20, autoSubmit = true, ...request } = options;
    let response = await this.request(url, request);
    for (let hops = 0; response.status >= 300 && response.status < 400 && response.headers.location; hops++) {
      if (hops >= maxRedirects) throw new Error(`Too many redirects from ${String(url)}`);
      const next = new URL(response.headers.location, response.url);
      if (stopAt?.(next)) return { ...response, url: next.href, stopped: true };
      const keepMethod = response.status === 307 || response.status === 308;
      response = await this.request(next, keepMethod ? request : {});
    }
    const budget = typeof autoSubmit === 'number' ? autoSubmit : autoSubmit ? 5 : 0;
    if (budget > 0 && response.status === 200) {
      await this.#loadFrames(response);
      const next = { stopAt, autoSubmit: budget - 1 };
      if (/document\.forms\[0\]\.submit\(\)/.test(response.body)) return this.submitForm(response, { ...next, form: 0 });
      const click = /document\.getElementById\('([^']+)'\)\.click\(\)/.exec(response.body)?.[1];
      const href = click && linkHref(response.body, click);
      if (href) {
        const target = new URL(href, response.url);
        return stopAt?.(target) ? { ...response, url: target.href, stopped: true } : this.follow(target, next);
      }
      if (click) return this.submitForm(response, { ...next, submitter: `#${click}` });
    }
    return response;
  }

  async #loadFrames(page: HttpResponse): Promise<void> {
    const site = (url: URL) => `${url.protocol}//${url.hostname}`;
    for (const tag of page.body.matchAll(/<iframe\b[^>]*>/gi)) {
      const src = attributesOf(tag[0]).src;
      if (!src) continue;
      const target = new URL(src, page.url);
      // A frame that cannot load shows an error inside it; the page itself goes on.
      await this.#send(target, {}, site(target) === site(new URL(page.url))).catch((error: unknown) => {
        this.history.push(`GET ${target.href} -> ${(error as Error).message}`);
      });
    }
  }

  /** Fills and submits a form of `page`, then follows redirects. */
  async submitForm(page: HttpResponse, options: SubmitOptions = {}): Promise<HttpResponse> {
    const forms = parseForms(page.body, page.url);
    let formRef = options.form;
    const fields: Record<string, string> = {};
    if (options.submitter) {
      const id = options.submitter.replace(/^#/, '');
      const tag = new RegExp(`<(button|input)\\b[^>]*\\bid="${id}"[^>]*>`, 'i').exec(page.body)?.[0];
      if (!tag) throw new Error(`No submit button ${options.submitter} on ${page.url}:\n${page.body}`);
      const a = attributesOf(tag);
      if (a.name) fields[a.name] = a.value ?? '';
      if (a.form && formRef === undefined) formRef = `#${a.form}`;
    }
    const form =
      typeof formRef === 'number'
        ? forms[formRef]
        : typeof formRef === 'string'
          ? forms.find((f) => f.id === formRef.replace(/^#/, ''))
          : forms[0];
    if (!form) throw new Error(`No form ${String(formRef ?? '')} on ${page.url} (status ${page.status}):\n${page.body}`);
    const values = { ...form.fields, ...fields, ...options.fields };
    if (form.method === 'GET') {
      const target = new URL(form.action);
      for (const [key, value] of Object.entries(values)) target.searchParams.set(key, value);
      return this.follow(target, { stopAt: options.stopAt, autoSubmit: options.autoSubmit });
    }
    return this.follow(form.action, { method: 'POST', form: values, stopAt: options.stopAt, autoSubmit: options.autoSubmit });
  }
}
