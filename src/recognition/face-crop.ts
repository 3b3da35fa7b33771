/**
 * Small thumbnails of enrolled faces, kept only when the gallery is told to keep crops
 * (`keepFaceCrops`, off by default: a crop is biometric data, like the photo it comes from).
 * They let a reviewer see who a candidate is without the original photo. Stored in each record's
 * metadata as base64 JPEG, so a crop lives and dies with its face: erasing the subject erases
 * it, on every store.
 */
import sharp from 'sharp';
import type { FacialArea } from '../face/types.js';

/** Side of the square thumbnail, in pixels. */
export const CROP_SIDE = 96;
/** Margin around the detector's box, as a fraction of its larger side: hair and chin make a face recognisable to people. */
const MARGIN = 0.25;

/**
 * Each face's box (with a margin, clamped to the photo) cut from the photo as the pipeline saw it
 * (EXIF orientation applied), scaled to a 96×96 JPEG, in base64 (~3-5 KB). The photo is decoded
 * once for all its faces.
 * @example await faceCropsBase64(photoBytes, [{ x: 40, y: 30, w: 80, h: 100, ... }]) // → ['/9j/4AAQSkZJRg…']
 */
export async function faceCropsBase64(photo: Uint8Array, boxes: readonly FacialArea[]): Promise<string[]> {
  if (boxes.length === 0) return [];
  const { data, info } = await sharp(photo, { failOn: 'none' }).rotate().raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  return Promise.all(
    boxes.map(async (box) => {
      const margin = Math.max(box.w, box.h) * MARGIN;
      const left = clamp(Math.floor(box.x - margin), 0, width - 1);
      const top = clamp(Math.floor(box.y - margin), 0, height - 1);
      const right = clamp(Math.ceil(box.x + box.w + margin), left + 1, width);
      const bottom = clamp(Math.ceil(box.y + box.h + margin), top + 1, height);
      const jpeg = await sharp(data, { raw: { width, height, channels } })
        .extract({ left, top, width: right - left, height: bottom - top })
        .resize(CROP_SIDE, CROP_SIDE, { fit: 'cover' })
        .jpeg({ quality: 80 })
        .toBuffer();
      return jpeg.toString('base64');
    }),
  );
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
