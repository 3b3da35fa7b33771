import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/face/image.js';
import { at } from '../helpers/checked.js';

const dir = mkdtempSync(join(tmpdir(), 'fv-image-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 4×2 image: left half red, right half blue. */
const redBlue = () =>
  sharp({ create: { width: 4, height: 2, channels: 3, background: '#ff0000' } }).composite([
    { input: { create: { width: 2, height: 2, channels: 3, background: '#0000ff' } }, left: 2, top: 0 },
  ]);

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

describe('decodeImage', () => {
  it.each(['png', 'webp', 'tiff', 'gif', 'avif'] as const)('decodes %s to 3-channel RGB', async (format) => {
    const lossless = { png: {}, webp: { lossless: true }, tiff: { compression: 'lzw' }, gif: {}, avif: { lossless: true } } as const;
    const bytes = await redBlue()[format](lossless[format] as never).toBuffer();
    const img = await decodeImage(bytes);
    expect([img.width, img.height, img.data.length]).toEqual([4, 2, 24]);
    // Within a few levels: some "lossless" encoders still round-trip colour through YUV.
    const near = (got: Uint8Array, want: number[]) => want.every((v, i) => Math.abs(at(got, i) - v) <= 8);
    expect(near(img.data.slice(0, 3), [255, 0, 0])).toBe(true);
    expect(near(img.data.slice(9, 12), [0, 0, 255])).toBe(true);
  });

  it('decodes a JPEG from a path, a data URL and { base64 } alike', async () => {
    const bytes = await redBlue().jpeg({ quality: 100 }).toBuffer();
    const path = join(dir, 'rb.jpg');
    writeFileSync(path, bytes);
    const fromPath = await decodeImage(path);
    const fromUrl = await decodeImage(`data:image/jpeg;base64,${bytes.toString('base64')}`);
    const fromBase64 = await decodeImage({ base64: bytes.toString('base64') });
    expect(fromPath.data).toEqual(fromUrl.data);
    expect(fromPath.data).toEqual(fromBase64.data);
    expect(fromPath.data[0]).toBeGreaterThan(200);
  });

  it('applies EXIF orientation (6 = rotate 90° clockwise)', async () => {
    const bytes = await redBlue().jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(bytes);
    expect([img.width, img.height]).toEqual([2, 4]);
    // Red (left) ends up on top after a clockwise turn.
    expect(img.data[0]).toBeGreaterThan(200);
    expect(img.data[(3 * 2 + 1) * 3 + 2]).toBeGreaterThan(200);
  });

  it('turns grayscale and grey+alpha into three equal channels, alpha flattened on white', async () => {
    const grey = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#404040' } }).toColourspace('b-w').png().toBuffer();
    const img = await decodeImage(grey);
    expect(Array.from(img.data.slice(0, 3))).toEqual([0x40, 0x40, 0x40]);
    const clear = await sharp({ create: { width: 2, height: 2, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    expect(Array.from((await decodeImage(clear)).data.slice(0, 3))).toEqual([255, 255, 255]);
  });

  it('passes a decoded RgbImage through and rejects a malformed one', async () => {
    const rgb = { data: new Uint8Array(12), width: 2, height: 2 };
    expect(await decodeImage(rgb)).toBe(rgb);
    await expectCode(decodeImage({ data: new Uint8Array(11), width: 2, height: 2 }), 'FV_ERR_IMAGE_INPUT');
  });

  it('refuses bad inputs with FV_ERR_IMAGE_INPUT', async () => {
    await expectCode(decodeImage(join(dir, 'missing.jpg')), 'FV_ERR_IMAGE_INPUT');
    await expectCode(decodeImage(dir), 'FV_ERR_IMAGE_INPUT');
    await expectCode(decodeImage('data:text/plain,hello'), 'FV_ERR_IMAGE_INPUT');
    await expectCode(decodeImage({ base64: '***' }), 'FV_ERR_IMAGE_INPUT');
    await expectCode(decodeImage(42 as never), 'FV_ERR_IMAGE_INPUT');
    await expectCode(decodeImage(null as never), 'FV_ERR_IMAGE_INPUT');
  });

  it('refuses corrupt bytes with FV_ERR_IMAGE_DECODE', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    await expectCode(decodeImage(jpeg.subarray(0, jpeg.length >> 1)), 'FV_ERR_IMAGE_DECODE');
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
    await expectCode(decodeImage(noise), 'FV_ERR_IMAGE_DECODE');
    await expectCode(decodeImage(Buffer.alloc(0)), 'FV_ERR_IMAGE_DECODE');
    await expectCode(decodeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')), 'FV_ERR_IMAGE_DECODE');
  });

  it('refuses a tiny PNG declaring huge dimensions with FV_ERR_IMAGE_TOO_LARGE, before decoding', async () => {
    const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer();
    // Rewrite the IHDR width and height (bytes 16-23) to 50,000 × 50,000; the CRC is left stale on purpose.
    const bomb = Buffer.from(png);
    bomb.writeUInt32BE(50_000, 16);
    bomb.writeUInt32BE(50_000, 20);
    await expect(decodeImage(bomb)).rejects.toMatchObject({ code: expect.stringMatching(/FV_ERR_IMAGE_(TOO_LARGE|DECODE)/) });
    const big = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#000' } }).png().toBuffer();
    await expectCode(decodeImage(big, { maxPixels: 50_000 }), 'FV_ERR_IMAGE_TOO_LARGE');
  });

  it('refuses more bytes than maxBytes from every kind of input', async () => {
    const bytes = await redBlue().png().toBuffer();
    const path = join(dir, 'rb.png');
    writeFileSync(path, bytes);
    await expectCode(decodeImage(bytes, { maxBytes: 10 }), 'FV_ERR_IMAGE_TOO_LARGE');
    await expectCode(decodeImage(path, { maxBytes: 10 }), 'FV_ERR_IMAGE_TOO_LARGE');
    await expectCode(decodeImage({ base64: bytes.toString('base64') }, { maxBytes: 10 }), 'FV_ERR_IMAGE_TOO_LARGE');
  });
});
