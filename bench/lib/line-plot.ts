/**
 * An x–y line chart as an SVG string drawn by hand (no charting dependency), for curves such as
 * recall against latency; bench/lib/plot.ts turns it into a PNG.
 */

export interface XySeries {
  readonly label: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Drawn dashed: a peer's curve beside ours. */
  readonly dashed?: boolean;
  /** Drawn thicker, with its points marked. */
  readonly emphasis?: boolean;
}

export interface XyPlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Axis ranges; by default from the data (y zoomed to where the curves are, up to 1: a recall). */
  readonly xMax?: number;
  readonly yMin?: number;
  readonly yMax?: number;
  /** A logarithmic x axis with a tick per decade, for sizes that span several (e.g. megabytes scanned). */
  readonly xLog?: boolean;
  /** Target lines drawn across the plot, e.g. recall 0.98 and p50 0.5 ms. */
  readonly xGuide?: number;
  readonly yGuide?: number;
}

const WIDTH = 960;
const HEIGHT = 600;
const MARGIN = { left: 70, right: 320, top: 40, bottom: 55 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** An SVG of one or more curves on linear axes, the legend to the right of the plot. */
export function renderXySvg(series: readonly XySeries[], options: XyPlotOptions): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const xMax = options.xMax ?? (options.xLog === true ? 10 ** Math.ceil(Math.log10(Math.max(...xs))) : niceCeil(Math.max(...xs, options.xGuide ?? 0)));
  const xMin = options.xLog === true ? 10 ** Math.floor(Math.log10(Math.min(...xs))) : 0;
  const yMax = options.yMax ?? 1;
  const yLowest = Math.min(...all.map((p) => p.y), options.yGuide ?? yMax);
  const yMin = options.yMin ?? Math.max(0, Math.floor((yLowest / yMax) * 20) / 20) * yMax;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const xFraction = options.xLog === true ? (v: number) => Math.log10(v / xMin) / Math.log10(xMax / xMin) : (v: number) => v / xMax;
  const x = (v: number) => MARGIN.left + xFraction(Math.min(v, xMax)) * plotW;
  const y = (v: number) => MARGIN.top + ((1 - (Math.min(Math.max(v, yMin), yMax) - yMin) / (yMax - yMin)) * plotH);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
  ];
  const xStep = niceStep(xMax / 8);
  const xTicks: number[] = [];
  if (options.xLog === true) for (let v = xMin; v <= xMax * (1 + 1e-9); v *= 10) xTicks.push(v);
  else for (let v = 0; v <= xMax + 1e-9; v += xStep) xTicks.push(v);
  for (const v of xTicks) {
    parts.push(`<line x1="${x(v)}" y1="${MARGIN.top}" x2="${x(v)}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(v)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${trimNumber(v)}</text>`);
  }
  const yStep = niceStep((yMax - yMin) / 8);
  for (let v = yMax; v >= yMin - 1e-9; v -= yStep) {
    parts.push(`<line x1="${MARGIN.left}" y1="${y(v)}" x2="${MARGIN.left + plotW}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${y(v) + 4}" text-anchor="end">${trimNumber(v)}</text>`);
  }
  if (options.xGuide !== undefined) {
    parts.push(`<line x1="${x(options.xGuide)}" y1="${MARGIN.top}" x2="${x(options.xGuide)}" y2="${MARGIN.top + plotH}" stroke="#888" stroke-dasharray="2 3"/>`);
  }
  if (options.yGuide !== undefined) {
    parts.push(`<line x1="${MARGIN.left}" y1="${y(options.yGuide)}" x2="${MARGIN.left + plotW}" y2="${y(options.yGuide)}" stroke="#888" stroke-dasharray="2 3"/>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    const width = s.emphasis === true ? 3 : 1.6;
    const dash = s.dashed === true ? ' stroke-dasharray="6 4"' : '';
    const path = s.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="${width}"${dash}/>`);
    for (const p of s.points) parts.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="${s.emphasis === true ? 3.5 : 2.2}" fill="${colour}"/>`);
    const lx = MARGIN.left + plotW + 14;
    const ly = MARGIN.top + 10 + i * 20;
    parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 26}" y2="${ly - 4}" stroke="${colour}" stroke-width="${width + 1}"${dash}/>`);
    parts.push(`<text x="${lx + 32}" y="${ly}">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

function niceCeil(v: number): number {
  const step = niceStep(v / 8);
  return Math.ceil(v / step) * step;
}

function trimNumber(v: number): string {
  return String(Number(v.toFixed(6)));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
