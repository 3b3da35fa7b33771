/**
 * A small thumbnail of an enrolled face, kept only when the gallery is told to keep crops
 * (`keepFaceCrops`, off by default: a crop is biometric data, like the photo it comes from).
 * It lets a reviewer see who a candidate is without the original photo. Stored in the record's
 * metadata as base64 JPEG, so it lives and dies with the face: erasing the subject erases it,
 * on every store.
 */
import sharp from 'sharp';
import type { FacialArea } from '../face/types.js';

/** Side of the square thumbnail, in pixels. */
export const CROP_SIDE = 96;
/** Margin around the detector's box, as a fraction of its larger side: hair and chin make a face recognisable to people. */
const MARGIN = 0.25;

/**
 * The face's box (with a margin, clamped to the photo) cut from the photo as the pipeline saw it
 * (EXIF orientation applied), scaled to a 96×96 JPEG, in base64 (~3-5 KB).
 * @example await faceCropBase64(photoBytes, { x: 40, y: 30, w: 80, h: 100, ... }) // → '/9j/4AAQSkZJRg…'
 */
export async function faceCropBase64(photo: Uint8Array, box: FacialArea): Promise<string> {
  const oriented = sharp(photo, { failOn: 'none' }).rotate();
  const meta = await sharp(photo, { failOn: 'none' }).metadata();
  // EXIF orientations 5-8 turn the photo by 90°: the box's coordinates are in the turned photo.
  const turned = (meta.orientation ?? 1) >= 5;
  const width = (turned ? meta.height : meta.width) ?? 0;
  const height = (turned ? meta.width : meta.height) ?? 0;
  const margin = Math.max(box.w, box.h) * MARGIN;
  const left = clamp(Math.floor(box.x - margin), 0, width - 1);
  const top = clamp(Math.floor(box.y - margin), 0, height - 1);
  const right = clamp(Math.ceil(box.x + box.w + margin), left + 1, width);
  const bottom = clamp(Math.ceil(box.y + box.h + margin), top + 1, height);
  const jpeg = await oriented
    .extract({ left, top, width: right - left, height: bottom - top })
    .resize(CROP_SIDE, CROP_SIDE, { fit: 'cover' })
    .jpeg({ quality: 80 })
    .toBuffer();
  return jpeg.toString('base64');
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
