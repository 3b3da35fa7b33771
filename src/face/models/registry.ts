/**
 * The recognition models facevault can run, keyed by name (in the manner of transformers.js
 * `SUPPORTED_TASKS`). Adding a network is one entry: its facts, its alignment template, and a
 * `create` that builds its implementation; a runtime (onnxruntime, tfjs) is loaded only when a
 * model that needs it is loaded, so reading the registry starts none. A fusion entry names
 * networks of the registry and how much each counts (see `fusion.ts`).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fvError } from '../../errors.js';
import { ARCFACE_TEMPLATE_112, type AlignmentTemplate } from '../align.js';
import type { CalibratedMetric, EmbeddingModel, ModelInfo, WeightsSource } from '../types.js';
import { DLIB_RESNET_INFO, DLIB_RESNET_TEMPLATE, DlibResnetModel } from './dlib-resnet.js';
import { defined } from '../../util/checked.js';

export interface ModelCreateOptions {
  /** Intra-op threads of the model's session; parallelism comes from one session per worker. Default 1. */
  readonly threads?: number;
}

interface EntryFacts {
  readonly info: ModelInfo;
  /** Other names `resolveModel` accepts for this entry. */
  readonly aliases: readonly string[];
  /** Where the five landmarks go in the crop `extractFaces` returns for this model; its size is `info.inputSize`. */
  readonly template: AlignmentTemplate;
  /**
   * Steepness per metric of the verification confidence, 100 / (1 + e^(k·(distance − threshold))):
   * 50 at the threshold, k fitted by logistic regression on LFW View 1 (see `confidenceFromDistance`).
   */
  readonly confidenceSlope: Readonly<Record<CalibratedMetric, number>>;
  /**
   * Cosine distance at or below which a gallery search (`Gallery.identify`) accepts the nearest
   * enrolled subject. Stricter than the verification threshold (`info.thresholds.cosine`, a 1:1
   * check): a search compares a stranger with every enrolled face, so the chance that one of N
   * lies within the threshold grows with N, about 1 − (1 − FMR)^N for a 1:1 false-match rate FMR.
   * Calibrated for 1 % of strangers accepted by a gallery of ~840 people, on half of LFW's people
   * (figures on the other half beside each entry): a larger gallery accepts more strangers at the
   * same threshold and needs a lower one.
   */
  readonly identificationThreshold: number;
}

/** One network: aligned crops in, one embedding per crop out. */
export interface NetworkEntry extends EntryFacts {
  readonly kind: 'network';
  /** Input scaling per RGB channel, (x − mean) / std, applied by the model implementation. */
  readonly normalisation: { readonly mean: readonly [r: number, g: number, b: number]; readonly std: readonly [r: number, g: number, b: number] };
  /** A new, not yet loaded instance. */
  readonly create: (entry: NetworkEntry, options: ModelCreateOptions) => Promise<EmbeddingModel>;
}

export interface FusionPart {
  /** A network of the registry, by canonical name. */
  readonly model: string;
  /** Share of the fused cosine distance, 0-1; the parts' weights sum to 1. */
  readonly weight: number;
}

/** Several networks, each on its own template, their unit embeddings concatenated (see `fuseEmbeddings`). */
export interface FusionEntry extends EntryFacts {
  readonly kind: 'fusion';
  readonly parts: readonly FusionPart[];
}

export type ModelEntry = NetworkEntry | FusionEntry;

const FACEPLUGIN_ARCFACE_WEIGHTS: WeightsSource = Object.freeze({ npmPackage: 'faceplugin-face-recognition-js', file: 'model/fr_feature.onnx' });

