// Bar charts drawn on the server as SVG: no chart library and no script, so a report page renders the
// same with JavaScript off and the CSP forbids nothing it needs. Colours are presentation attributes
// (fill=…), not style attributes, which `default-src 'self'` would block. Every label is escaped by
// `html`; an accessible name (<title>) and a text summary (<desc>) go with each chart, and the page
// shows the same figures as a table beside it.
import { html, type Html } from './html.js';

export interface Series { readonly name: string; readonly fill: string }
export interface BarRow { readonly label: string; readonly values: readonly (number | null)[] }

export interface BarChart {
  readonly id: string;
  readonly title: string;
  readonly series: readonly Series[];
  readonly rows: readonly BarRow[];
  /** The axis's end; default the largest value (at least 1). */
  readonly max?: number;
  /** How a value is written at the end of its bar. */
  readonly format?: (v: number) => string;
}

const LABEL_W = 150;
const BAR_W = 360;
const VALUE_W = 60;
const BAR_H = 16;
const GAP = 10;
const LEGEND_H = 24;

/** At most this many rows are drawn (a county has a few dozen departments; the table lists them all). */
export const MAX_CHART_ROWS = 60;

const num = (v: number) => (Math.round(v * 10) / 10).toString();

export function barChart(c: BarChart): Html {
  const rows = c.rows.slice(0, MAX_CHART_ROWS);
  const all = rows.flatMap((r) => r.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const max = Math.max(c.max ?? 0, ...all, 1);
  const fmt = c.format ?? num;
  const groupH = c.series.length * BAR_H + GAP;
  const height = LEGEND_H + rows.length * groupH + GAP;
  const width = LABEL_W + BAR_W + VALUE_W;
  const bars = rows.map((r, i) => {
    const y0 = LEGEND_H + i * groupH;
    return html`<g><text x="${LABEL_W - 6}" y="${y0 + (c.series.length * BAR_H) / 2 + 5}" text-anchor="end" font-size="13" fill="#1f2933">${r.label}</text>${c.series.map((s, k) => {
      const v = r.values[k];
      const y = y0 + k * BAR_H;
      if (v === null || v === undefined || !Number.isFinite(v)) return html`<text x="${LABEL_W + 4}" y="${y + 12}" font-size="12" fill="#52606d">—</text>`;
      const w = Math.max(0, Math.round((v / max) * BAR_W));
      return html`<rect x="${LABEL_W}" y="${y + 1}" width="${w}" height="${BAR_H - 2}" fill="${s.fill}"><title>${s.name} ${r.label}: ${fmt(v)}</title></rect><text x="${LABEL_W + w + 4}" y="${y + 12}" font-size="12" fill="#1f2933">${fmt(v)}</text>`;
    })}</g>`;
  });
  const legend = c.series.map((s, k) => html`<rect x="${LABEL_W + k * 120}" y="4" width="12" height="12" fill="${s.fill}"/><text x="${LABEL_W + k * 120 + 16}" y="15" font-size="12" fill="#1f2933">${s.name}</text>`);
  const desc = rows.map((r) => `${r.label}: ${r.values.map((v, k) => `${c.series[k]?.name ?? ''} ${v === null ? '—' : fmt(v)}`).join(', ')}`).join('; ');
  return html`<svg class="chart" id="${c.id}" role="img" aria-labelledby="${c.id}-t ${c.id}-d" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title id="${c.id}-t">${c.title}</title><desc id="${c.id}-d">${desc}</desc>${legend}<line x1="${LABEL_W}" y1="${LEGEND_H - 2}" x2="${LABEL_W}" y2="${height - GAP / 2}" stroke="#9aa5b1"/>${bars}</svg>`;
}
