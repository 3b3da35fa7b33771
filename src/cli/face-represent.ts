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
import { describeBox, EXIT_FAILED, embeddingToJson, faceCommand, openPipeline, printJson, reportError, runFaceCommand } from './face-cli.js';

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
          // Every image is submitted at once (the pool keeps its workers busy); results print in order.
          const results = images.map((image) => faces.represent(image).then((reps) => ({ reps }), (error: unknown) => ({ error })));
          for (const [i, pending] of results.entries()) {
            const result = await pending;
            if ('error' in result) {
              if (!isFacevaultError(result.error)) throw result.error;
              reportError('represent', { code: result.error.code, message: result.error.message.includes(images[i]) ? result.error.message : `${images[i]}: ${result.error.message}` });
              if (flags.json) printJson({ image: images[i], error: { code: result.error.code, message: result.error.message } });
              process.exitCode = EXIT_FAILED;
            } else if (flags.json) printJson({ image: images[i], model: model.name, faces: result.reps.map(representationToJson) });
            else printFaces(images[i], model.name, result.reps);
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
