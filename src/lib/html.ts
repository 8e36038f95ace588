/**
 * Escaping for the app's HTML: every value that is not a literal of ours
 * goes through {@link escapeHtml}, in text and in attribute values alike.
 *
 * @example
 * ```ts
 * `<p>Signed in as ${escapeHtml(name)}</p>`
 * ```
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