const FACEPLUGIN_ARCFACE: NetworkEntry = {
  kind: 'network',
  info: {
    name: 'faceplugin-arcface',
    dimension: 512,
    inputSize: 112,
    runtime: 'onnxruntime-node',
    weights: FACEPLUGIN_ARCFACE_WEIGHTS,
    licence: 'MIT (the npm package faceplugin-face-recognition-js 0.0.1, © Faceplugin Ltd; the weights carry no separate licence)',
    provenance:
      'Faceplugin Ltd, published as model/fr_feature.onnx in npm faceplugin-face-recognition-js 0.0.1. ' +
      'Architecture and training data are not documented: the ArcFace 112×112 template and (x − 127) / 128 input ' +
      'come from the package\'s own JavaScript; the training set (likely a public web-celebrity set such as MS1M or ' +
      'Glint360K, whose terms restrict commercial use) is unknown. LFW overlap with the training set cannot be ruled out.',
    // The accuracy-maximising thresholds on LFW-a View 1 pairsDevTrain.csv (99.50 %; 98.90 % on
    // pairsDevTest.csv at the same thresholds), with L2-normalised embeddings of the face nearest
    // the centre: `npx tsx bench/eval-lfw.ts` (its "View-1 threshold" column).
    // On unit vectors euclidean = euclidean_l2 = √(2 · cosine).
    thresholds: { cosine: 0.68, euclidean: 1.17, euclidean_l2: 1.17 },
  },
  aliases: ['default', 'arcface', 'faceplugin', 'fr_feature'],
  template: ARCFACE_TEMPLATE_112,
  normalisation: { mean: [127, 127, 127], std: [128, 128, 128] },
  // Maximum-likelihood logistic slopes on the same View-1 pairs.
  confidenceSlope: { cosine: 26, euclidean: 31.5, euclidean_l2: 31.5 },
  // LFW open set, people split in two halves (even / odd positions of lfw-identities.csv): the
  // threshold at which 1 % of half A's 2,032 strangers are accepted by a gallery of its 843 people
  // with two photos or more; on half B (837 enrolled, 3,986 genuine probes, 2,037 strangers) it
  // accepts 0.93 % of strangers and identifies 94.98 % of genuine probes (rank-1 98.82 %), where
  // the verification threshold 0.68 accepts 69 % of strangers. 1:1 false-match rate 1.1e-5, so a
  // gallery of 10,000 would accept about 10 % of strangers. Half B calibrates to the same 0.53.
  // `npx tsx bench/recognition.ts --parts calibrate,lfw` (bench/results/recognition-lfw.json).
  identificationThreshold: 0.53,
  create: async (entry, options) => {
    const { FacepluginArcFace } = await import('./faceplugin-arcface.js');
    return new FacepluginArcFace(entry, resolveWeights(FACEPLUGIN_ARCFACE_WEIGHTS), options.threads ?? 1);
  },
};

const DLIB_RESNET: NetworkEntry = {
  kind: 'network',
  info: DLIB_RESNET_INFO,
  aliases: ['dlib', 'dlib-resnet', 'face-api'],
  template: DLIB_RESNET_TEMPLATE,
  // face-api's FaceRecognitionNet subtracts dlib's mean RGB and divides by 255.
  normalisation: { mean: [122.782, 117.001, 104.298], std: [255, 255, 255] },
  // Logistic slopes on LFW-a View 1 pairsDevTrain, unit-length descriptors (see DLIB_RESNET_INFO).
  confidenceSlope: { cosine: 168.6, euclidean: 71.6, euclidean_l2: 71.6 },
  // As for faceplugin-arcface (LFW people split in halves, FAR 1 % on half A's 843-person gallery):
  // on half B it accepts 0.79 % of strangers but identifies only 58.10 % of genuine probes (rank-1
  // 91.04 %), where the verification threshold 0.0881 accepts 94 % of strangers. Half B calibrates
  // to the same 0.048. `npx tsx bench/recognition.ts --parts calibrate --model fusion-arcface-dlib`
  // (bench/results/recognition-calibrate-fusion.json: dlib's embeddings are slices of the fused ones).
  identificationThreshold: 0.048,
  // tfjs is imported by the model's load(), not here: a worker that never uses this model never starts it.
  create: async () => new DlibResnetModel(),
};

/**
 * A fusion entry from networks and their weights: its dimension, runtimes, weights files and
 * licences follow from the networks'; the first network's template gives `extractFaces`' crops.
 * @throws Error when the weights are not positive or do not sum to 1 (a registry bug, caught at import).
 */
