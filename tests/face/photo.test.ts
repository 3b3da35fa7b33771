import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { ImagePyramid, type Affine } from '../../src/face/align.js';
import { decodeImage, EncodedPhoto, openImage } from '../../src/face/image.js';
import { overviewSize, ShrunkPhoto } from '../../src/face/photo.js';

/** A smooth but detailed test photo (gradients and rings), as a JPEG with an optional EXIF orientation. */
async function photo(width: number, height: number, orientation?: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = 128 + 127 * Math.sin(Math.hypot(x - width / 3, y - height / 2) / 9);
    }
  }
  const image = sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 });
  return (orientation ? image.withMetadata({ orientation }) : image).toBuffer();
}

/** Mean absolute difference of two images' bytes. */
function meanDifference(a: { data: Uint8Array }, b: { data: Uint8Array }): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
  return sum / a.data.length;
}

async function encoded(bytes: Buffer): Promise<EncodedPhoto> {
  const opened = await openImage(bytes);
  if (!(opened instanceof EncodedPhoto)) throw new Error('expected an encoded photo');
  return opened;
}

describe('overviewSize', () => {
  it('is the pyramid level the detector view would sample (level 2 and up), and leaves smaller photos whole', () => {
    // 4000×3000 is 12.5 input pixels per detector pixel: level 3, an eighth.
    expect(overviewSize({ width: 4000, height: 3000, shrinksOnLoad: true })).toEqual({ width: 500, height: 375 });
    expect(overviewSize({ width: 2000, height: 1500, shrinksOnLoad: true })).toEqual({ width: 500, height: 375 });
    expect(overviewSize({ width: 1280, height: 960, shrinksOnLoad: true })).toEqual({ width: 320, height: 240 });
    expect(overviewSize({ width: 1001, height: 3001, shrinksOnLoad: true })).toEqual({ width: 250, height: 750 });
    // Level 1: sharp would decode at full size anyway.
    expect(overviewSize({ width: 1279, height: 960, shrinksOnLoad: true })).toBeUndefined();
    expect(overviewSize({ width: 900, height: 700, shrinksOnLoad: true })).toBeUndefined();
    expect(overviewSize({ width: 4000, height: 3000, shrinksOnLoad: false })).toBeUndefined();
  });
});

describe('ShrunkPhoto', () => {
  it('samples a fine warp from a full-resolution piece: the same pixels as the whole photo', async () => {
    const bytes = await photo(2400, 1800);
    const whole = new ImagePyramid(await decodeImage(bytes));
    const shrunk = await ShrunkPhoto.open(await encoded(bytes), { width: 400, height: 300 });
    // A 112×112 crop of a 150-pixel patch: 1.3 photo pixels per output pixel, finer than the overview's 6.
    const fine: Affine = [0.75 * Math.cos(0.2), -0.75 * Math.sin(0.2), -900, 0.75 * Math.sin(0.2), 0.75 * Math.cos(0.2), -700];
    await shrunk.prepare([{ forward: fine, width: 112, height: 112 }]);
    expect(Buffer.from(shrunk.warp(fine, 112, 112).data).equals(Buffer.from(whole.warp(fine, 112, 112).data))).toBe(true);
    // A coarse warp (the detector's view) comes from the overview: close to the whole photo's, not equal.
    const view: Affine = [320 / 2400, 0, 0, 0, 240 / 1800, 0];
    expect(meanDifference(shrunk.warp(view, 320, 240), whole.warp(view, 320, 240))).toBeLessThan(3);
  });

  it('stands in for the pyramid level the detector samples: its view is within a level or so of the whole photo\'s', async () => {
    const bytes = await photo(2400, 1800);
    const opened = await encoded(bytes);
    const size = overviewSize(opened);
    expect(size).toEqual({ width: 600, height: 450 });
    const shrunk = await ShrunkPhoto.open(opened, size ?? { width: 0, height: 0 });
    const whole = new ImagePyramid(await decodeImage(bytes));
    const view: Affine = [320 / 2400, 0, 0, 0, 240 / 1800, 0];
    // 0.47 level on average (an overview over s + 1 of the photo, 400×300, gives 0.66).
    expect(meanDifference(shrunk.warp(view, 320, 240), whole.warp(view, 320, 240))).toBeLessThan(1);
  });

  it('decodes a piece for a warp between full resolution and the overview at that warp\'s level, small, and full resolution below level 2', async () => {
    const bytes = await photo(2600, 2000);
    const opened = await encoded(bytes);
    expect(overviewSize(opened)).toEqual({ width: 325, height: 250 }); // level 3
    const shrunk = await ShrunkPhoto.open(opened, overviewSize(opened) ?? { width: 0, height: 0 });
    const whole = new ImagePyramid(await decodeImage(bytes));
    const small = vi.spyOn(opened, 'resizedRegion'), full = vi.spyOn(opened, 'region');
    // A 112×112 crop of a 560-pixel patch: 5 photo pixels per output pixel, level 2 of the whole photo's pyramid.
    const level2: Affine = [0.2 * Math.cos(0.1), -0.2 * Math.sin(0.1), -150, 0.2 * Math.sin(0.1), 0.2 * Math.cos(0.1), -120];
    await shrunk.prepare([{ forward: level2, width: 112, height: 112 }]);
    expect([small.mock.calls.length, full.mock.calls.length]).toEqual([1, 0]);
    expect(small.mock.calls[0]?.slice(0, 2)).toEqual([650, 500]);
    expect(meanDifference(shrunk.warp(level2, 112, 112), whole.warp(level2, 112, 112))).toBeLessThan(1.5);
    // Within that piece, nothing more to decode; a finer warp (level 0) gets a full-resolution piece of its own.
    await shrunk.prepare([{ forward: level2, width: 112, height: 112 }]);
    const fine: Affine = [0.75, 0, -900, 0, 0.75, -700];
    await shrunk.prepare([{ forward: fine, width: 112, height: 112 }]);
    expect([small.mock.calls.length, full.mock.calls.length]).toEqual([1, 1]);
    expect(Buffer.from(shrunk.warp(fine, 112, 112).data).equals(Buffer.from(whole.warp(fine, 112, 112).data))).toBe(true);
  });

  it('applies the EXIF orientation to its size, its overview and its pieces', async () => {
    const bytes = await photo(1800, 1200, 6); // stored landscape, shown portrait
    const opened = await encoded(bytes);
    expect([opened.width, opened.height]).toEqual([1200, 1800]);
    const whole = await decodeImage(bytes);
    const piece = await opened.region({ x: 64, y: 128, width: 100, height: 50 });
    const row = (img: { data: Uint8Array; width: number }, x: number, y: number, n: number) => Buffer.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x + n) * 3));
    expect(row(piece, 0, 10, 100).equals(row(whole, 64, 138, 100))).toBe(true);
    const shrunk = await ShrunkPhoto.open(opened, overviewSize(opened) ?? { width: 0, height: 0 });
    expect([shrunk.width, shrunk.height]).toEqual([1200, 1800]);
  });

  it('refuses a corrupt photo with a coded error when it decodes the overview', async () => {
    const bytes = await photo(2400, 1800);
    const opened = await encoded(Buffer.concat([bytes.subarray(0, bytes.length >> 1)]));
    await expect(ShrunkPhoto.open(opened, { width: 400, height: 300 })).rejects.toMatchObject({ code: 'FV_ERR_IMAGE_DECODE' });
  });
});
