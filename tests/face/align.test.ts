import { describe, expect, it } from 'vitest';
import { alignFace, applyAffine, ARCFACE_TEMPLATE_112, flipHorizontal, ImagePyramid, invertAffine, scaleTemplate, similarityTransform, warpAffine, type Affine } from '../../src/face/align.js';
import type { Point, RgbImage } from '../../src/face/types.js';
import { at } from '../helpers/checked.js';

const close = (p: Point, q: Point, eps = 1e-9) => expect([Math.abs(p.x - q.x) < eps, Math.abs(p.y - q.y) < eps]).toEqual([true, true]);

/** A gradient image whose pixel (x, y) is (x, y, 7) so samples can be checked by hand. */
function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 7], (y * width + x) * 3);
  return { data, width, height };
}

describe('similarityTransform', () => {
  it('finds rotate 90°, scale 2, shift (1, 1) from two points', () => {
    expect(similarityTransform([{ x: 0, y: 0 }, { x: 1, y: 0 }], [{ x: 1, y: 1 }, { x: 1, y: 3 }]).map((v) => +v.toFixed(12))).toEqual([0, -2, 1, 2, 0, 1]);
  });

  it('maps a rotated, scaled and shifted template back onto the template exactly', () => {
    const theta = 0.3, s = 2.5, tx = 40, ty = -12;
    const moved = ARCFACE_TEMPLATE_112.points.map((p) => ({
      x: s * (Math.cos(theta) * p.x - Math.sin(theta) * p.y) + tx,
      y: s * (Math.sin(theta) * p.x + Math.cos(theta) * p.y) + ty,
    }));
    const m = similarityTransform(moved, ARCFACE_TEMPLATE_112.points);
    moved.forEach((p, i) => close(applyAffine(m, p), at(ARCFACE_TEMPLATE_112.points, i), 1e-9));
    // scale 1/s, angle −θ
    expect(Math.hypot(m[0], m[3])).toBeCloseTo(1 / s, 12);
    expect(Math.atan2(m[3], m[0])).toBeCloseTo(-theta, 12);
  });

  it('is the least-squares fit when points are noisy: residual mean zero, no shear', () => {
    const noisy = ARCFACE_TEMPLATE_112.points.map((p, i) => ({ x: p.x + at([1, -1, 0, 0.5, -0.5], i), y: p.y + at([0, 1, -1, 0, 0], i) }));
    const m = similarityTransform(noisy, ARCFACE_TEMPLATE_112.points);
    expect(m[0]).toBeCloseTo(m[4], 12);
    expect(m[1]).toBeCloseTo(-m[3], 12);
    const residual = noisy.map((p) => applyAffine(m, p)).reduce((acc, p, i) => ({ x: acc.x + p.x - at(ARCFACE_TEMPLATE_112.points, i).x, y: acc.y + p.y - at(ARCFACE_TEMPLATE_112.points, i).y }), { x: 0, y: 0 });
    close(residual, { x: 0, y: 0 }, 1e-9);
  });

  it('never reflects: a mirrored point set gets a rotation, not a flip', () => {
    const mirrored = ARCFACE_TEMPLATE_112.points.map((p) => ({ x: -p.x, y: p.y }));
    const m = similarityTransform(mirrored, ARCFACE_TEMPLATE_112.points);
    expect(m[0] * m[4] - m[1] * m[3]).toBeGreaterThan(0);
  });
});

describe('affine helpers', () => {
  it('invertAffine undoes a map', () => {
    const m: Affine = [1.5, -0.4, 3, 0.4, 1.5, -7];
    close(applyAffine(invertAffine(m), applyAffine(m, { x: 10, y: 20 })), { x: 10, y: 20 }, 1e-9);
  });

  it('scaleTemplate scales every point', () => {
    const t = scaleTemplate(ARCFACE_TEMPLATE_112, 224);
    expect(t.size).toBe(224);
    close(at(t.points, 2), { x: 56.0252 * 2, y: 71.7366 * 2 }, 1e-9);
  });
});

describe('warpAffine', () => {
  it('shifts by whole pixels exactly and fills outside with black', () => {
    const out = warpAffine(gradient(10, 10), [1, 0, -2, 0, 1, -3], 4, 4);
    expect(Array.from(out.data.slice(0, 3))).toEqual([2, 3, 7]);
    const edge = warpAffine(gradient(10, 10), [1, 0, 5, 0, 1, 0], 4, 1);
    expect(Array.from(edge.data.slice(0, 3))).toEqual([0, 0, 0]);
  });

  it('interpolates bilinearly between pixels', () => {
    const out = warpAffine(gradient(10, 10), [1, 0, -2.5, 0, 1, -4.25], 1, 1);
    expect(Array.from(out.data)).toEqual([3, 4, 7]); // 2.5 → 3 (round half up), 4.25 → 4
  });

  it('averages when shrinking: a 1-pixel checkerboard halves to flat grey', () => {
    const side = 8, data = new Uint8Array(side * side * 3);
    for (let i = 0; i < side * side; i++) data.fill(((i % side) + Math.floor(i / side)) % 2 ? 200 : 0, i * 3, i * 3 + 3);
    const out = warpAffine({ data, width: side, height: side }, [0.5, 0, -0.25, 0, 0.5, -0.25], 4, 4);
    expect(new Set(out.data)).toEqual(new Set([100]));
  });
});

describe('ImagePyramid', () => {
  it('halves by 2×2 means and warps through the coarse level to the same place as the base', () => {
    const img = gradient(64, 64);
    const pyramid = new ImagePyramid(img);
    expect([pyramid.level(1).width, pyramid.level(1).height]).toEqual([32, 32]);
    expect(Array.from(pyramid.level(1).data.slice(3, 6))).toEqual([3, 1, 7]); // mean of x 2,3 and y 0,1 → (2.5, 0.5) rounded half up
    const shrink: Affine = [0.25, 0, 0, 0, 0.25, 0]; // 64 → 16: samples level 1 or 2, not the base
    const viaPyramid = pyramid.warp(shrink, 16, 16);
    const direct = warpAffine(img, shrink, 16, 16);
    direct.data.forEach((value, i) => expect(Math.abs(at(viaPyramid.data, i) - value)).toBeLessThanOrEqual(1));
  });
});

describe('alignFace', () => {
  it('puts the landmarks of a scaled, shifted face where the template says', () => {
    // Paint a white dot at each template point, scaled ×3 and shifted by (50, 20), on a black 500×500 image.
    const W = 500, data = new Uint8Array(W * W * 3);
    const at = ARCFACE_TEMPLATE_112.points.map((p) => ({ x: Math.round(p.x * 3 + 50), y: Math.round(p.y * 3 + 20) }));
    for (const p of at) for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) data.fill(255, ((p.y + dy) * W + p.x + dx) * 3, ((p.y + dy) * W + p.x + dx) * 3 + 3);
    const crop = alignFace({ data, width: W, height: W }, at, ARCFACE_TEMPLATE_112);
    expect([crop.width, crop.height]).toEqual([112, 112]);
    for (const p of ARCFACE_TEMPLATE_112.points) expect(crop.data[(Math.round(p.y) * 112 + Math.round(p.x)) * 3]).toBeGreaterThan(200);
    expect(crop.data[(10 * 112 + 10) * 3]).toBe(0);
  });
});

describe('flipHorizontal', () => {
  it('mirrors rows', () => {
    const out = flipHorizontal(gradient(3, 1));
    expect(Array.from(out.data)).toEqual([2, 0, 7, 1, 0, 7, 0, 0, 7]);
  });
});