function fusionOf(
  name: string,
  aliases: readonly string[],
  parts: readonly (readonly [NetworkEntry, number])[],
  calibrated: Pick<ModelInfo, 'thresholds' | 'provenance'> & Pick<FusionEntry, 'confidenceSlope' | 'identificationThreshold'>,
): FusionEntry {
  const total = parts.reduce((sum, [, weight]) => sum + weight, 0);
  if (Math.abs(total - 1) > 1e-9 || parts.some(([, weight]) => !(weight > 0))) throw new Error(`Fusion ${name}: weights must be positive and sum to 1`);
  const [first] = defined(parts[0], `fusion ${name}'s first part`);
  return {
    kind: 'fusion',
    info: {
      name,
      dimension: parts.reduce((sum, [network]) => sum + network.info.dimension, 0),
      inputSize: first.info.inputSize,
      runtime: parts.flatMap(([network]) => network.info.runtime),
      weights: parts.flatMap(([network]) => network.info.weights),
      licence: parts.map(([network]) => `${network.info.name}: ${network.info.licence}`).join(' | '),
      provenance: calibrated.provenance,
      thresholds: calibrated.thresholds,
    },
    aliases,
    template: first.template,
    confidenceSlope: calibrated.confidenceSlope,
    identificationThreshold: calibrated.identificationThreshold,
    parts: parts.map(([network, weight]) => ({ model: network.info.name, weight })),
  };
}

/**
 * The two networks fused: different architectures, runtimes and training sets, so their errors
 * differ. Weights (0.25 ArcFace, 0.75 dlib: dlib's cosine distances are about a seventh of
 * ArcFace's, so it needs the larger share), thresholds and slopes chosen on LFW-a View 1
 * pairsDevTrain (99.64 %; 99.10 % on pairsDevTest): `npx tsx bench/fusion-weights.ts`.
 * LFW-a View 2: 99.22 % ± 0.58 against 99.03 % ± 0.65 for ArcFace alone (`bench/eval-lfw.ts`),
 * for 66 ms a face on one thread against 27.5, so it is an option, not the default.
 */
const FUSION_ARCFACE_DLIB = fusionOf('fusion-arcface-dlib', ['fusion', 'arcface+dlib'], [[FACEPLUGIN_ARCFACE, 0.25], [DLIB_RESNET, 0.75]], {
  provenance:
    'Score-level fusion of faceplugin-arcface and dlib-resnet-128, each aligned on its own template from the same five landmarks: ' +
    'their unit embeddings scaled by √0.25 and √0.75 and concatenated, so the cosine distance is 0.25 × ArcFace\'s + 0.75 × dlib\'s. ' +
    'Weights, thresholds and confidence slopes chosen on LFW-a View 1 pairsDevTrain.',
  thresholds: { cosine: 0.25, euclidean: 0.7071, euclidean_l2: 0.7071 },
  confidenceSlope: { cosine: 83.4, euclidean: 59.7, euclidean_l2: 59.7 },
  // As for faceplugin-arcface (LFW people split in halves, FAR 1 % on half A's 843-person gallery):
  // on half B it accepts 1.18 % of strangers and identifies 94.23 % of genuine probes, against
  // 0.93 % and 94.98 % for ArcFace alone at 0.53 — no gain from the fusion here. Half B calibrates
  // to 0.17. `npx tsx bench/recognition.ts --parts calibrate --model fusion-arcface-dlib`
  // (bench/results/recognition-calibrate-fusion.json).
  identificationThreshold: 0.18,
});

/** Every model by its canonical name. */
export const MODEL_REGISTRY: Readonly<Record<string, ModelEntry>> = Object.freeze(
  Object.fromEntries([FACEPLUGIN_ARCFACE, DLIB_RESNET, FUSION_ARCFACE_DLIB].map((entry) => [entry.info.name, entry])),
);

/** The most accurate model within 30 ms a face on one thread (targets.md): 99.03 % on LFW-a View 2 at 27.5 ms. */
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

/** The networks a model runs: itself, or a fusion's parts. */
export function networksOf(entry: ModelEntry): NetworkEntry[] {
  return entry.kind === 'network' ? [entry] : entry.parts.map((part) => resolveModel(part.model) as NetworkEntry);
}

const require = createRequire(import.meta.url);

/**
 * Absolute path of a file inside an installed npm package (weights travel as npm packages, so
 * they are on any machine that installed facevault, offline).
 * @throws FV_ERR_MODEL_LOAD when the package is not installed.
 */
export function resolveWeights(weights: WeightsSource): string {
  try {
    return join(dirname(require.resolve(`${weights.npmPackage}/package.json`)), weights.file);
  } catch (cause) {
    throw fvError('FV_ERR_MODEL_LOAD', `Weights package ${weights.npmPackage} is not installed (needed for ${weights.file})`, { npmPackage: weights.npmPackage }, cause);
  }
}
