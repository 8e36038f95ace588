/**
 * HTML built from templates that escape by default: every value put into an
 * {@link html} template is escaped unless it is itself {@link Html}, so text
 * from a token, a setting or a request can never become markup.
 *
 * @example
 * ```ts
 * const name = '<script>';
 * html`<p>Hello, ${name}</p>`.text; // "<p>Hello, &#60;script&#62;</p>"
 * html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`;
 * ```
 */

/** Markup that is safe to insert as is: made by {@link html} only. */
export class Html {
  /** @internal use {@link html} */
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** What a template accepts: text (escaped), markup, lists of either, and nothing (`undefined`, `null`, `false`). */
export type HtmlValue = string | number | Html | undefined | null | false | readonly HtmlValue[];

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  return new Html(strings.reduce((out, part, index) => out + render(values[index - 1] as HtmlValue) + part));
}
