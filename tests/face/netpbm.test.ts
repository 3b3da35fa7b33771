/** The PGM/PPM reader: hand-written files, each malformed header refused by name, and the pipeline's decodeImage using it. */
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/face/image.js';
import { decodeNetpbm, isNetpbm } from '../../src/face/netpbm.js';

const ascii = (text: string) => Buffer.from(text, 'latin1');
const raw = (header: string, body: number[]) => Buffer.concat([ascii(header), Buffer.from(body)]);

describe('decodeNetpbm', () => {
  it('reads plain and raw PGM as three equal channels, with comments in the header', () => {
    const plain = decodeNetpbm(ascii('P2\n# a comment\n2 1 # width height\n255\n0 255\n'), 100);
    expect(plain).toEqual({ width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 255, 255]) });
    const binary = decodeNetpbm(raw('P5 2 1 255\n', [7, 200]), 100);
    expect(binary).toEqual({ width: 2, height: 1, data: new Uint8Array([7, 7, 7, 200, 200, 200]) });
  });

  it('reads plain and raw PPM, scaling a maxval other than 255 and 16-bit samples big-endian', () => {
    expect(decodeNetpbm(ascii('P3 1 1 15\n15 0 5\n'), 100).data).toEqual(new Uint8Array([255, 0, 85]));
    expect(decodeNetpbm(raw('P6 1 1 255\n', [1, 2, 3]), 100).data).toEqual(new Uint8Array([1, 2, 3]));
    expect(decodeNetpbm(raw('P6 1 1 65535\n', [0xff, 0xff, 0x80, 0x00, 0, 0]), 100).data).toEqual(new Uint8Array([255, 128, 0]));
  });

  it.each([
    ['P7 1 1 255\n', /magic "P7"/],
    ['P5 0 1 255\n', /width is 0, below 1/],
    ['P5 x 1 255\n', /width: expected a decimal number/],
    ['P5 1 1 70000\n', /maxval is over 65535/],
    ['P5 1 1', /maxval: the file ends before it/],
    ['P5 2 1 255\n\x01', /the raster holds 1 bytes; the header \(2×1, 1 channel, maxval 255\) declares 2/],
    ['P5 1 1 255\n\x01\x02', /the raster holds 2 bytes/],
    ['P2 1 1 9\n10\n', /sample 1 of 1 is over 9/],
    ['P2 1 1 255\n1 2\n', /bytes after the last of 1 samples/],
    ['P2 2 1 255\n1\n', /sample 2 of 2: the file ends before it/],
    ['P2 1a 1 255\n1\n', /width: unexpected "a"/],
  ])('refuses %j with a coded error naming the fault', (text, message) => {
    expect(() => decodeNetpbm(ascii(text), 100)).toThrow(expect.objectContaining({ code: 'FV_ERR_IMAGE_DECODE', message: expect.stringMatching(message) }));
  });

  it('refuses a declared size over the pixel limit before allocating it', () => {
    expect(() => decodeNetpbm(ascii('P5 100000 100000 255\n'), 40_000_000)).toThrow(expect.objectContaining({ code: 'FV_ERR_IMAGE_TOO_LARGE' }));
  });

  it('is recognised by its magic only', () => {
    expect(isNetpbm(ascii('P5\n'))).toBe(true);
    expect(isNetpbm(ascii('P5x'))).toBe(false);
    expect(isNetpbm(ascii('P4 1 1\n'))).toBe(false);
  });
});

describe('decodeImage', () => {
  it('decodes PGM and PPM bytes, which sharp does not read', async () => {
    expect(await decodeImage(raw('P5\n1 2\n255\n', [10, 20]))).toEqual({ width: 1, height: 2, data: new Uint8Array([10, 10, 10, 20, 20, 20]) });
    await expect(decodeImage(raw('P6\n1 1\n255\n', [1]))).rejects.toMatchObject({ code: 'FV_ERR_IMAGE_DECODE' });
    await expect(decodeImage(raw('P6\n4000 4000\n255\n', []), { maxPixels: 1000 })).rejects.toMatchObject({ code: 'FV_ERR_IMAGE_TOO_LARGE' });
  });
});
