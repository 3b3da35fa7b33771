/**
 * `facevault verify <a> <b>`: are the faces of two images the same person (DeepFace's `verify`)?
 *
 *   facevault verify a.jpg b.jpg                              # a sentence for people
 *   facevault verify a.jpg b.jpg --metric euclidean_l2 --json # the VerifyResult as one JSON line
 *
 * As DeepFace: every face of each image is embedded and the closest pair decides (a group photo
 * verifies against the one person in it who matches). The default threshold is the model's, calibrated on
 * LFW View 1 (`facevault models` lists them); a lower --threshold accepts fewer impostors and
 * rejects more genuine pairs.
 */
import type { Command } from 'commander';
import { fvError } from '../errors.js';
import { parseMetric } from '../face/distance.js';
import { resolveModel } from '../face/models/registry.js';
import type { VerifyResult } from '../face/pipeline.js';
import { describeBox, faceCommand, openPipeline, printJson, runFaceCommand } from './face-cli.js';

interface VerifyFlags {
  readonly model?: string;
  readonly metric?: string;
  readonly threshold?: string;
  readonly maxFaces?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  faceCommand(program, 'verify')
    .description('Tell whether two images show the same person')
    .argument('<a>', 'first image')
    .argument('<b>', 'second image')
    .option('--model <name>', 'recognition model or alias (see `facevault models`); default faceplugin-arcface')
    .option('--metric <name>', 'cosine, euclidean, euclidean_l2 or angular; default cosine')
    .option('--max-faces <n>', 'compare at most this many faces of each image, largest first (1: the largest faces only); default all')
    .option('--threshold <distance>', "verified when distance <= this; default the model's calibrated threshold for the metric")
    .option('--json', 'the result as one JSON line: { verified, distance, threshold, confidence, model, detectorBackend, similarityMetric, facialAreas, time }')
    .action((a: string, b: string, flags: VerifyFlags) =>
      runFaceCommand('verify', () => parseFlags(flags), async (options) => {
        const faces = await openPipeline(2, options.model);
        try {
          const result = await faces.verify(a, b, options);
          if (flags.json) printJson(result);
          else printVerdict(result);
        } finally {
          await faces.close();
        }
      }),
    );
}

/** @throws FV_ERR_MODEL_UNKNOWN for a model or metric; FV_ERR_INVALID_ARGUMENT for a threshold that is not a number >= 0. */
function parseFlags(flags: VerifyFlags) {
  const model = resolveModel(flags.model).info.name;
  const metric = parseMetric(flags.metric ?? 'cosine');
  const maxFaces = flags.maxFaces === undefined ? undefined : Number(flags.maxFaces);
  if (maxFaces !== undefined && !(Number.isInteger(maxFaces) && maxFaces >= 1)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `--max-faces must be a whole number >= 1, got "${flags.maxFaces}"`, { field: 'maxFaces', value: flags.maxFaces });
  }
  if (flags.threshold === undefined) return { model, metric, maxFaces };
  const threshold = Number(flags.threshold);
  if (flags.threshold.trim() === '' || !Number.isFinite(threshold) || threshold < 0) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `--threshold must be a number >= 0, got "${flags.threshold}"`, { field: 'threshold', value: flags.threshold });
  }
  return { model, metric, maxFaces, threshold };
}

function printVerdict(r: VerifyResult): void {
  const verdict = r.verified ? 'same person' : 'different people';
  const comparison = r.verified ? '<=' : '>';
  console.log(`${verdict}: ${r.similarityMetric} distance ${r.distance.toFixed(4)} ${comparison} threshold ${r.threshold}, confidence ${r.confidence.toFixed(1)} %`);
  console.log(`  model ${r.model}, detector ${r.detectorBackend}, ${r.time.toFixed(2)} s`);
  if (r.facialAreas.img1) console.log(`  a: face at ${describeBox(r.facialAreas.img1)}`);
  if (r.facialAreas.img2) console.log(`  b: face at ${describeBox(r.facialAreas.img2)}`);
}
