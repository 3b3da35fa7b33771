/**
 * The recognition models facevault can run, keyed by name (in the manner of transformers.js
 * `SUPPORTED_TASKS`). Adding a model is one entry: its facts, its alignment template, and a
 * `create` that imports its implementation lazily, so a runtime (onnxruntime, tfjs) is loaded
 * only when a model that needs it is used.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fvError } from '../../errors.js';
import { ARCFACE_TEMPLATE_112, type AlignmentTemplate } from '../align.js';
import type { DistanceMetric, EmbeddingModel, ModelInfo } from '../types.js';

export interface ModelCreateOptions {
  /** Intra-op threads of the model's session; parallelism comes from one session per worker. Default 1. */
  readonly threads?: number;
}

export interface ModelEntry {
  readonly info: ModelInfo;
  /** Other names `resolveModel` accepts for this entry. */
  readonly aliases: readonly string[];
  /** Where the five landmarks go in the model's crop; its size is `info.inputSize`. */
  readonly template: AlignmentTemplate;
  /** Input scaling per RGB channel, (x − mean) / std, applied by the model implementation. */
  readonly normalisation: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /**
   * Steepness per metric of the verification confidence, 100 / (1 + e^(k·(distance − threshold))):
   * 50 at the threshold, k fitted by logistic regression on LFW View 1 (see `confidenceFromDistance`).
   */
  readonly confidenceSlope: Readonly<Record<DistanceMetric, number>>;
  /** A new, not yet loaded instance. */
  readonly create: (entry: ModelEntry, options: ModelCreateOptions) => Promise<EmbeddingModel>;
}

const FACEPLUGIN_PACKAGE = 'faceplugin-face-recognition-js';

const FACEPLUGIN_ARCFACE: ModelEntry = {
  info: {
    name: 'faceplugin-arcface',
    dimension: 512,
    inputSize: 112,
    runtime: 'onnxruntime-node',
    weights: { npmPackage: FACEPLUGIN_PACKAGE, file: 'model/fr_feature.onnx' },
    licence: 'MIT (the npm package faceplugin-face-recognition-js 0.0.1, © Faceplugin Ltd; the weights carry no separate licence)',
    provenance:
      'Faceplugin Ltd, published as model/fr_feature.onnx in npm faceplugin-face-recognition-js 0.0.1. ' +
      'Architecture and training data are not documented: the ArcFace 112×112 template and (x − 127) / 128 input ' +
      'come from the package\'s own JavaScript; the training set (likely a public web-celebrity set such as MS1M or ' +
      'Glint360K, whose terms restrict commercial use) is unknown. LFW overlap with the training set cannot be ruled out.',
    // Provisional until the LFW View-1 calibration lands: the accuracy-maximising thresholds on
    // View 1 pairsDevTrain.csv (99.50 %; 98.90 % on pairsDevTest.csv at the same thresholds), with
    // L2-normalised embeddings of the face nearest the centre: `npx tsx bench/face-pipeline.ts --calibrate`.
    // On unit vectors euclidean = euclidean_l2 = √(2 · cosine).
    thresholds: { cosine: 0.68, euclidean: 1.17, euclidean_l2: 1.17 },
  },
  aliases: ['default', 'arcface', 'faceplugin', 'fr_feature'],
  template: ARCFACE_TEMPLATE_112,
  normalisation: { mean: [127, 127, 127], std: [128, 128, 128] },
  // Maximum-likelihood logistic slopes on the same View-1 pairs (same command).
  confidenceSlope: { cosine: 26, euclidean: 31.5, euclidean_l2: 31.5 },
  create: async (entry, options) => {
    const { FacepluginArcFace } = await import('./faceplugin-arcface.js');
    return new FacepluginArcFace(entry, resolveWeights(entry.info.weights), options.threads ?? 1);
  },
};

/** Every model by its canonical name. */
export const MODEL_REGISTRY: Readonly<Record<string, ModelEntry>> = Object.freeze({
  [FACEPLUGIN_ARCFACE.info.name]: FACEPLUGIN_ARCFACE,
});

export const DEFAULT_MODEL = FACEPLUGIN_ARCFACE.info.name;

/**
 * The registry entry for a model name or alias (case-insensitive); the default model when none is given.
 * @example resolveModel('arcface').info.dimension // → 512
 * @throws FV_ERR_MODEL_UNKNOWN listing the allowed names when `name` is neither a model nor an alias.
 */
export function resolveModel(name?: string): ModelEntry {
  const wanted = (name ?? DEFAULT_MODEL).toLowerCase();
  for (const entry of Object.values(MODEL_REGISTRY)) {
    if (entry.info.name.toLowerCase() === wanted || entry.aliases.includes(wanted)) return entry;
  }
  const allowed = Object.values(MODEL_REGISTRY).flatMap((e) => [e.info.name, ...e.aliases]);
  throw fvError('FV_ERR_MODEL_UNKNOWN', `Unknown face model "${name}"; allowed: ${allowed.join(', ')}`, { model: name, allowed });
}

const require = createRequire(import.meta.url);

/**
 * Absolute path of a file inside an installed npm package (weights travel as npm packages, so
 * they are on any machine that installed facevault, offline).
 * @throws FV_ERR_MODEL_LOAD when the package is not installed.
 */
export function resolveWeights(weights: { readonly npmPackage: string; readonly file: string }): string {
  try {
    return join(dirname(require.resolve(`${weights.npmPackage}/package.json`)), weights.file);
  } catch (cause) {
    throw fvError('FV_ERR_MODEL_LOAD', `Weights package ${weights.npmPackage} is not installed (needed for ${weights.file})`, { npmPackage: weights.npmPackage }, cause);
  }
}
