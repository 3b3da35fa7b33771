/**
 * ROC plots for the evaluation benches: an SVG string drawn by hand (no charting dependency),
 * turned into a PNG by sharp. FAR runs on a log axis, where face verification is judged.
 */
import sharp from 'sharp';

export interface RocSeries {
  readonly label: string;
  readonly points: readonly { readonly far: number; readonly tar: number }[];
}

export interface RocPlotOptions {
  readonly title: string;
  /** Left end of the FAR axis: below it points are drawn at it. Default 1e-4. */
  readonly farFloor?: number;
}

const WIDTH = 760;
const HEIGHT = 520;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 55 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** An SVG of one or more ROC curves, TAR against log FAR, with the TAR axis zoomed to the curves. */
export function renderRocSvg(series: readonly RocSeries[], options: RocPlotOptions): string {
  const farFloor = options.farFloor ?? 1e-4;
  const decades = Math.round(-Math.log10(farFloor));
  // Zoom on where the curves are; TAR 0 (nothing accepted yet) would flatten every curve into the top edge.
  const visibleTars = series.flatMap((s) => [tarAtOrBelow(s.points, farFloor), ...s.points.filter((p) => p.far >= farFloor).map((p) => p.tar)]);
  const lowest = Math.min(1, ...visibleTars.filter((t) => t > 0));
  const tarFloor = Math.max(0, Math.floor(lowest * 20) / 20 - (lowest === 1 ? 0.05 : 0));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (far: number) => MARGIN.left + ((Math.log10(Math.max(far, farFloor)) + decades) / decades) * plotW;
  const y = (tar: number) => MARGIN.top + ((1 - Math.max(tar, tarFloor)) / (1 - tarFloor)) * plotH;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
  ];
  for (let e = -decades; e <= 0; e++) {
    const gx = x(10 ** e);
    parts.push(`<line x1="${gx}" y1="${MARGIN.top}" x2="${gx}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`);
    parts.push(`<text x="${gx}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">1e${e}</text>`);
  }
  const tarStep = 1 - tarFloor > 0.3 ? 0.1 : 1 - tarFloor > 0.1 ? 0.05 : 0.01;
  for (let t = 1; t >= tarFloor - 1e-9; t -= tarStep) {
    const gy = y(t);
    parts.push(`<line x1="${MARGIN.left}" y1="${gy}" x2="${MARGIN.left + plotW}" y2="${gy}" stroke="#ddd"/>`);
    parts.push(`<text x="${MARGIN.left - 8}" y="${gy + 4}" text-anchor="end">${(t * 100).toFixed(0)} %</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">false accept rate (log)</text>`);
  parts.push(`<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">true accept rate</text>`);
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const path = s.points.map((p) => `${x(p.far).toFixed(1)},${y(p.tar).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    const ly = MARGIN.top + plotH - 14 - (series.length - 1 - i) * 18;
    parts.push(`<line x1="${MARGIN.left + plotW - 330}" y1="${ly - 4}" x2="${MARGIN.left + plotW - 305}" y2="${ly - 4}" stroke="${colour}" stroke-width="3"/>`);
    parts.push(`<text x="${MARGIN.left + plotW - 298}" y="${ly}">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Renders an SVG string to a PNG file. */
export async function writeSvgAsPng(svg: string, path: string): Promise<void> {
  await sharp(Buffer.from(svg)).png().toFile(path);
}

// The curve's height where it enters the plot, so the zoom never hides its left end.
function tarAtOrBelow(points: RocSeries['points'], far: number): number {
  let tar = 0;
  for (const p of points) if (p.far <= far) tar = p.tar;
  return tar;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
