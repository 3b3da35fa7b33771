/**
 * DeepFace's `analyze` for one detected face: age, gender, emotion and liveness, each from its
 * own model (Faceplugin ONNX files; gender from face-api's age-gender net on tfjs), run only when asked for.
 */
import { fvError } from '../../errors.js';
import type { FacialArea, RgbImage } from '../types.js';
import { ANALYZE_ACTIONS, resolveActions, type AnalyzeAction, type FaceAnalysis } from './actions.js';
import { AgeEstimator } from './age.js';
import { EmotionClassifier } from './emotion.js';
import type { AttributePredictor, FaceAttributeOptions } from './face-attribute-model.js';
import { GenderClassifier } from './gender.js';
import { LivenessDetector } from './liveness.js';

type Models = { readonly [A in AnalyzeAction]: AttributePredictor<NonNullable<FaceAnalysis[A]>> };

/**
 * Holds the attribute models; `load()` only those you will ask for: the expression model alone
 * is 28 MB and takes 60-130 ms a face on this machine (one thread), liveness 8-16 ms, age about
 * 1 ms, gender (tfjs wasm) ~17 ms (median on a busy machine; 0.6 ms for the ONNX model it replaced).
 *
 * @example
 * const analyzer = new FaceAnalyzer();
 * await analyzer.load(['age', 'gender']);
 * await analyzer.analyzeFace(image, face.facialArea, ['age', 'gender']);
 * // { age: 34.2, gender: { dominant: 'Man', woman: 3.1, man: 96.9 } }
 * await analyzer.dispose();
 */
export class FaceAnalyzer {
  private readonly models: Models;
  private readonly loaded = new Set<AnalyzeAction>();

  constructor(options: FaceAttributeOptions = {}) {
    this.models = {
      age: new AgeEstimator(options),
      gender: new GenderClassifier(options),
      emotion: new EmotionClassifier(options),
      liveness: new LivenessDetector(options),
    };
  }

  /**
   * Loads the models of `actions` (all four by default); idempotent.
   * @throws FV_ERR_INVALID_ARGUMENT when an action is unknown or the list is empty.
   * @throws FV_ERR_MODEL_LOAD when a model file is missing or has unexpected shapes.
   */
  async load(actions: readonly AnalyzeAction[] = ANALYZE_ACTIONS): Promise<void> {
    for (const action of resolveActions(actions)) {
      await this.models[action].load();
      this.loaded.add(action);
    }
  }

  /**
   * Runs the requested analyses on the face at `box` of `image`; the result has exactly those keys.
   * @throws FV_ERR_INVALID_ARGUMENT when an action is unknown, the list is empty, or the box covers no pixel of the image.
   * @throws FV_ERR_MODEL_NOT_LOADED when an action's model was not loaded, or after `dispose()`.
   */
  async analyzeFace(image: RgbImage, box: FacialArea, actions: readonly AnalyzeAction[] = ANALYZE_ACTIONS): Promise<FaceAnalysis> {
    const wanted = resolveActions(actions);
    const missing = wanted.filter((action) => !this.loaded.has(action));
    if (missing.length > 0) {
      throw fvError('FV_ERR_MODEL_NOT_LOADED', `Analyses [${missing.join(', ')}] were not loaded; call load() with them first`, { missing });
    }
    const result: Record<string, unknown> = {};
    for (const action of wanted) result[action] = await this.models[action].predict(image, box);
    return result as FaceAnalysis;
  }

  /** Idempotent. */
  async dispose(): Promise<void> {
    this.loaded.clear();
    await Promise.all(ANALYZE_ACTIONS.map((action) => this.models[action].dispose()));
  }
}
