/**
 * Image decoding: anything a caller may hand us → an 8-bit RGB `RgbImage` with EXIF orientation applied.
 *
 * This is the boundary where untrusted bytes enter the face pipeline, so every failure becomes a
 * coded error (input, decode, too large) and no input can crash the process or exhaust memory:
 * the byte size is checked before reading, the pixel count before decoding (sharp's
 * `limitInputPixels` refuses decompression bombs that declare huge dimensions).
 */
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { fvError, isFacevaultError } from '../errors.js';
import { isIdentityProfile } from './icc.js';
import { decodeNetpbm, isNetpbm } from './netpbm.js';
import type { RgbImage } from './types.js';

/**
 * An image as callers give it: a file path, the encoded bytes, a data URL
 * (`data:image/jpeg;base64,...`), `{ base64 }` (plain base64 of the encoded bytes), or an
 * already decoded `RgbImage` (passed through after a shape check).
 */
export type ImageInput = string | Uint8Array | { readonly base64: string } | RgbImage;

export interface DecodeLimits {
  /** Largest encoded size accepted, in bytes. Default 20 MB. */
  readonly maxBytes?: number;
  /** Largest width × height accepted. Default 40 megapixels. */
  readonly maxPixels?: number;
}

export const DEFAULT_DECODE_LIMITS: Required<DecodeLimits> = Object.freeze({ maxBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 });

/** Formats sharp may decode here; anything else it recognises (SVG, PDF, raw VIPS...) is refused. */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'avif']);
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;
type SharpPipeline = ReturnType<typeof sharp>;

/**
 * Decodes an image into 8-bit RGB with its EXIF orientation applied; grayscale becomes three
 * equal channels; PGM and PPM (which sharp does not read) go through `decodeNetpbm`; transparency is flattened onto white, an animated image yields its first frame.
 *
 * @example
 * const img = await decodeImage('photo.jpg'); // { data: Uint8Array(w*h*3), width, height }
 * @throws FV_ERR_IMAGE_INPUT when the input is not a path, bytes, data URL or `{ base64 }`, or the file does not exist.
 * @throws FV_ERR_IMAGE_TOO_LARGE when the bytes exceed `maxBytes` or the declared pixels exceed `maxPixels`.
 * @throws FV_ERR_IMAGE_DECODE when the bytes are empty, corrupt, truncated, or of a format not accepted.
 */
export async function decodeImage(input: ImageInput, limits: DecodeLimits = {}): Promise<RgbImage> {
  const opened = await openImage(input, limits);
  return opened instanceof EncodedPhoto ? opened.decode() : opened;
}

/**
 * An encoded photo checked (format, declared pixels) but not yet decoded, for callers that want
 * only parts of it or a smaller copy: a JPEG or WebP decodes at 1/2, 1/4 or 1/8 of its size for
 * a fraction of the cost of a full decode (libjpeg's DCT scaling, sharp's shrink-on-load).
 * `width` and `height` are the photo's after its EXIF orientation, as every method sees it.
 */
export class EncodedPhoto {
  /**
   * @internal Built by `openImage`. `ignoreIcc`: the photo's ICC profile is one whose transform to
   * sRGB changes no colour by more than a level (icc.ts), so decoding skips it: the same pixels
   * within one level, in a third of the time for an sRGB-tagged 5-megapixel photo.
   */
  constructor(private readonly bytes: Uint8Array, readonly format: string, readonly width: number, readonly height: number, private readonly maxPixels: number, private readonly ignoreIcc = false) {}

  /** Whether this format decodes smaller copies cheaply (shrink-on-load): JPEG and WebP. */
  get shrinksOnLoad(): boolean {
    return this.format === 'jpeg' || this.format === 'webp';
  }

  /** The whole photo, full size. @throws as decodeImage. */
  decode(): Promise<RgbImage> {
    return this.decodeWith((pipeline) => pipeline);
  }

  /**
   * The whole photo stretched to `width × height`, decoded with shrink-on-load (at 1/2, 1/4 or
   * 1/8: sharp keeps at least one more step for its own reduction) and reduced the rest of the way
   * with the cubic (Catmull-Rom) kernel: of sharp's kernels the closest to the 2×2 means of an
   * `ImagePyramid` level, which is what this copy stands in for (photo.ts). @throws as decodeImage.
   */
  resized(width: number, height: number): Promise<RgbImage> {
    return this.decodeWith((pipeline) => pipeline.resize({ width, height, fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true }));
  }

