import { describe, expect, it } from 'vitest';
import { warpAffine, warpAffineJs, type Affine } from '../../../src/face/align.js';
import { halveRgb, warpRgb, type InverseAffine } from '../../../src/face/warp/warp-kernel.js';
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

describe('axis-aligned warps (the detector view)', () => {
  // Maps without rotation or shear: from a photo level to 320×240, enlarging LFW's 250 px, shrinking 3×, partly outside, mirrored.
  const cases: [string, RgbImage, InverseAffine, number, number, number][] = [
    ['a pyramid level to the detector view (k = 2)', noise(500, 375, 3), [500 / 320, 0, 0.28, 0, 375 / 240, 0.28], 2, 320, 240],
    ['LFW-sized, enlarged (k = 1)', noise(250, 250, 4), [250 / 320, 0, -0.11, 0, 250 / 240, 0.02], 1, 320, 240],
    ['shrunk 3× (k = 3)', noise(640, 480, 5), [2, 0, 0.5, 0, 2, 0.5], 3, 320, 240],
    ['partly outside the source', noise(301, 217, 6), [1.3, 0, -40, 0, 0.9, 30], 2, 160, 120],
    ['mirrored', noise(120, 90, 7), [-1, 0, 119, 0, 1, 0], 1, 120, 90],
  ];
  for (const [name, src, inverse, k, width, height] of cases) {
    it(`${name}: the same bytes as the general kernel`, () => {
      const axis = warpRgb(src, inverse, k, width, height);
      const general = warpRgb(src, inverse, k, width, height, { axisKernel: false });
      expect(Buffer.from(axis.data).equals(Buffer.from(general.data))).toBe(true);
    });
  }
});

/** The pyramid's halving as it was written in JavaScript: the reference for halveRgb. */
function halveJs(src: RgbImage): RgbImage {
  const width = src.width >> 1, height = src.height >> 1, data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let ch = 0; ch < 3; ch++) {
        const at = (dx: number, dy: number) => src.data[((2 * y + dy) * src.width + 2 * x + dx) * 3 + ch] ?? 0;
        data[(y * width + x) * 3 + ch] = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) >> 2;
      }
    }
  }
  return { data, width, height };
}

describe('halveRgb', () => {
  it('is the mean of each 2×2 block, rounded half up, for any size (odd sides dropped)', () => {
    expect(halveRgb({ data: Uint8Array.of(0, 0, 0, 4, 4, 4, 8, 8, 8, 1, 1, 1), width: 2, height: 2 })).toEqual({ data: Uint8Array.of(3, 3, 3), width: 1, height: 1 });
    for (const [width, height] of [[2, 2], [3, 5], [17, 4], [32, 2], [33, 9], [250, 250], [301, 217], [1921, 1081]] as const) {
      const src = noise(width, height, width + height);
      const got = halveRgb(src), want = halveJs(src);
      expect([got.width, got.height]).toEqual([want.width, want.height]);
      expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
    }
    expect(halveRgb(noise(1, 7))).toEqual({ data: new Uint8Array(0), width: 0, height: 3 });
  });

  it('leaves its source as it was, and its result has a buffer of its own', () => {
    const src = noise(64, 48, 9);
    const before = Buffer.from(src.data);
    const half = halveRgb(src);
    expect(Buffer.from(src.data).equals(before)).toBe(true);
    expect(half.data.byteLength).toBe(half.data.buffer.byteLength);
  });
});
