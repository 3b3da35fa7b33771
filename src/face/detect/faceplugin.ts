/**
 * The 'faceplugin' detector backend: boxes from fr_detect.onnx, then five alignment points from
 * the 68 landmarks of fr_landmark.onnx, one face at a time.
 */
import type { FaceImage } from '../align.js';
import type { DetectedFace } from '../types.js';
import { FacepluginDetector } from './faceplugin-detector.js';
import { FacepluginLandmarks, landmarks5From68 } from './faceplugin-landmarks.js';
import type { ScoredBox } from './nms.js';
import type { DetectorRunOptions, FaceDetector } from './registry.js';

export class FacepluginFaceDetector implements FaceDetector {
  readonly name = 'faceplugin';

  private constructor(private readonly boxes: FacepluginDetector, private readonly landmarks: FacepluginLandmarks) {}

  /** @throws FV_ERR_MODEL_LOAD when either model file is missing or has unexpected input shapes. */
  static async load(detectorPath: string, landmarksPath: string, threads: number): Promise<FacepluginFaceDetector> {
    const [boxes, landmarks] = await Promise.all([FacepluginDetector.load(detectorPath, threads), FacepluginLandmarks.load(landmarksPath, threads)]);
    return new FacepluginFaceDetector(boxes, landmarks);
  }

  async detect(image: FaceImage, options: DetectorRunOptions): Promise<DetectedFace[]> {
    const faces: DetectedFace[] = [];
    const boxes = await this.boxes.detect(image, options.scoreThreshold, options.tiles);
    // One look at the photo for every face's landmarks and alignment (a no-op for a photo in memory).
    await image.prepare(boxes.flatMap((box) => this.landmarks.neighbourhood(box)));
    for (const box of boxes) {
      const landmarks = landmarks5From68(await this.landmarks.predict(image, box));
      faces.push({ facialArea: { ...clampedBox(box, image), leftEye: landmarks[0], rightEye: landmarks[1] }, score: box.score, landmarks });
    }
    return faces;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.boxes.dispose(), this.landmarks.dispose()]);
  }
}

/** Integer pixel box inside the image, as DeepFace's `facial_area`. */
function clampedBox(box: ScoredBox, img: { readonly width: number; readonly height: number }): { x: number; y: number; w: number; h: number } {
  const x = Math.max(0, Math.round(box.x1)), y = Math.max(0, Math.round(box.y1));
  const x2 = Math.min(img.width, Math.round(box.x2)), y2 = Math.min(img.height, Math.round(box.y2));
  return { x, y, w: Math.max(0, x2 - x), h: Math.max(0, y2 - y) };
}
