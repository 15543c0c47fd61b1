// The report's charts are SVG made on the server: bars proportional to the values, labels escaped,
// an accessible name and summary, no script and no style attribute (the page's CSP allows neither).
import { describe, expect, it } from 'vitest';
import { barChart, MAX_CHART_ROWS } from '../../src/web/svg-chart.js';

const chart = (rows: { label: string; values: (number | null)[] }[], max?: number) => barChart({
  id: 'c', title: '按时办结率', series: [{ name: '办结', fill: '#2f7d32' }, { name: '审查', fill: '#1f5fa8' }], rows, ...(max !== undefined ? { max } : {}),
}).text;

const widths = (svg: string) => [...svg.matchAll(/<rect x="150" y="\d+" width="(\d+)" height="14"/g)].map((m) => Number(m[1]));

describe('server-made SVG bar charts', () => {
  it('draws each value as a bar proportional to the axis, and a dash for a missing one', () => {
    const svg = chart([{ label: '工商', values: [100, 50] }, { label: '税务', values: [25, null] }], 100);
    expect(widths(svg)).toEqual([360, 180, 90]);
    expect(svg).toContain('>—</text>');
    expect(svg).toMatch(/^<svg class="chart" id="c" role="img" aria-labelledby="c-t c-d"/);
    expect(svg).toContain('<title id="c-t">按时办结率</title>');
    expect(svg).toContain('<desc id="c-d">工商: 办结 100, 审查 50; 税务: 办结 25, 审查 —</desc>');
  });

  it('escapes every label and never emits script, style or event handlers', () => {
    const svg = chart([{ label: '<script>alert(1)</script>" onload="x', values: [1, 2] }]);
    expect(svg).not.toMatch(/<script|\sstyle=|\sonload="/);
    expect(svg).toContain('&lt;script&gt;');
  });

  it('keeps a zero, negative or non-finite value from drawing outside the axis', () => {
    expect(widths(chart([{ label: 'a', values: [0, -5] }, { label: 'b', values: [Number.NaN, Infinity] }], 10))).toEqual([0, 0]);
  });

  it(`draws at most ${MAX_CHART_ROWS} rows`, () => {
    const rows = Array.from({ length: MAX_CHART_ROWS + 10 }, (_, i) => ({ label: `d${i}`, values: [i, i] }));
    expect(chart(rows).match(/<g>/g)).toHaveLength(MAX_CHART_ROWS);
  });
});
