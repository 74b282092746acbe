import { escapeHtml } from "../html.ts";

/**
 * Charts drawn on the server as inline SVG: no script, no external file (the CSP allows neither).
 * Each chart is `role="img"` with a `<title>` and a `<desc>` summarising every row in words, and
 * every number is also written as text beside its bar, so nothing depends on telling colours apart
 * (the "dislike" series is hatched as well). Labels are truncated to fit; the full label is the
 * row's tooltip, and the table under each chart has everything.
 */

// A narrow drawing (scaled to the screen): on a 360 px phone its text stays ~80% of its size.
const WIDTH = 420;
const MAX_DISPLAY = 540;
const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"`;

export interface ChartSeries {
  name: string;
  /** Bar colour, and the colour of text written on it (contrast ≥ 4.5:1). */
  fill: string;
  text: string;
  /** Diagonal hatching on top of the colour: a second, colour-free cue. */
  hatch?: boolean;
}

export interface StackedRow {
  label: string;
  /** Written at the right of the label line, e.g. "120 đánh giá". */
  note?: string;
  /** One value per series, in the series' order. */
  values: number[];
}

export interface BarRow {
  label: string;
  /** null: nothing to draw (the valueText says why). Negative values draw no bar. */
  value: number | null;
  valueText: string;
}

/** Rough width of text in the drawing's units (Vietnamese letters average ~0.55 em; bold a little more). */
function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/** Shortens a label to fit beside the text written at the right of its line. */
function fit(label: string, besideIt: string, besideFont: number): string {
  const room = WIDTH - (besideIt ? textWidth(besideIt, besideFont) + 14 : 0);
  const max = Math.max(8, Math.floor(room / (15 * 0.6)));
  return label.length > max ? `${label.slice(0, max - 1).trimEnd()}…` : label;
}

/** 12.5 → "12,5%" (Vietnamese decimal comma). */
function pct(n: number): string {
  return `${n.toLocaleString("vi-VN", { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

function frame(id: string, title: string, desc: string, height: number, body: string): string {
  return `<svg class="chart" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" style="width:100%;max-width:${MAX_DISPLAY}px;height:auto" ${FONT} xmlns="http://www.w3.org/2000/svg">
<title id="${id}-title">${escapeHtml(title)}</title>
<desc id="${id}-desc">${escapeHtml(desc)}</desc>
${body}
</svg>`;
}

/**
 * Horizontal stacked bars, one per row, each split into the series' shares of the row's total:
 * a legend, then per row its label, the bar (percentages written inside wide segments) and a line
 * naming every series with its percentage.
 */
export function stackedBarChart(o: { id: string; title: string; series: ChartSeries[]; rows: StackedRow[]; emptyRowText: string }): string {
  const id = o.id.replace(/[^a-z0-9-]/gi, "");
  const parts: string[] = [];
  const hatched = o.series.some((s) => s.hatch);
  if (hatched) {
    parts.push(`<defs><pattern id="${id}-hatch" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)"><rect width="3" height="8" fill="#ffffff" fill-opacity="0.35"/></pattern></defs>`);
  }
  // Legend: a swatch and a name per series.
  let x = 0;
  const legend = o.series.map((s) => {
    const item = `<g><rect x="${x}" y="4" width="16" height="16" fill="${s.fill}"/>${s.hatch ? `<rect x="${x}" y="4" width="16" height="16" fill="url(#${id}-hatch)"/>` : ""}<text x="${x + 21}" y="17" font-size="13">${escapeHtml(s.name)}</text></g>`;
    x += 21 + s.name.length * 7 + 14;
    return item;
  });
  parts.push(`<g class="legend">${legend.join("")}</g>`);

  const top = 32;
  const rowHeight = 78;
  const summaries: string[] = [];
  o.rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const total = row.values.reduce((a, b) => a + b, 0);
    const shares = row.values.map((v) => (total > 0 ? (v / total) * 100 : 0));
    const breakdown = total > 0 ? o.series.map((s, k) => `${s.name} ${pct(Math.round((shares[k] ?? 0) * 10) / 10)}`).join(" · ") : o.emptyRowText;
    summaries.push(`${row.label}: ${breakdown}${row.note ? ` (${row.note})` : ""}`);
    const g: string[] = [`<title>${escapeHtml(row.label)}</title>`];
    g.push(`<text x="0" y="${y + 16}" font-size="15" font-weight="600">${escapeHtml(fit(row.label, row.note ?? "", 13))}</text>`);
    if (row.note) g.push(`<text x="${WIDTH}" y="${y + 16}" font-size="13" text-anchor="end" fill="#444">${escapeHtml(row.note)}</text>`);
    const barY = y + 23;
    if (total <= 0) {
      g.push(`<rect x="0" y="${barY}" width="${WIDTH}" height="28" fill="#eeeeee"/>`);
      g.push(`<text x="8" y="${barY + 19}" font-size="13" fill="#444">${escapeHtml(o.emptyRowText)}</text>`);
    } else {
      let offset = 0;
      o.series.forEach((s, k) => {
        const w = ((shares[k] ?? 0) / 100) * WIDTH;
        if (w <= 0) return;
        g.push(`<rect x="${offset.toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="28" fill="${s.fill}"/>`);
        if (s.hatch) g.push(`<rect x="${offset.toFixed(1)}" y="${barY}" width="${w.toFixed(1)}" height="28" fill="url(#${id}-hatch)"/>`);
        if (w >= 44) {
          g.push(`<text x="${(offset + w / 2).toFixed(1)}" y="${barY + 19}" font-size="12" font-weight="700" text-anchor="middle" fill="${s.text}">${pct(Math.round((shares[k] ?? 0) * 10) / 10)}</text>`);
        }
        offset += w;
      });
    }
    if (total > 0) g.push(`<text x="0" y="${y + 68}" font-size="12.5" fill="#333">${escapeHtml(breakdown)}</text>`);
    parts.push(`<g class="row">${g.join("")}</g>`);
  });
  return frame(id, o.title, summaries.join("; "), top + o.rows.length * rowHeight, parts.join("\n"));
}

/** Horizontal bars on a 0–max track, one per row, the value written at the right of the label. */
export function barChart(o: { id: string; title: string; rows: BarRow[]; max: number; fill?: string }): string {
  const id = o.id.replace(/[^a-z0-9-]/gi, "");
  const fill = o.fill ?? "#1d4ed8";
  const rowHeight = 54;
  const parts = o.rows.map((row, i) => {
    const y = i * rowHeight;
    const ratio = row.value === null || o.max <= 0 ? 0 : Math.min(1, Math.max(0, row.value / o.max));
    return `<g class="row"><title>${escapeHtml(`${row.label}: ${row.valueText}`)}</title>
<text x="0" y="${y + 16}" font-size="15" font-weight="600">${escapeHtml(fit(row.label, row.valueText, 14))}</text>
<text x="${WIDTH}" y="${y + 16}" font-size="14" font-weight="700" text-anchor="end">${escapeHtml(row.valueText)}</text>
<rect x="0" y="${y + 23}" width="${WIDTH}" height="22" fill="#eeeeee"/>${ratio > 0 ? `<rect x="0" y="${y + 23}" width="${(ratio * WIDTH).toFixed(1)}" height="22" fill="${fill}"/>` : ""}</g>`;
  });
  const desc = o.rows.map((r) => `${r.label}: ${r.valueText}`).join("; ");
  return frame(id, o.title, desc, Math.max(1, o.rows.length) * rowHeight, parts.join("\n"));
}