  /**
   * A rectangle of `resized(width, height)`, decoded only as far down as its last row (the
   * rectangle in the resized copy's pixels). @throws as decodeImage.
   */
  resizedRegion(width: number, height: number, rect: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }): Promise<RgbImage> {
    return this.decodeWith((pipeline) => pipeline.resize({ width, height, fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true }).extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height }));
  }

  /**
   * The pixels of a rectangle of the photo (after orientation), full resolution. A JPEG is
   * decoded only down to the rectangle's last row. @throws as decodeImage.
   */
  region(rect: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }): Promise<RgbImage> {
    return this.decodeWith((pipeline) => pipeline.extract({ left: rect.x, top: rect.y, width: rect.width, height: rect.height }));
  }

  private async decodeWith(shape: (pipeline: SharpPipeline) => SharpPipeline): Promise<RgbImage> {
    try {
      const { data, info } = await shape(sharp(this.bytes, { failOn: 'warning', limitInputPixels: this.maxPixels, ignoreIcc: this.ignoreIcc }).rotate())
        .flatten({ background: '#ffffff' })
        .toColourspace('srgb')
        .raw({ depth: 'uchar' })
        .toBuffer({ resolveWithObject: true });
      // toColourspace('srgb') yields three channels for grey, grey+alpha, CMYK and 16-bit inputs alike (checked in tests).
      if (info.channels !== 3) throw fvError('FV_ERR_IMAGE_DECODE', `Decoded image has ${info.channels} channels, expected 3`, { channels: info.channels });
      return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
    } catch (cause) {
      throw decodeError(cause, this.bytes, this.maxPixels);
    }
  }
}

/**
 * An image checked at the boundary: an `RgbImage` when it is already pixels (passed in decoded,
 * or a PGM / PPM), else an `EncodedPhoto` whose format and declared size have been checked and
 * whose pixels are decoded on demand.
 * @throws as decodeImage, except corrupt pixel data, found when the pixels are decoded.
 */
export async function openImage(input: ImageInput, limits: DecodeLimits = {}): Promise<RgbImage | EncodedPhoto> {
  const { maxBytes, maxPixels } = { ...DEFAULT_DECODE_LIMITS, ...limits };
  if (isRgbImage(input)) return checkedRgbImage(input, maxPixels);
  const bytes = await readEncodedBytes(input, maxBytes);
  if (bytes.byteLength === 0) throw fvError('FV_ERR_IMAGE_DECODE', 'The image is empty (0 bytes)', { bytes: 0 });
  if (isNetpbm(bytes)) return decodeNetpbm(bytes, maxPixels);
  try {
    const meta = await sharp(bytes, { failOn: 'warning', limitInputPixels: false }).metadata();
    const format = meta.format ?? '';
    if (!ACCEPTED_FORMATS.has(format)) {
      throw fvError('FV_ERR_IMAGE_DECODE', `Image format "${meta.format}" is not accepted; allowed: JPEG, PNG, WebP, GIF, TIFF, AVIF, PGM, PPM`, { format: meta.format });
    }
    const pixels = (meta.width ?? 0) * (meta.height ?? 0);
    if (pixels > maxPixels) {
      throw fvError('FV_ERR_IMAGE_TOO_LARGE', `Image is ${meta.width}×${meta.height} = ${pixels} pixels, over the limit of ${maxPixels}`, { width: meta.width, height: meta.height, maxPixels });
    }
    const oriented = meta.autoOrient ?? { width: meta.width ?? 0, height: meta.height ?? 0 };
    // An sRGB profile on an RGB photo (most photos from the web): lcms would rewrite every pixel to the same value.
    const ignoreIcc = meta.icc !== undefined && meta.space === 'srgb' && (await isIdentityProfile(meta.icc));
    return new EncodedPhoto(bytes, format, oriented.width, oriented.height, maxPixels, ignoreIcc);
  } catch (cause) {
    throw decodeError(cause, bytes, maxPixels);
  }
}

function decodeError(cause: unknown, bytes: Uint8Array, maxPixels: number): Error {
  if (isFacevaultError(cause)) return cause;
  const message = (cause as Error).message;
  if (/pixel limit/i.test(message)) return fvError('FV_ERR_IMAGE_TOO_LARGE', `Image exceeds the pixel limit of ${maxPixels}`, { maxPixels }, cause);
  return fvError('FV_ERR_IMAGE_DECODE', `Cannot decode image: ${message}`, { bytes: bytes.byteLength }, cause);
}

