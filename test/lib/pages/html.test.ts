import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../../src/lib/pages/html';

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
    expect(escapeHtml('plain text')).toBe('plain text');
  });
});

describe('html templates', () => {
  it('escapes every interpolated text, and only text', () => {
    const hostile = `<script>alert("x")</script>' & "`;
    expect(html`<p title="${hostile}">${hostile}</p>`.text).toBe(
      '<p title="&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#39; &#38; &#34;">&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;&#39; &#38; &#34;</p>',
    );
    expect(html`<p>${html`<b>${'<i>'}</b>`}</p>`.text).toBe('<p><b>&#60;i&#62;</b></p>');
  });

  it('joins lists and leaves out nothing-values, but keeps 0', () => {
    expect(html`<ul>${['a', 'b'].map((item) => html`<li>${item}</li>`)}</ul>`.text).toBe('<ul><li>a</li><li>b</li></ul>');
    expect(html`[${undefined}${null}${false}${0}]`.text).toBe('[0]');
  });
});
