/**
 * The face detector shipped in npm `faceplugin-face-recognition-js` (`model/fr_detect.onnx`): an
 * Ultra-Light-Fast-Generic-Face-Detector style network (RFB-320 anchors: 10-256 px, steps 8-64)
 * taking a 320×240 RGB image scaled (x − 127) / 128. Its `boxes` output is already decoded
 * (corner form, 0-1 of the input), so only score filtering and NMS remain — as in the package's
 * `lib/fr_detect.js`, which applies `scaleMultiplyBBox` to the raw output.
 */
import { OnnxModel } from '../runtime/onnx.js';
import type { FaceImage } from '../align.js';
import { nonMaxSuppression, type ScoredBox } from './nms.js';
import { at, entry } from '../../util/checked.js';

export const DETECTOR_INPUT = Object.freeze({ width: 320, height: 240 });
const ANCHORS = 4420;
/** Ultra-Light's own hard-NMS IoU; the faceplugin JS uses a looser overlap-over-area rule. */
const NMS_IOU = 0.3;
/** Faces under this many pixels at the full view's input are the ones it misses (measured: most below 15). */
const TILE_FACE_LIMIT = 15;

export class FacepluginDetector {
  private constructor(private readonly model: OnnxModel) {}

  /** @throws FV_ERR_MODEL_LOAD when the model file is missing or its input is not [1, 3, 240, 320]. */
  static async load(path: string, threads = 1): Promise<FacepluginDetector> {
    const model = await OnnxModel.load(path, { threads, expectInputs: { input: [1, 3, DETECTOR_INPUT.height, DETECTOR_INPUT.width] } });
    return new FacepluginDetector(model);
  }

  /**
   * Face boxes in image pixels scoring at least `scoreThreshold`, best first, after NMS.
   * Each view is stretched to 320×240 as the network was trained (letterboxing LFW-a's square
   * images changed View-1 accuracy by one pair in 2,200: noise).
   *
   * With `tiles`, an image more than 3× the input also gets a grid of overlapping tiles (2×2, or
   * 3×3 beyond 6×), each seen at 1.75-2.5× the resolution: faces under ~15 px at the input
   * (1/20 of the photo's width) are otherwise missed — measured on the face-api samples shrunk
   * into a larger canvas. Costs one detector run per tile.
   * @throws FV_ERR_MODEL_NOT_LOADED after dispose().
   */
  async detect(pyramid: FaceImage, scoreThreshold: number, tiles: boolean): Promise<ScoredBox[]> {
    const { width, height } = pyramid;
    const found = await this.detectInView(pyramid, fullView(width, height), scoreThreshold);
    if (tiles) {
      // Tiles see parts of large faces (a chin, hair) as faces: keep from them only faces too small for the full view.
      const smallest = TILE_FACE_LIMIT * Math.max(width / DETECTOR_INPUT.width, height / DETECTOR_INPUT.height);
      for (const view of tileViews(width, height)) {
        for (const box of await this.detectInView(pyramid, view, scoreThreshold)) if (box.x2 - box.x1 < smallest) found.push(box);
      }
    }
    return nonMaxSuppression(found, NMS_IOU);
  }

  private async detectInView(pyramid: FaceImage, view: View, scoreThreshold: number): Promise<ScoredBox[]> {
    const { width: W, height: H } = DETECTOR_INPUT;
    const sx = W / view.w, sy = H / view.h;
    // Pixel centres map as in cv2.resize: (x − left + 0.5)·s − 0.5.
    const resized = pyramid.warp([sx, 0, (0.5 - view.x) * sx - 0.5, 0, sy, (0.5 - view.y) * sy - 0.5], W, H);
    // A fresh input per call: onnxruntime reads it while the event loop may start another detection.
    const plane = W * H, px = resized.data, input = new Float32Array(3 * plane);
    // px holds 3·plane bytes (the warp's W×H output), so `?? 0` only satisfies the type, without a call per pixel.
    for (let i = 0; i < plane; i++) {
      input[i] = ((px[i * 3] ?? 0) - 127) / 128;
      input[plane + i] = ((px[i * 3 + 1] ?? 0) - 127) / 128;
      input[2 * plane + i] = ((px[i * 3 + 2] ?? 0) - 127) / 128;
    }
    const out = await this.model.run({ input: { data: input, dims: [1, 3, H, W] } });
    const scores = entry(out, 'scores').data, boxes = entry(out, 'boxes').data;
    const candidates: ScoredBox[] = [];
    for (let i = 0; i < ANCHORS; i++) {
      const score = at(scores, i * 2 + 1);
      if (score < scoreThreshold) continue;
      const box = {
        x1: view.x + at(boxes, i * 4) * view.w,
        y1: view.y + at(boxes, i * 4 + 1) * view.h,
        x2: view.x + at(boxes, i * 4 + 2) * view.w,
        y2: view.y + at(boxes, i * 4 + 3) * view.h,
        score,
      };
      if (!cutByInnerEdge(box, view)) candidates.push(box);
    }
    return candidates;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** A region of the image fed to the detector; `inner` marks its edges that lie inside the image (tile borders). */
interface View {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly inner: { readonly left: boolean; readonly top: boolean; readonly right: boolean; readonly bottom: boolean };
}

const NO_INNER_EDGES = Object.freeze({ left: false, top: false, right: false, bottom: false });

function fullView(width: number, height: number): View {
  return { x: 0, y: 0, w: width, h: height, inner: NO_INNER_EDGES };
}

/** n×n tiles overlapping by a quarter, n = 2 beyond 3× the detector input and 3 beyond 6×; none below. */
function tileViews(width: number, height: number): View[] {
  const excess = Math.max(width / DETECTOR_INPUT.width, height / DETECTOR_INPUT.height);
  const n = excess >= 6 ? 3 : excess >= 3 ? 2 : 1;
  if (n === 1) return [];
  const fraction = 1 / (0.75 * n + 0.25);
  const w = width * fraction, h = height * fraction;
  const views: View[] = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const inner = { left: col > 0, top: row > 0, right: col < n - 1, bottom: row < n - 1 };
      views.push({ x: col * 0.75 * w, y: row * 0.75 * h, w, h, inner });
    }
  }
  return views;
}

/**
 * A box touching a tile border that lies inside the image is probably a face cut by the tile:
 * drop it (the overlap, or the full view, sees that face whole).
 */
function cutByInnerEdge(box: ScoredBox, view: View): boolean {
  const margin = 0.02 * Math.min(view.w, view.h);
  return (
    (view.inner.left && box.x1 <= view.x + margin) ||
    (view.inner.top && box.y1 <= view.y + margin) ||
    (view.inner.right && box.x2 >= view.x + view.w - margin) ||
    (view.inner.bottom && box.y2 >= view.y + view.h - margin)
  );
}
