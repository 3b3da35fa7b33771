import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isIdentityProfile } from '../../src/face/icc.js';
import { decodeImage, EncodedPhoto, openImage } from '../../src/face/image.js';

/** A colourful 96×64 JPEG carrying the named ICC profile ('srgb' or 'p3'; sharp converts the pixels into it). */
async function photoWith(profile: 'srgb' | 'p3'): Promise<Buffer> {
  const data = Buffer.alloc(96 * 64 * 3);
  for (let i = 0; i < 96 * 64; i++) {
    data[i * 3] = (i * 7) % 256;
    data[i * 3 + 1] = (i * 13) % 256;
    data[i * 3 + 2] = (i * 29) % 256;
  }
  return sharp(data, { raw: { width: 96, height: 64, channels: 3 } }).withIccProfile(profile).jpeg({ quality: 95 }).toBuffer();
}

/** What sharp gives with the profile applied (the decoder's behaviour before the identity check) or ignored. */
async function sharpDecode(bytes: Buffer, ignoreIcc: boolean): Promise<Buffer> {
  return sharp(bytes, { ignoreIcc }).rotate().flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer();
}

describe('isIdentityProfile', () => {
  it('finds an sRGB profile an identity and a Display P3 one not, remembering each verdict', async () => {
    const srgb = (await sharp(await photoWith('srgb')).metadata()).icc;
    const p3 = (await sharp(await photoWith('p3')).metadata()).icc;
    if (!srgb || !p3) throw new Error('sharp attached no profile');
    expect(await isIdentityProfile(srgb)).toBe(true);
    expect(await isIdentityProfile(p3)).toBe(false);
    // One probe per distinct profile: the same bytes get the same (settled) answer.
    expect(isIdentityProfile(Buffer.from(srgb))).toBe(isIdentityProfile(srgb));
  });

  it('answers bytes that are no profile without throwing (lcms leaves colours alone with them, so they are an identity); nothing is none', async () => {
    expect(await isIdentityProfile(Buffer.from('not an ICC profile at all'))).toBe(true);
    expect(await isIdentityProfile(new Uint8Array(0))).toBe(false);
  });
});

describe('decoding a photo with an ICC profile', () => {
  it('gives the pixels of the applied profile (within a level): skipped when it is sRGB, applied when it is not', async () => {
    for (const profile of ['srgb', 'p3'] as const) {
      const bytes = await photoWith(profile);
      const applied = await sharpDecode(bytes, false);
      const decoded = (await decodeImage(bytes)).data;
      expect(decoded.length).toBe(applied.length);
      expect(decoded.every((v, i) => Math.abs(v - (applied[i] ?? 0)) <= 1)).toBe(true);
      const opened = await openImage(bytes);
      expect(opened).toBeInstanceOf(EncodedPhoto);
      if (opened instanceof EncodedPhoto) expect(Buffer.from((await opened.resized(48, 32)).data).length).toBe(48 * 32 * 3);
    }
    // The P3 photo's colours do change under its profile: the check above would catch a skipped transform.
    const p3 = await photoWith('p3');
    expect((await sharpDecode(p3, true)).equals(await sharpDecode(p3, false))).toBe(false);
  });
});
