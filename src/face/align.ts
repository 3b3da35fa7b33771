/**
 * Face alignment: a least-squares similarity transform from detected landmarks onto a model's
 * canonical template, and the warp that produces the aligned crop. Pure functions on plain arrays.
 *
 * Why a similarity (rotation, uniform scale, translation) fitted on five points: on LFW the same
 * 512-d model scored 99.2 % with it and 90.3 % with an exact 3-point affine, whose extra degrees
 * of freedom turn landmark noise into shear (design.md, "Alignment decides accuracy").
 *
 * Coordinates follow OpenCV: the centre of pixel (i, j) is at (i, j).
 */
import { at } from '../util/checked.js';
import type { Point, RgbImage } from './types.js';
import { halveRgb, warpRgb } from './warp/warp-kernel.js';

/** A 2-D affine map: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/** Where the five landmarks (left eye, right eye, nose tip, mouth left, mouth right) sit in an aligned crop. */
export interface AlignmentTemplate {
  readonly size: number;
  readonly points: readonly Point[];
}

/** The standard ArcFace / InsightFace 112×112 template (insightface `arcface_dst`). */
export const ARCFACE_TEMPLATE_112: AlignmentTemplate = Object.freeze({
  size: 112,
  points: Object.freeze([
    { x: 38.2946, y: 51.6963 },
    { x: 73.5318, y: 51.5014 },
    { x: 56.0252, y: 71.7366 },
    { x: 41.5493, y: 92.3655 },
    { x: 70.7299, y: 92.2041 },
  ]),
});

/** The same template for a crop of another side: ArcFace at 160 px is `scaleTemplate(ARCFACE_TEMPLATE_112, 160)`. */
export function scaleTemplate(template: AlignmentTemplate, size: number): AlignmentTemplate {
  const k = size / template.size;
  return { size, points: template.points.map((p) => ({ x: p.x * k, y: p.y * k })) };
}

/**
 * Least-squares similarity transform taking `from[i]` as close as possible to `to[i]`
 * (Umeyama 1991 restricted to 2-D, where the rotation has the closed form below; no reflection).
 *
 * @example similarityTransform([{x:0,y:0},{x:1,y:0}], [{x:1,y:1},{x:1,y:3}]) // → [0, -2, 1, 2, 0, 1] (rotate 90°, scale 2, shift (1,1))
 */
