/**
 * `facevault represent <image...>`: every face of each image with its embedding (DeepFace's `represent`).
 *
 *   facevault represent a.jpg b.png --json          # one JSON line per image, in order
 *   facevault represent group.jpg --model dlib      # a table of faces for people
 *
 * An image that fails (unreadable, no face) prints its error and the others still run; the exit
 * code is then 1. With --json its line is `{ "image", "error": { "code", "message" } }`.
 */
import type { Command } from 'commander';
import { isFacevaultError } from '../errors.js';
import { resolveModel } from '../face/models/registry.js';
import type { Representation } from '../face/pipeline.js';
import { mapInOrder } from '../recognition/concurrent.js';
import { describeBox, EXIT_FAILED, embeddingToJson, faceCommand, openPipeline, printJson, reportError, runFaceCommand } from './face-cli.js';

/** Four images per worker in the window: the workers stay busy while a slower image ahead in the list holds back the printing. */
const IMAGES_IN_FLIGHT_PER_WORKER = 4;

interface RepresentFlags {
  readonly model?: string;
  readonly json?: boolean;
}

export function register(program: Command): void {
  faceCommand(program, 'represent')
    .description('Embed every face of each image (one JSON line per image with --json)')
    .argument('<image...>', 'image files (JPEG, PNG, WebP, GIF, TIFF, AVIF)')
    .option('--model <name>', 'recognition model or alias (see `facevault models`); default faceplugin-arcface')
    .option('--json', 'one JSON line per image: { image, model, faces: [{ embedding, facialArea, faceConfidence }] }')
    .action((images: string[], flags: RepresentFlags) =>
      runFaceCommand('represent', () => resolveModel(flags.model).info, async (model) => {
        const faces = await openPipeline(images.length, model.name);
        try {
          // A window of images in flight, not all of them: enough to keep every worker busy, while
          // memory holds a few results however many files the command names. Results print in order.
          for await (const outcome of mapInOrder(images, faces.concurrency * IMAGES_IN_FLIGHT_PER_WORKER, (image) => faces.represent(image))) {
            const { item: image } = outcome;
            if ('error' in outcome) {
              if (!isFacevaultError(outcome.error)) throw outcome.error;
              const { code, message } = outcome.error;
              reportError('represent', { code, message: message.includes(image) ? message : `${image}: ${message}` });
              if (flags.json) printJson({ image, error: { code, message } });
              process.exitCode = EXIT_FAILED;
            } else if (flags.json) printJson({ image, model: model.name, faces: outcome.value.map(representationToJson) });
            else printFaces(image, model.name, outcome.value);
          }
        } finally {
          await faces.close();
        }
      }),
    );
}

function representationToJson(rep: Representation) {
  return { embedding: embeddingToJson(rep.embedding), facialArea: rep.facialArea, faceConfidence: rep.faceConfidence };
}

function printFaces(image: string, model: string, reps: readonly Representation[]): void {
  const dimension = reps[0]?.embedding.length ?? 0;
  console.log(`${image}: ${reps.length} face${reps.length === 1 ? '' : 's'}, ${model} (${dimension}-d, unit length)`);
  reps.forEach((rep, i) => {
    const head = Array.from(rep.embedding.subarray(0, 4), (x) => x.toFixed(4)).join(', ');
    console.log(`  face ${i + 1}: ${describeBox(rep.facialArea)}, confidence ${rep.faceConfidence.toFixed(3)}, embedding [${head}, …]`);
  });
}