async function readEncodedBytes(input: Exclude<ImageInput, RgbImage>, maxBytes: number): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return withinBytes(input, maxBytes);
  if (typeof input === 'string') {
    if (input.startsWith('data:')) {
      const prefix = DATA_URL.exec(input);
      if (!prefix) throw fvError('FV_ERR_IMAGE_INPUT', 'A data URL must look like "data:image/<type>;base64,<data>"', { prefix: input.slice(0, 40) });
      return decodeBase64(input.slice(prefix[0].length), maxBytes);
    }
    return readImageFile(input, maxBytes);
  }
  if (input !== null && typeof input === 'object' && typeof (input as { base64?: unknown }).base64 === 'string') {
    return decodeBase64(input.base64, maxBytes);
  }
  throw fvError('FV_ERR_IMAGE_INPUT', `An image must be a file path, a Buffer/Uint8Array, a data URL, { base64 } or { data, width, height }; got ${describe(input)}`, { type: describe(input) });
}

/**
 * The bytes of an image file, the one reader of the CLI, the gallery and the server's `--images`
 * folder: symbolic links are followed, the size is checked before reading (a huge file is refused
 * without being loaded), and a folder, device or missing file is a coded error.
 * @example (await readImageFile('people/ada/1.jpg')).byteLength // → 48213
 * @throws FV_ERR_IMAGE_INPUT when the path is empty, missing, unreadable or not a regular file;
 *   FV_ERR_IMAGE_TOO_LARGE over `maxBytes` (default 20 MB).
 */
export async function readImageFile(path: string, maxBytes: number = DEFAULT_DECODE_LIMITS.maxBytes): Promise<Uint8Array> {
  if (path.length === 0) throw fvError('FV_ERR_IMAGE_INPUT', 'The image path is an empty string', { path });
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw fvError('FV_ERR_IMAGE_INPUT', `Image path is not a file: ${path}`, { path });
    size = info.size;
  } catch (cause) {
    if (isFacevaultError(cause)) throw cause;
    throw fvError('FV_ERR_IMAGE_INPUT', `Image file not found or unreadable: ${path}`, { path }, cause);
  }
  if (size > maxBytes) throw tooManyBytes(size, maxBytes);
  try {
    return withinBytes(await readFile(path), maxBytes);
  } catch (cause) {
    if (isFacevaultError(cause)) throw cause;
    throw fvError('FV_ERR_IMAGE_INPUT', `Image file not found or unreadable: ${path}`, { path }, cause);
  }
}

function decodeBase64(text: string, maxBytes: number): Uint8Array {
  // 4 base64 characters carry 3 bytes: refuse oversized payloads before allocating them.
  if (Math.floor((text.length * 3) / 4) > maxBytes + 3) throw tooManyBytes(Math.floor((text.length * 3) / 4), maxBytes);
  if (!BASE64.test(text)) throw fvError('FV_ERR_IMAGE_INPUT', 'The base64 image data holds characters outside the base64 alphabet', { length: text.length });
  return withinBytes(Buffer.from(text, 'base64'), maxBytes);
}

function withinBytes(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.byteLength > maxBytes) throw tooManyBytes(bytes.byteLength, maxBytes);
  return bytes;
}

function tooManyBytes(bytes: number, maxBytes: number) {
  return fvError('FV_ERR_IMAGE_TOO_LARGE', `Image is ${bytes} bytes, over the limit of ${maxBytes}`, { bytes, maxBytes });
}

function isRgbImage(input: ImageInput): input is RgbImage {
  return typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && 'data' in input && 'width' in input;
}

function checkedRgbImage(img: RgbImage, maxPixels: number): RgbImage {
  const { data, width, height } = img;
  if (!(data instanceof Uint8Array) || !Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || data.length !== width * height * 3) {
    throw fvError('FV_ERR_IMAGE_INPUT', 'A decoded image must be { data: Uint8Array of width×height×3 RGB bytes, width, height } with positive integer sides', { width, height, length: (data as { length?: number } | undefined)?.length });
  }
  if (width * height > maxPixels) throw fvError('FV_ERR_IMAGE_TOO_LARGE', `Image is ${width}×${height} pixels, over the limit of ${maxPixels}`, { width, height, maxPixels });
  return img;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