export function similarityTransform(from: readonly Point[], to: readonly Point[]): Affine {
  const n = from.length;
  const pairs = from.map((p, i) => ({ p, q: at(to, i) }));
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (const { p, q } of pairs) {
    fx += p.x; fy += p.y; tx += q.x; ty += q.y;
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let dot = 0, cross = 0, norm = 0;
  for (const { p, q } of pairs) {
    const px = p.x - fx, py = p.y - fy, qx = q.x - tx, qy = q.y - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  // s·cosθ and s·sinθ; degenerate input (all points equal) collapses to the identity scale.
  const a = norm > 0 ? dot / norm : 1;
  const b = norm > 0 ? cross / norm : 0;
  return [a, -b, tx - a * fx + b * fy, b, a, ty - b * fx - a * fy];
}

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/**
 * Renders `width × height` pixels of `src` seen through `forward` (source → output coordinates),
 * bilinear, black outside the source. When the output is much smaller than the source region it
 * averages k×k bilinear samples per output pixel (k = source pixels per output pixel, rounded up),
 * so shrinking a large face or photo does not alias. Runs in WebAssembly (`warp/warp-kernel.ts`);
 * a channel differs from `warpAffineJs`'s by at most 1.
 * @throws FV_ERR_INTERNAL when the warp kernel has not been built (`npm run build`).
 */
export function warpAffine(src: RgbImage, forward: Affine, width: number, height: number): RgbImage {
  const inv = invertAffine(forward);
  return warpRgb(src, inv, supersampling(inv), width, height);
}

/** Samples per axis in each output pixel: source pixels per output pixel, rounded up (a hair of slack keeps an exact 2 at 2). */
function supersampling(inv: Affine): number {
  return Math.max(1, Math.ceil(Math.sqrt(Math.abs(inv[0] * inv[4] - inv[1] * inv[3])) - 0.01));
}

/**
 * `warpAffine` in plain JavaScript: the reference the WebAssembly kernel is tested against (and
 * its peer in `bench/enroll-speed.ts`).
 */
export function warpAffineJs(src: RgbImage, forward: Affine, width: number, height: number): RgbImage {
  const inv = invertAffine(forward);
  const [a, b, c, d, e, f] = inv;
  const k = supersampling(inv);
  const out = new Uint8Array(width * height * 3);
  const sw = src.width, sh = src.height, data = src.data;
  const weight = 1 / (k * k);
  // Pixel reads below use `?? 0`: each index is in range by construction (or 0 with weight 0), so
  // it never applies; an out-of-range read would read black, as outside the source. (A per-read
  // throw would cost the innermost loop; `??` on an in-range typed-array read is free.)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, bl = 0;
      for (let sy = 0; sy < k; sy++) {
        const oy = y + (sy + 0.5) / k - 0.5;
        for (let sx = 0; sx < k; sx++) {
          const ox = x + (sx + 0.5) / k - 0.5;
          const u = a * ox + b * oy + c;
          const v = d * ox + e * oy + f;
          const x0 = Math.floor(u), y0 = Math.floor(v);
          const wx = u - x0, wy = v - y0;
          const inX0 = x0 >= 0 && x0 < sw, inX1 = x0 + 1 >= 0 && x0 + 1 < sw;
          const inY0 = y0 >= 0 && y0 < sh, inY1 = y0 + 1 >= 0 && y0 + 1 < sh;
          // Weights of the four neighbours; a neighbour outside the source contributes black.
          const w00 = inX0 && inY0 ? (1 - wx) * (1 - wy) : 0;
          const w10 = inX1 && inY0 ? wx * (1 - wy) : 0;
          const w01 = inX0 && inY1 ? (1 - wx) * wy : 0;
          const w11 = inX1 && inY1 ? wx * wy : 0;
          const i00 = w00 > 0 ? (y0 * sw + x0) * 3 : 0;
          const i10 = w10 > 0 ? (y0 * sw + x0 + 1) * 3 : 0;
          const i01 = w01 > 0 ? ((y0 + 1) * sw + x0) * 3 : 0;
          const i11 = w11 > 0 ? ((y0 + 1) * sw + x0 + 1) * 3 : 0;
          r += w00 * (data[i00] ?? 0) + w10 * (data[i10] ?? 0) + w01 * (data[i01] ?? 0) + w11 * (data[i11] ?? 0);
          g += w00 * (data[i00 + 1] ?? 0) + w10 * (data[i10 + 1] ?? 0) + w01 * (data[i01 + 1] ?? 0) + w11 * (data[i11 + 1] ?? 0);
          bl += w00 * (data[i00 + 2] ?? 0) + w10 * (data[i10 + 2] ?? 0) + w01 * (data[i01 + 2] ?? 0) + w11 * (data[i11 + 2] ?? 0);
        }
      }
      const o = (y * width + x) * 3;
      out[o] = Math.round(r * weight);
      out[o + 1] = Math.round(g * weight);
      out[o + 2] = Math.round(bl * weight);
    }
  }
  return { data: out, width, height };
}

/** A warp asked of a `FaceImage`: `forward` maps the photo's pixels onto a `width × height` output. */
export interface WarpRequest {
  readonly forward: Affine;
  readonly width: number;
  readonly height: number;
}

/**
 * What detectors and alignment sample from: a photo in its own (full-resolution) pixel
 * coordinates, whatever resolution it is held at. `ImagePyramid` holds the whole photo in
 * memory; `ShrunkPhoto` (photo.ts) holds a small overview and decodes full-resolution pieces
 * when a warp needs finer detail than the overview has.
 */
