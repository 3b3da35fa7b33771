/**
 * Shapes shared by the verification evaluation (LFW protocol, ROC, calibration).
 *
 * A pair is "verified" when `distance <= threshold`, as in the model registry and in DeepFace.
 */

/** One verification pair after embedding: its distance, or null when a face was not found in one of its images. */
export interface ScoredPair {
  /** Distance between the two embeddings; null when either image had no detected face. */
  readonly distance: number | null;
  /** Ground truth: both images show the same person. */
  readonly same: boolean;
}

/** A scored pair of a cross-validation protocol (LFW View 2: folds 0-9 of 600 pairs). */
export interface FoldedPair extends ScoredPair {
  readonly fold: number;
}

/** A threshold and the share of pairs it answers rightly. */
export interface ThresholdChoice {
  readonly threshold: number;
  /** 0-1. */
  readonly accuracy: number;
}
