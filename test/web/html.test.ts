import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { escapeHtml, html, query } from '../../src/web/html.js';

describe('html templates escape every value', () => {
  it('escapes the characters that open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\``)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
    expect(html`<p title="${'" onmouseover="alert(1)'}">${'<script>alert(1)</script>'}</p>`.text)
      .toBe('<p title="&quot; onmouseover=&quot;alert(1)">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });
  it('keeps fragments made by html as markup, once (no double escaping)', () => {
    const inner = html`<b>${'a&b'}</b>`;
    expect(html`<p>${inner}${[inner, 'c<d']}</p>`.text).toBe('<p><b>a&amp;b</b><b>a&amp;b</b>c&lt;d</p>');
  });
  it('writes nothing for null, undefined and false, and numbers as text', () => {
    expect(html`${null}${undefined}${false}${0}${12.5}`.text).toBe('012.5');
  });
  it('no string put into text or a quoted attribute adds a tag or an attribute', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = html`<p title="${s}" data-x='${s}'>${s}</p>`.text;
      const inner = out.slice('<p title="'.length);
      // The only markup characters left are the template's own.
      expect(out.split('<').length - 1).toBe(2);
      expect(out.split('>').length - 1).toBe(2);
      expect(inner.split('"').length - 1).toBe(1);
      expect(out.split("'").length - 1).toBe(2);
    }), { numRuns: 300 });
  });
  it('builds query strings with every key and value percent-encoded, empty ones left out', () => {
    expect(query({ q: 'a b&c=d', dept: '县工商局', cat: '', page: 2, x: undefined })).toBe('?q=a+b%26c%3Dd&dept=%E5%8E%BF%E5%B7%A5%E5%95%86%E5%B1%80&page=2');
    expect(query({})).toBe('');
  });
});
