/**
 * Netpbm images (PGM and PPM, plain and raw: P2, P3, P5, P6), which sharp's libvips build does
 * not read: several classic face sets are PGM (AT&T/ORL, Yale, FERET) and OpenCV-based clients
 * write PPM. A small strict parser: the header is checked token by token, the pixel count is
 * held to the decoding limit before anything is allocated, and the data must be exactly what the
 * header declares (trailing bytes after raw data are refused, as a second image would be).
 *
 * Spec: https://netpbm.sourceforge.net/doc/pgm.html and https://netpbm.sourceforge.net/doc/ppm.html
 */
import { fvError } from '../errors.js';
import type { RgbImage } from './types.js';
import { at } from '../util/checked.js';

/** True when `bytes` start like a PGM or PPM file ("P2", "P3", "P5" or "P6" and whitespace). */
export function isNetpbm(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x50 && (bytes[1] === 0x32 || bytes[1] === 0x33 || bytes[1] === 0x35 || bytes[1] === 0x36) && isSpace(bytes[2]);
}

/**
 * Decodes a PGM or PPM image into 8-bit RGB (grey becomes three equal channels; samples with a
 * maxval other than 255 are scaled to 0-255, 16-bit samples read big-endian as the spec says).
 * @example decodeNetpbm(Buffer.from('P2\n2 1\n255\n0 255\n')) // → { width: 2, height: 1, data: [0, 0, 0, 255, 255, 255] }
 * @throws FV_ERR_IMAGE_DECODE naming what is wrong (magic, width, height, maxval, a sample, the data length);
 *   FV_ERR_IMAGE_TOO_LARGE when width × height exceeds `maxPixels`.
 */
export function decodeNetpbm(bytes: Uint8Array, maxPixels: number): RgbImage {
  const reader = new HeaderReader(bytes);
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (!isNetpbm(bytes)) throw malformed(`not a PGM/PPM file (magic ${JSON.stringify(magic)})`);
  reader.position = 2;
  const width = reader.integer('width', 1, 1 << 24);
  const height = reader.integer('height', 1, 1 << 24);
  if (width * height > maxPixels) {
    throw fvError('FV_ERR_IMAGE_TOO_LARGE', `Image is ${width}×${height} = ${width * height} pixels, over the limit of ${maxPixels}`, { width, height, maxPixels, format: 'netpbm' });
  }
  const maxval = reader.integer('maxval', 1, 65_535);
  const channels = magic === 'P2' || magic === 'P5' ? 1 : 3;
  const samples = width * height * channels;
  const out = new Uint8Array(width * height * 3);
  const put = channels === 1 ? (i: number, v: number) => out.fill(v, i * 3, i * 3 + 3) : (i: number, v: number) => (out[i] = v);
  const scale = (v: number) => (maxval === 255 ? v : Math.round((v * 255) / maxval));
  if (magic === 'P2' || magic === 'P3') {
    for (let i = 0; i < samples; i++) put(i, scale(reader.integer(`sample ${i + 1} of ${samples}`, 0, maxval)));
    reader.skipSpaceAndComments();
    if (reader.position < bytes.length) throw malformed(`${bytes.length - reader.position} bytes after the last of ${samples} samples`);
  } else {
    // Exactly one whitespace byte separates maxval from the raster (already checked by integer()).
    const start = reader.position + 1;
    const size = maxval < 256 ? 1 : 2;
    const expected = samples * size;
    const available = bytes.length - start;
    if (available !== expected) throw malformed(`the raster holds ${Math.max(0, available)} bytes; the header (${width}×${height}, ${channels} channel${channels > 1 ? 's' : ''}, maxval ${maxval}) declares ${expected}`);
    // Every index is below start + expected = bytes.length (checked above), so `?? 0` only
    // satisfies the type, without a call per sample.
    for (let i = 0; i < samples; i++) {
      const v = size === 1 ? (bytes[start + i] ?? 0) : ((bytes[start + 2 * i] ?? 0) << 8) | (bytes[start + 2 * i + 1] ?? 0);
      if (v > maxval) throw malformed(`sample ${i + 1} is ${v}, over maxval ${maxval}`);
      put(i, scale(v));
    }
  }
  return { data: out, width, height };
}

function malformed(why: string) {
  return fvError('FV_ERR_IMAGE_DECODE', `Cannot decode PGM/PPM image: ${why}`, { format: 'netpbm' });
}

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0b || byte === 0x0c;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** Header tokens: decimal integers separated by whitespace, with `#` comments to the end of the line. */
class HeaderReader {
  position = 0;
  constructor(private readonly bytes: Uint8Array) {}

  skipSpaceAndComments(): void {
    const { bytes } = this;
    while (this.position < bytes.length) {
      if (isSpace(bytes[this.position])) this.position++;
      else if (bytes[this.position] === 0x23) {
        while (this.position < bytes.length && bytes[this.position] !== 0x0a && bytes[this.position] !== 0x0d) this.position++;
      } else return;
    }
  }

  /** The next integer token, from `min` to `max`; the byte after it must be whitespace (or, for plain samples, the end). */
  integer(what: string, min: number, max: number): number {
    const { bytes } = this;
    const before = this.position;
    this.skipSpaceAndComments();
    if (this.position >= bytes.length) throw malformed(`${what}: the file ends before it`);
    if (this.position === before && before > 0 && !isSpace(bytes[before - 1])) throw malformed(`${what}: no whitespace before it at byte ${before}`);
    let value = 0;
    const start = this.position;
    for (let byte = bytes[this.position]; byte !== undefined && isDigit(byte); byte = bytes[this.position]) {
      value = value * 10 + (byte - 0x30);
      this.position++;
      if (value > max) throw malformed(`${what} is over ${max}`);
    }
    if (this.position === start) throw malformed(`${what}: expected a decimal number at byte ${start}, found ${JSON.stringify(String.fromCharCode(at(bytes, start)))}`);
    if (this.position < bytes.length && !isSpace(bytes[this.position])) throw malformed(`${what}: unexpected ${JSON.stringify(String.fromCharCode(at(bytes, this.position)))} at byte ${this.position}`);
    if (value < min) throw malformed(`${what} is ${value}, below ${min}`);
    return value;
  }
}
