import { describe, expect, it } from 'vitest';
import { cropRect, resampleToPlanar, type PixelNormalisation } from '../../../src/face/analyze/crop.js';
import type { RgbImage } from '../../../src/face/types.js';

const RAW_RGB: PixelNormalisation = { order: 'rgb', mean: [0, 0, 0], scale: [1, 1, 1] };

describe('cropRect, centred (age and gender 1.4, liveness 2.7)', () => {
  it('grows the box about its centre', () => {
    // centre 50, side 20 × 1.4 = 28 → 36 … 64
    expect(cropRect(100, 100, { x: 40, y: 40, w: 20, h: 20 }, { kind: 'centred', scale: 1.4 })).toEqual({ x: 36, y: 36, w: 28, h: 28 });
  });

  it('shifts a crop that passes the top-left border inside, keeping its size', () => {
    // centre 10, side 28 → -4 … 24, shifted to 0 … 28
    expect(cropRect(100, 100, { x: 0, y: 0, w: 20, h: 20 }, { kind: 'centred', scale: 1.4 })).toEqual({ x: 0, y: 0, w: 28, h: 28 });
  });

  it('shifts a crop that passes the bottom-right border inside (the vendor keeps 1 pixel: ends at width - 1)', () => {
    // centre 90, side 27 → 76.5 … 103.5, shifted by 4.5 to 72 … 99
    expect(cropRect(100, 100, { x: 85, y: 85, w: 10, h: 10 }, { kind: 'centred', scale: 2.7 })).toEqual({ x: 72, y: 72, w: 27, h: 27 });
  });

  it('shrinks the scale when the grown box would not fit the image', () => {
    // scale = min(59/50, 99/80, 2.7) = 1.18 → 94.4 × 59, both shifted to start at 0
    expect(cropRect(100, 60, { x: 0, y: 0, w: 80, h: 50 }, { kind: 'centred', scale: 2.7 })).toEqual({ x: 0, y: 0, w: 94, h: 59 });
  });

  it('returns undefined for a box outside the image or thinner than a pixel', () => {
    const rule = { kind: 'centred', scale: 1.4 } as const;
    expect(cropRect(100, 100, { x: 100, y: 0, w: 10, h: 10 }, rule)).toBeUndefined();
    expect(cropRect(100, 100, { x: -20, y: -20, w: 10, h: 10 }, rule)).toBeUndefined();
    expect(cropRect(100, 100, { x: 5.2, y: 5.2, w: 0.5, h: 0.5 }, rule)).toBeUndefined();
  });
});

describe('cropRect, grow-right-down (expression 1.2)', () => {
  it('truncates the corners, keeps the top-left and grows width and height', () => {
    // x 10.7 → 10, right 41.3 → 41: 31 wide; 31 × 1.2 = 37.2 → 37
    expect(cropRect(100, 100, { x: 10.7, y: 20.9, w: 30.6, h: 30.2 }, { kind: 'grow-right-down', factor: 1.2 })).toEqual({ x: 10, y: 20, w: 37, h: 37 });
  });

  it('clips at the right and bottom borders and at a negative corner', () => {
    const rule = { kind: 'grow-right-down', factor: 1.2 } as const;
    expect(cropRect(100, 100, { x: 80, y: 90, w: 20, h: 10 }, rule)).toEqual({ x: 80, y: 90, w: 20, h: 10 });
    // -10 … -10 + 36 = 26
    expect(cropRect(100, 100, { x: -10, y: 0, w: 30, h: 30 }, rule)).toEqual({ x: 0, y: 0, w: 26, h: 36 });
  });
});

describe('resampleToPlanar', () => {
  // 2×2 RGB: red, green / blue, white
  const image: RgbImage = { data: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]), width: 2, height: 2 };

  it('at the same size writes the planes unchanged (R plane, G plane, B plane)', () => {
    const out = new Float32Array(12);
    resampleToPlanar(image, { x: 0, y: 0, w: 2, h: 2 }, 2, RAW_RGB, out);
    expect(Array.from(out)).toEqual([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255]);
  });

  it('puts blue first in BGR order', () => {
    const out = new Float32Array(12);
    resampleToPlanar(image, { x: 0, y: 0, w: 2, h: 2 }, 2, { ...RAW_RGB, order: 'bgr' }, out);
    expect(Array.from(out)).toEqual([0, 0, 255, 255, 0, 255, 0, 255, 255, 0, 0, 255]);
  });

  it('halving samples the centre of the four pixels and normalises per plane', () => {
    const out = new Float32Array(3);
    resampleToPlanar(image, { x: 0, y: 0, w: 2, h: 2 }, 1, { order: 'rgb', mean: [127.5, 0, 0], scale: [2, 1, 0.5] }, out);
    // means: R 127.5, G 127.5, B 127.5
    expect(Array.from(out)).toEqual([0, 127.5, 63.75]);
  });

  it('upscales with half-pixel centres, clamping at the edges as OpenCV does', () => {
    const grey: RgbImage = { data: Uint8Array.from([0, 0, 0, 100, 100, 100]), width: 2, height: 1 };
    const out = new Float32Array(48);
    resampleToPlanar(grey, { x: 0, y: 0, w: 2, h: 1 }, 4, RAW_RGB, out);
    // source x = (i + 0.5) / 2 - 0.5 → -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 25, 75, 100]);
    expect(Array.from(out.subarray(12, 16))).toEqual([0, 25, 75, 100]);
  });

  it('reads only the rectangle', () => {
    const out = new Float32Array(27);
    resampleToPlanar(image, { x: 1, y: 1, w: 1, h: 1 }, 3, RAW_RGB, out);
    expect(out.every((v) => v === 255)).toBe(true);
  });
});
