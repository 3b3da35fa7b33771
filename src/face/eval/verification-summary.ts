import { rocCurve, tarAtFar, type RocCurve, type TarAtFar } from './roc.js';
import { tenFoldAccuracy, type CrossValidation } from './ten-fold.js';
import type { FoldedPair } from './types.js';

/** Every verification figure of one model and metric on one cross-validation protocol. */
export interface VerificationSummary {
  readonly pairs: number;
  /** Pairs where a face was not found in one image or both. */
  readonly failedPairs: number;
  /** The headline: cross-validated accuracy with failed pairs counted as wrong answers. */
  readonly accuracy: CrossValidation;
  /** Cross-validated accuracy on the pairs whose faces were both found (thresholds chosen again on those). */
  readonly accuracyFound: CrossValidation;
  /** Failed pairs counted as errors at every threshold. */
  readonly roc: RocCurve;
  /** AUC over the pairs whose faces were both found. */
  readonly aucFound: number;
  readonly tarAtFar: readonly TarAtFar[];
}

/**
 * Cross-validated accuracy, ROC and TAR at each FAR, with and without detection failures.
 *
 * @throws FV_ERR_INVALID_ARGUMENT as {@link tenFoldAccuracy} and {@link rocCurve} do, or when no pair has both faces found.
 */
export function summarizeVerification(pairs: readonly FoldedPair[], fars: readonly number[] = [1e-3, 1e-2]): VerificationSummary {
  const found = pairs.filter((p) => p.distance !== null);
  return {
    pairs: pairs.length,
    failedPairs: pairs.length - found.length,
    accuracy: tenFoldAccuracy(pairs),
    accuracyFound: tenFoldAccuracy(found),
    roc: rocCurve(pairs),
    aucFound: rocCurve(found).auc,
    tarAtFar: fars.map((far) => tarAtFar(pairs, far)),
  };
}
