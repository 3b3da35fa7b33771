/**
 * The crops the Faceplugin attribute models were built for, reimplemented from
 * `faceplugin-face-recognition-js/lib/fr_{age,gender,expression,liveness}.js` (OpenCV.js there):
 * a pixel rectangle derived from the detector's box, resized bilinearly (OpenCV's
 * `INTER_LINEAR`, half-pixel centres) into a planar float tensor.
 */
import type { FacialArea, RgbImage } from '../types.js';

/** An integer rectangle inside the image: 0 <= x, x + w <= width (same for y). */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * Which colour goes in which input plane, then `(value - mean[plane]) * scale[plane]` on 0-255 values.
 * `bgr` is OpenCV's order, the one the Faceplugin models answer best to (see face-attribute-model.ts).
 */
export interface PixelNormalisation {
  readonly order: 'rgb' | 'bgr';
  readonly mean: readonly [number, number, number];
  readonly scale: readonly [number, number, number];
}

/**
 * How a model's crop is derived from the face box:
 * - `centred`: the box grown `scale` times about its centre, shrunk until it fits the image and
 *   shifted inside it (age and gender use 1.4, liveness 2.7 — the liveness model wants context);
 * - `grow-right-down`: the box's top-left corner kept, width and height multiplied by `factor`
 *   (expression, 1.2 — the vendor's crop, off-centre as shipped).
 */
export type CropRule =
  | { readonly kind: 'centred'; readonly scale: number }
  | { readonly kind: 'grow-right-down'; readonly factor: number };

/**
 * The pixel rectangle a rule takes from the image, or `undefined` when the box covers no whole
 * pixel of the image. The box corners are truncated to integers first, as the vendor does; a box
 * reaching past the border keeps its size, so the centred crop is shifted inside, not shrunk.
 *
 * @example
 * cropRect(100, 100, { x: 40, y: 40, w: 20, h: 20 }, { kind: 'centred', scale: 1.4 }) // { x: 36, y: 36, w: 28, h: 28 }
 */
export function cropRect(imageWidth: number, imageHeight: number, box: Pick<FacialArea, 'x' | 'y' | 'w' | 'h'>, rule: CropRule): PixelRect | undefined {
  const x1 = Math.trunc(box.x);
  const y1 = Math.trunc(box.y);
  const boxW = Math.trunc(box.x + box.w) - x1;
  const boxH = Math.trunc(box.y + box.h) - y1;
  const overlaps = x1 < imageWidth && y1 < imageHeight && x1 + boxW > 0 && y1 + boxH > 0;
  if (!(boxW >= 1 && boxH >= 1 && overlaps)) return undefined;
  if (rule.kind === 'grow-right-down') {
    const left = Math.max(0, x1);
    const top = Math.max(0, y1);
    return {
      x: left,
      y: top,
      w: Math.max(1, Math.min(x1 + Math.trunc(boxW * rule.factor), imageWidth) - left),
      h: Math.max(1, Math.min(y1 + Math.trunc(boxH * rule.factor), imageHeight) - top),
    };
  }
  const scale = Math.min((imageHeight - 1) / boxH, (imageWidth - 1) / boxW, rule.scale);
  const [left, width] = fitSpan(x1 + boxW / 2, boxW * scale, imageWidth);
  const [top, height] = fitSpan(y1 + boxH / 2, boxH * scale, imageHeight);
  return { x: left, y: top, w: width, h: height };
}

/** A span of `length` centred on `centre`, shifted to lie within [0, limit - 1], as integer start and length. */
function fitSpan(centre: number, length: number, limit: number): [number, number] {
  let start = centre - length / 2;
  let end = centre + length / 2;
  if (start < 0) {
    end -= start;
    start = 0;
  }
  if (end > limit - 1) {
    start -= end - limit + 1;
    end = limit - 1;
  }
  const first = Math.max(Math.trunc(start), 0);
  return [first, Math.max(1, Math.min(Math.trunc(end - start), limit - first))];
}

/**
 * Resizes `rect` of `image` to `size`×`size` and writes it planar (CHW, planes in `pixels.order`)
 * into `out`, normalised per plane. `out` must hold 3·size² values.
 */
export function resampleToPlanar(image: RgbImage, rect: PixelRect, size: number, pixels: PixelNormalisation, out: Float32Array): void {
  const { data, width } = image;
  const plane = size * size;
  const stepX = rect.w / size;
  const stepY = rect.h / size;
  const [mean0, mean1, mean2] = pixels.mean;
  const [scale0, scale1, scale2] = pixels.scale;
  const first = pixels.order === 'bgr' ? 2 : 0;
  const last = 2 - first;
  for (let oy = 0; oy < size; oy++) {
    const fy = Math.min(Math.max((oy + 0.5) * stepY - 0.5, 0), rect.h - 1);
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const row0 = (rect.y + y0) * width;
    const row1 = (rect.y + Math.min(y0 + 1, rect.h - 1)) * width;
    for (let ox = 0; ox < size; ox++) {
      const fx = Math.min(Math.max((ox + 0.5) * stepX - 0.5, 0), rect.w - 1);
      const x0 = Math.floor(fx);
      const wx = fx - x0;
      const col0 = rect.x + x0;
      const col1 = rect.x + Math.min(x0 + 1, rect.w - 1);
      const a = (row0 + col0) * 3;
      const b = (row0 + col1) * 3;
      const c = (row1 + col0) * 3;
      const d = (row1 + col1) * 3;
      const w00 = (1 - wx) * (1 - wy);
      const w01 = wx * (1 - wy);
      const w10 = (1 - wx) * wy;
      const w11 = wx * wy;
      const o = oy * size + ox;
      // In range by construction (the rect lies inside the image); `?? 0` only satisfies the type
      // without a call per read in this per-pixel loop (see warpAffine in align.ts).
      out[o] = (w00 * (data[a + first] ?? 0) + w01 * (data[b + first] ?? 0) + w10 * (data[c + first] ?? 0) + w11 * (data[d + first] ?? 0) - mean0) * scale0;
      out[plane + o] = (w00 * (data[a + 1] ?? 0) + w01 * (data[b + 1] ?? 0) + w10 * (data[c + 1] ?? 0) + w11 * (data[d + 1] ?? 0) - mean1) * scale1;
      out[2 * plane + o] = (w00 * (data[a + last] ?? 0) + w01 * (data[b + last] ?? 0) + w10 * (data[c + last] ?? 0) + w11 * (data[d + last] ?? 0) - mean2) * scale2;
    }
  }
}
