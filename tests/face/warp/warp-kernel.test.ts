import { describe, expect, it } from 'vitest';
import { warpAffine, warpAffineJs, type Affine } from '../../../src/face/align.js';
import { warpRgb } from '../../../src/face/warp/warp-kernel.js';
import type { RgbImage } from '../../../src/face/types.js';

/** A deterministic noisy image (worst case for rounding: every value occurs). */
function noise(width: number, height: number, seed = 1): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width, height };
}

function compare(a: RgbImage, b: RgbImage): { maxDiff: number; differing: number } {
  let maxDiff = 0, differing = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
    if (d > 0) differing++;
    maxDiff = Math.max(maxDiff, d);
  }
  return { maxDiff, differing };
}

const rotation = (angle: number, scale: number, tx: number, ty: number): Affine => [scale * Math.cos(angle), -scale * Math.sin(angle), tx, scale * Math.sin(angle), scale * Math.cos(angle), ty];

describe('warp kernel (WebAssembly) against the plain-JS warp', () => {
  const src = noise(301, 217);
  const cases: [string, Affine, number, number][] = [
    ['identity', [1, 0, 0, 0, 1, 0], 301, 217],
    ['shrink to a detector-like view (k = 2)', [320 / 301 / 2, 0, 0, 0, 240 / 217 / 2, 0], 160, 120],
    ['rotated, shrunk 3.3× (k = 4), partly outside', rotation(0.4, 0.3, -20, 10), 112, 112],
    ['rotated and enlarged (k = 1)', rotation(-0.2, 1.7, -150, -90), 112, 112],
    ['a face-sized crop near the corner', rotation(0.1, 0.8, 30, 40), 64, 64],
    ['anisotropic stretch', [2.1, 0, -5, 0, 0.6, 3], 200, 90],
  ];
  for (const [name, forward, width, height] of cases) {
    it(`${name}: every channel within 1, almost all equal`, () => {
      const js = warpAffineJs(src, forward, width, height);
      const wasm = warpAffine(src, forward, width, height);
      expect([wasm.width, wasm.height, wasm.data.length]).toEqual([width, height, width * height * 3]);
      const { maxDiff, differing } = compare(js, wasm);
      expect(maxDiff).toBeLessThanOrEqual(1);
      expect(differing / js.data.length).toBeLessThan(0.002);
    });
  }

  it('gives black where the source is out of sight, and for a non-finite map', () => {
    expect(new Set(warpAffine(src, [1, 0, 5000, 0, 1, 0], 8, 8).data)).toEqual(new Set([0]));
    expect(new Set(warpRgb(src, [Number.NaN, 0, 0, 0, 1, 0], 1, 8, 8).data)).toEqual(new Set([0]));
  });

  it('keeps working when a larger image makes it grow its memory, and after', () => {
    const big = noise(1500, 1100, 7);
    const forward: Affine = [0.25, 0, 0, 0, 0.25, 0];
    expect(compare(warpAffineJs(big, forward, 375, 275), warpAffine(big, forward, 375, 275)).maxDiff).toBeLessThanOrEqual(1);
    expect(compare(warpAffineJs(src, rotation(0.3, 0.5, 10, 10), 112, 112), warpAffine(src, rotation(0.3, 0.5, 10, 10), 112, 112)).maxDiff).toBeLessThanOrEqual(1);
  });
});
