/**
 * Hostile and unusual images through the whole pipeline (issue 12): every one gets an answer —
 * faces, or a typed error (no face, cannot decode, too large) — and the pipeline keeps working
 * after each. A crash of the process, a hang or an untyped error fails the test.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFacevaultError } from '../../src/errors.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { samplePhoto } from '../recognition/face-api-samples.js';
import { at } from '../helpers/checked.js';

let faces: FacePipeline;
beforeAll(async () => {
  faces = await FacePipeline.create({ workers: 1 });
}, 120_000);
afterAll(async () => faces?.close());

const gray = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#808080' } });

/** A PNG of the given size whose pixel data compresses to almost nothing: a decompression bomb. */
function pngBomb(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = at(crcTable, (c ^ byte) & 0xff) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const rows = Buffer.alloc((width + 1) * height); // filter byte 0 and black pixels
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const photo = samplePhoto(1);
const cases: [string, () => Promise<Buffer>, RegExp][] = [
  ['random bytes', async () => Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 2654435761) >>> 24)), /FV_ERR_IMAGE_DECODE/],
  ['a JPEG cut in half', async () => (await sharp(photo).jpeg().toBuffer()).subarray(0, 20_000), /^faces$|FV_ERR_IMAGE_DECODE|FV_ERR_NO_FACE/],
  ['a JPEG header and nothing else', async () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), /FV_ERR_IMAGE_DECODE/],
  ['a 1×1 pixel', async () => gray(1, 1).png().toBuffer(), /FV_ERR_NO_FACE/],
  ['a 30,000 × 1 strip', async () => gray(30_000, 1).png().toBuffer(), /FV_ERR_NO_FACE|FV_ERR_IMAGE_TOO_LARGE/],
  ['a 1 × 30,000 strip', async () => gray(1, 30_000).png().toBuffer(), /FV_ERR_NO_FACE|FV_ERR_IMAGE_TOO_LARGE/],
  ['a decompression bomb: 8,000 × 8,000 (64 megapixels) in 62 KB', async () => pngBomb(8000, 8000), /FV_ERR_IMAGE_TOO_LARGE/],
  ['an animated GIF of the photo', async () => sharp(await sharp(photo).resize(480).toBuffer()).gif().toBuffer().then(async (frame) => sharp([frame, frame, frame], { join: { animated: true } }).gif().toBuffer()), /^faces$/],
  ['a CMYK JPEG of the photo', async () => sharp(photo).toColourspace('cmyk').jpeg().toBuffer(), /^faces$/],
  ['a 16-bit PNG of the photo', async () => sharp(photo).toColourspace('rgb16').png().toBuffer(), /^faces$/],
  ['a grayscale photo with alpha', async () => sharp(photo).grayscale().ensureAlpha(0.5).png().toBuffer(), /^faces$/],
  ['an SVG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="4000"><circle r="9"/></svg>'), /FV_ERR_IMAGE_DECODE/],
  ['nothing', async () => Buffer.alloc(0), /FV_ERR_IMAGE_DECODE|FV_ERR_IMAGE_INPUT/],
];

describe('hostile images through represent', () => {
  it.each(cases)('%s: an answer, never a crash', async (_name, make, expected) => {
    const image = await make();
    let outcome: string;
    try {
      const represented = await faces.represent(image);
      outcome = represented.length > 0 ? 'faces' : 'no faces';
    } catch (err) {
      if (!isFacevaultError(err)) throw err;
      outcome = err.code;
    }
    expect(outcome).toMatch(expected);
  });

  it('still finds the faces of an ordinary photo afterwards', async () => {
    expect((await faces.represent(photo)).length).toBe(3);
  });
});
