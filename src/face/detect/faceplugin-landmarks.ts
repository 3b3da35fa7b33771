/**
 * The 68-point landmark model shipped in npm `faceplugin-face-recognition-js`
 * (`model/fr_landmark.onnx`): a 64×64 grey crop of the face box scaled x / 256 in, 136 numbers
 * out — (x, y) pairs as fractions of the crop, in the iBUG 300-W order — as its `lib/fr_landmark.js` does.
 */
import { OnnxModel } from '../runtime/onnx.js';
import type { Affine, FaceImage, WarpRequest } from '../align.js';
import type { Landmarks5, Point } from '../types.js';
import type { ScoredBox } from './nms.js';
import { at, entry } from '../../util/checked.js';

const SIDE = 64;

export class FacepluginLandmarks {
  private constructor(private readonly model: OnnxModel) {}

  /** @throws FV_ERR_MODEL_LOAD when the model file is missing or its input is not [1, 1, 64, 64]. */
  static async load(path: string, threads = 1): Promise<FacepluginLandmarks> {
    const model = await OnnxModel.load(path, { threads, expectInputs: { input: [1, 1, SIDE, SIDE] } });
    return new FacepluginLandmarks(model);
  }

  /**
   * The 68 landmarks of the face in `box`, in image pixels. Like the package, the crop is the
   * square of side = box height centred on the box; parts outside the image are black.
   * @throws FV_ERR_MODEL_NOT_LOADED after dispose().
   */
  async predict(image: FaceImage, box: ScoredBox): Promise<Point[]> {
    const { forward, side, left, top } = landmarkCrop(box);
    const crop = image.warp(forward, SIDE, SIDE);
    const px = crop.data, input = new Float32Array(SIDE * SIDE);
    // px holds SIDE·SIDE·3 bytes (the warp's output), so `?? 0` only satisfies the type, without a call per pixel.
    for (let i = 0; i < SIDE * SIDE; i++) input[i] = (0.299 * (px[i * 3] ?? 0) + 0.587 * (px[i * 3 + 1] ?? 0) + 0.114 * (px[i * 3 + 2] ?? 0)) / 256;
    const out = await this.model.run({ input: { data: input, dims: [1, 1, SIDE, SIDE] } });
    const xy = entry(out, 'output').data;
    const points: Point[] = [];
    for (let i = 0; i < 68; i++) points.push({ x: left + at(xy, i * 2) * side, y: top + at(xy, i * 2 + 1) * side });
    return points;
  }

  /**
   * What `predict` and the alignment after it will sample around a face, for `FaceImage.prepare`:
   * the landmark crop's map over a window three times its side (an aligned crop reaches about
   * 1.3-1.8 box widths around the face).
   */
  neighbourhood(box: ScoredBox): WarpRequest[] {
    const { forward } = landmarkCrop(box);
    return [{ forward: [forward[0], forward[1], forward[2] + SIDE, forward[3], forward[4], forward[5] + SIDE], width: 3 * SIDE, height: 3 * SIDE }];
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/** The landmark model's crop of a box: the square of side = box height centred on the box, as the package does. */
function landmarkCrop(box: ScoredBox): { forward: Affine; side: number; left: number; top: number } {
  const side = box.y2 - box.y1;
  const left = (box.x1 + box.x2) / 2 - side / 2, top = box.y1;
  const s = SIDE / side;
  return { forward: [s, 0, -left * s, 0, s, -top * s], side, left, top };
}

function mean(points: readonly Point[], from: number, to: number): Point {
  let x = 0, y = 0;
  for (let i = from; i <= to; i++) {
    const point = at(points, i);
    x += point.x; y += point.y;
  }
  return { x: x / (to - from + 1), y: y / (to - from + 1) };
}

/**
 * The five alignment points from the 68: eye centres (mean of each eye's six points, 36-41 and
 * 42-47), nose tip (30), mouth corners (48, 54). Left/right as seen in the image.
 */
export function landmarks5From68(points: readonly Point[]): Landmarks5 {
  return [mean(points, 36, 41), mean(points, 42, 47), at(points, 30), at(points, 48), at(points, 54)];
}
