/**
 * What `analyze` can report, and the check of a requested list — apart from the models, so the
 * pipeline validates `actions` at its boundary without loading onnxruntime.
 */
import { fvError } from '../../errors.js';
import type { EmotionPrediction } from './emotion.js';
import type { GenderPrediction } from './gender.js';
import type { LivenessPrediction } from './liveness.js';

export interface FaceAnalysis {
  /** Apparent age in years. */
  readonly age?: number;
  readonly gender?: GenderPrediction;
  readonly emotion?: EmotionPrediction;
  readonly liveness?: LivenessPrediction;
}

export type AnalyzeAction = keyof FaceAnalysis;

/** Every action, in the order results are computed. */
export const ANALYZE_ACTIONS: readonly AnalyzeAction[] = Object.freeze(['age', 'gender', 'emotion', 'liveness']);

/**
 * Known actions, each once, in `ANALYZE_ACTIONS` order.
 * @example resolveActions(['liveness', 'age', 'age']) // → ['age', 'liveness']
 * @throws FV_ERR_INVALID_ARGUMENT when the list is empty, not an array, or holds an unknown action (the message lists the allowed ones).
 */
export function resolveActions(actions: readonly AnalyzeAction[]): AnalyzeAction[] {
  const valid = Array.isArray(actions) && actions.length > 0 && actions.every((action) => ANALYZE_ACTIONS.includes(action));
  if (!valid) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `actions must be a non-empty list drawn from [${ANALYZE_ACTIONS.join(', ')}]; got [${String(actions)}]`, { field: 'actions', actions, allowed: ANALYZE_ACTIONS });
  }
  return ANALYZE_ACTIONS.filter((action) => actions.includes(action));
}