export interface FaceImage {
  readonly width: number;
  readonly height: number;
  /**
   * Makes sure that warps like these sample the photo at least as finely as an `ImagePyramid`
   * of the whole photo would (decoding parts of it if needed). Call before `warp`.
   * @throws FV_ERR_IMAGE_* when a part of the photo cannot be decoded.
   */
  prepare(requests: readonly WarpRequest[]): Promise<void>;
  /** `warpAffine` of the photo, from the best resolution at hand. */
  warp(forward: Affine, width: number, height: number): RgbImage;
}

/**
 * The pyramid level a warp samples: the coarsest whose pixels are still at most as large as an
 * output pixel's footprint (1-2 source pixels per output pixel), so few samples need averaging.
 */
export function pyramidLevel(forward: Affine): number {
  const inv = invertAffine(forward);
  const sourcePerOutput = Math.sqrt(Math.abs(inv[0] * inv[4] - inv[1] * inv[3]));
  return sourcePerOutput >= 2 ? Math.floor(Math.log2(sourcePerOutput)) : 0;
}

/**
 * An image with its successive halvings (each pixel the mean of a 2×2 block), built on first use,
 * so any warp can sample a level at most twice as fine as its output: shrinking a 1920-pixel photo
 * to the detector's 320 or a 600-pixel face to 112 costs a few bilinear samples per output pixel
 * instead of dozens, and does not alias.
 */
export class ImagePyramid implements FaceImage {
  private readonly levels: RgbImage[];

  constructor(readonly base: RgbImage) {
    this.levels = [base];
  }

  get width(): number {
    return this.base.width;
  }

  get height(): number {
    return this.base.height;
  }

  /** The whole image is at hand: nothing to prepare. */
  async prepare(): Promise<void> {}

  /** The base halved `n` times; level n's pixel (x, y) covers base pixels centred on 2ⁿ·(x + ½) − ½. */
  level(n: number): RgbImage {
    while (this.levels.length <= n) this.levels.push(halveRgb(at(this.levels, this.levels.length - 1)));
    return at(this.levels, n);
  }

  /** `warpAffine` of the base, sampled from the coarsest level still at least as fine as the output. */
  warp(forward: Affine, width: number, height: number): RgbImage {
    const wanted = pyramidLevel(forward);
    let n = 0;
    while (n < wanted && Math.min(this.level(n).width, this.level(n).height) >= 4) n++;
    if (n === 0) return warpAffine(this.base, forward, width, height);
    // Compose with level n → base: x₀ = 2ⁿ·xₙ + (2ⁿ − 1)/2.
    const k = 2 ** n, o = (k - 1) / 2;
    const [a, b, c, d, e, f] = forward;
    return warpAffine(this.level(n), [a * k, b * k, a * o + b * o + c, d * k, e * k, d * o + e * o + f], width, height);
  }
}

/**
 * The aligned crop of one face: fits `landmarks` onto `template` and warps.
 * @example alignFace(photo, face.landmarks, ARCFACE_TEMPLATE_112) // → 112×112 RgbImage, eyes at y ≈ 51.6
 */
export function alignFace(src: RgbImage | ImagePyramid, landmarks: readonly Point[], template: AlignmentTemplate): RgbImage {
  const pyramid = src instanceof ImagePyramid ? src : new ImagePyramid(src);
  return pyramid.warp(similarityTransform(landmarks, template.points), template.size, template.size);
}

/** The mirror image (left ↔ right), for flip-averaged embeddings. */
export function flipHorizontal(src: RgbImage): RgbImage {
  const { width, height, data } = src;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3, to = (y * width + width - 1 - x) * 3;
      // In range by construction; `?? 0` only satisfies the type, as in warpAffine.
      out[to] = data[from] ?? 0; out[to + 1] = data[from + 1] ?? 0; out[to + 2] = data[from + 2] ?? 0;
    }
  }
  return { data: out, width, height };
}
