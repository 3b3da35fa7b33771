/**
 * `facevault analyze <image>`: age, gender, emotion and liveness of every face (DeepFace's `analyze`).
 *
 *   facevault analyze group.jpg                          # a line per face for people
 *   facevault analyze me.jpg --actions age,gender --json # one JSON line: { image, faces: [...] }
 */
import type { Command } from 'commander';
import { resolveActions, type AnalyzeAction } from '../face/analyze/actions.js';
import type { AnalyzedFace } from '../face/pipeline.js';
import { describeBox, faceCommand, openPipeline, printJson, runFaceCommand } from './face-cli.js';

interface AnalyzeFlags {
  readonly actions?: string[];
  readonly json?: boolean;
}

export function register(program: Command): void {
  faceCommand(program, 'analyze')
    .description('Estimate age, gender, emotion and liveness of every face of an image')
    .argument('<image>', 'image file')
    .option('--actions <list>', 'comma-separated subset of age, gender, emotion, liveness (repeatable); default all', collect, [])
    .option('--json', 'one JSON line: { image, faces: [{ facialArea, faceConfidence, age, gender, emotion, liveness }] }')
    .action((image: string, flags: AnalyzeFlags) =>
      runFaceCommand('analyze', () => parseActions(flags.actions ?? []), async (actions) => {
        const faces = await openPipeline(1);
        try {
          const analysed = await faces.analyze(image, { actions });
          if (flags.json) printJson({ image, faces: analysed });
          else printAnalysis(image, analysed);
        } finally {
          await faces.close();
        }
      }),
    );
}

/** @throws FV_ERR_INVALID_ARGUMENT naming the allowed actions. */
function parseActions(lists: readonly string[]): AnalyzeAction[] | undefined {
  const named = lists.flatMap((list) => list.split(',')).map((a) => a.trim()).filter((a) => a !== '');
  return lists.length === 0 ? undefined : resolveActions(named as AnalyzeAction[]);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function printAnalysis(image: string, faces: readonly AnalyzedFace[]): void {
  console.log(`${image}: ${faces.length} face${faces.length === 1 ? '' : 's'}`);
  faces.forEach((face, i) => {
    const facts: string[] = [];
    if (face.age !== undefined) facts.push(`age ${Math.round(face.age)}`);
    if (face.gender) facts.push(`${face.gender.dominant} (${Math.max(face.gender.woman, face.gender.man).toFixed(1)} %)`);
    if (face.emotion) facts.push(`${face.emotion.dominant} (${face.emotion.scores[face.emotion.dominant].toFixed(1)} %)`);
    if (face.liveness) facts.push(`${face.liveness.isReal ? 'live' : 'possible spoof'} (score ${face.liveness.score.toFixed(2)}, threshold ${face.liveness.threshold})`);
    console.log(`  face ${i + 1} at ${describeBox(face.facialArea)} (confidence ${face.faceConfidence.toFixed(3)}): ${facts.join(', ')}`);
  });
}
