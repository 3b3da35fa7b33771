/**
 * Photos that are already one face: tight crops such as the classic ORL / AT&T 92×112 grayscale
 * format, a gallery's 96×96 thumbnails, 112×112 aligned crops. Stretched to the detector's
 * 320×240 input, such a face fills the frame at a scale the detector was not trained for: on
 * 300 LFW photos cut to 92×112 it found no face in 13 (68 with a tighter cut) and two faces in
 * some. Seen with a grey margin around it, the same face is found once in 300 of 300 (299 of
 * 300 tighter); see `bench/tight-crops.ts`.
 *
 * So an image that is face-sized (small and roughly face-proportioned) is detected as a crop:
 * inside a grey margin, keeping the single best detection; when nothing is found there, the
 * whole image is the face (as the 'skip' detector does), unless it is flat (a blank image is no
 * face). If the best detection is small against the image, it was not a face crop after all
 * (a thumbnail of a group, say) and the image is detected as any other photo.
 */
import { ImagePyramid } from '../align.js';
import type { DetectedFace, Landmarks5, Point, RgbImage } from '../types.js';
import { wholeImageFace, type DetectorRunOptions, type FaceDetector } from './registry.js';

/** Face-sized: each side from 32 to 200 pixels, height / width from 0.8 to 1.6 (ORL 1.22, square crops 1). */
export const FACE_CROP_SIZE = Object.freeze({ minSide: 32, maxSide: 200, minAspect: 0.8, maxAspect: 1.6 });
/** Margin added on each side, as a share of that side (grey, 127: zero after the detector's normalisation). */
const MARGIN = 0.25;
const MARGIN_GREY = 127;
/** The best face of a crop spans at least this share of the image's width, or the image is no face crop. */
const MIN_FACE_SHARE = 0.4;
/** Below this standard deviation of its grey levels (0-255) an image is flat: no whole-image fallback. */
const MIN_CONTRAST = 10;

/** Is the image small and shaped like a face crop (`FACE_CROP_SIZE`)? */
export function isFaceSized(width: number, height: number): boolean {
  const { minSide, maxSide, minAspect, maxAspect } = FACE_CROP_SIZE;
  const aspect = height / width;
  return Math.min(width, height) >= minSide && Math.max(width, height) <= maxSide && aspect >= minAspect && aspect <= maxAspect;
}

/**
 * The one face of a face crop: the best detection in the image seen with a margin, or the whole
 * image when nothing is found and it is not flat, or none for a flat image. With `confirm`
 * (the 'auto' mode), `undefined` when the best detection is too small to be the crop's face:
 * detect the image as an ordinary photo.
 */
export async function detectFaceCrop(detector: FaceDetector, image: RgbImage, options: DetectorRunOptions, confirm: boolean): Promise<DetectedFace[] | undefined> {
  const dx = Math.round(image.width * MARGIN), dy = Math.round(image.height * MARGIN);
  const found = await detector.detect(new ImagePyramid(withMargin(image, dx, dy)), options);
  if (found.length === 0) return contrast(image) >= MIN_CONTRAST ? [wholeImageFace(image)] : [];
  const best = found.reduce((p, q) => (q.score > p.score ? q : p));
  const face = shifted(best, -dx, -dy, image);
  return !confirm || face.facialArea.w >= MIN_FACE_SHARE * image.width ? [face] : undefined;
}

/** The image centred in a grey frame `dx` wider on the left and right, `dy` on top and bottom. */
export function withMargin(image: RgbImage, dx: number, dy: number): RgbImage {
  const width = image.width + 2 * dx, height = image.height + 2 * dy;
  const data = new Uint8Array(width * height * 3).fill(MARGIN_GREY);
  const row = image.width * 3;
  for (let y = 0; y < image.height; y++) data.set(image.data.subarray(y * row, (y + 1) * row), ((y + dy) * width + dx) * 3);
  return { data, width, height };
}

/** A face found in the framed image, moved back into the image's pixels, its box clamped to the image. */
function shifted(face: DetectedFace, dx: number, dy: number, image: RgbImage): DetectedFace {
  const move = (p: Point): Point => ({ x: p.x + dx, y: p.y + dy });
  const { x, y, w, h } = face.facialArea;
  const left = Math.max(0, x + dx), top = Math.max(0, y + dy);
  const right = Math.min(image.width, x + dx + w), bottom = Math.min(image.height, y + dy + h);
  const landmarks = face.landmarks.map(move) as unknown as Landmarks5;
  return {
    facialArea: { x: left, y: top, w: Math.max(0, right - left), h: Math.max(0, bottom - top), leftEye: landmarks[0], rightEye: landmarks[1] },
    score: face.score,
    landmarks,
  };
}

/** Standard deviation of the image's grey levels (the mean of its three channels), 0-255. */
function contrast(image: RgbImage): number {
  const { data } = image;
  const n = image.width * image.height;
  let sum = 0, sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const grey = ((data[i * 3] ?? 0) + (data[i * 3 + 1] ?? 0) + (data[i * 3 + 2] ?? 0)) / 3;
    sum += grey;
    sumSquares += grey * grey;
  }
  const mean = sum / Math.max(1, n);
  return Math.sqrt(Math.max(0, sumSquares / Math.max(1, n) - mean * mean));
}
