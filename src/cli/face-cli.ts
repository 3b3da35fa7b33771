/**
 * What the face commands (`represent`, `verify`, `analyze`, `models`) share: how they end, how
 * they open the pipeline, and how numbers are printed.
 *
 * Exit codes: 0 done; 1 the work failed (unreadable image, no face...); 2 the command line is
 * wrong (unknown flag, missing argument, bad flag value). A failure prints one line on stderr,
 * `facevault <command>: <CODE>: <message>`, so scripts can match the code.
 */
import { availableParallelism } from 'node:os';
import type { Command, CommanderError } from 'commander';
import { isFacevaultError } from '../errors.js';
import { FacePipeline } from '../face/pipeline.js';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * A face subcommand of `program`, whose command-line mistakes exit with code 2 (commander's
 * own default is 1, the code of a failed run).
 */
export function faceCommand(program: Command, name: string): Command {
  return program.command(name).exitOverride((err: CommanderError) => process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE));
}

/**
 * Runs a face command: `parse` checks the flags (a coded error there is a usage error, exit 2),
 * then `run` does the work (a coded error there exits 1). Anything else is a bug and propagates
 * to the CLI's handler, which prints its stack.
 */
export async function runFaceCommand<T>(command: string, parse: () => T, run: (parsed: T) => Promise<void>): Promise<void> {
  let parsed: T;
  try {
    parsed = parse();
  } catch (err) {
    if (!isFacevaultError(err)) throw err;
    reportError(command, err);
    process.exitCode = EXIT_USAGE;
    return;
  }
  try {
    await run(parsed);
  } catch (err) {
    if (!isFacevaultError(err)) throw err;
    reportError(command, err);
    process.exitCode = EXIT_FAILED;
  }
}

/** `facevault <command>: <CODE>: <message>` on one line of stderr. */
export function reportError(command: string, err: { readonly code: string; readonly message: string }): void {
  process.stderr.write(`facevault ${command}: ${err.code}: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
}

/**
 * A pipeline sized for `images` images: in this thread for one or two (starting workers costs
 * more than it saves), else a worker per core. Closed by the caller.
 */
export function openPipeline(images: number, model?: string): Promise<FacePipeline> {
  return FacePipeline.create({ model, workers: images > 2 ? Math.min(images, availableParallelism()) : 0 });
}

/** Writes one line of JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * An embedding as JSON numbers: nine significant digits restore every float32 exactly
 * (`Math.fround(Number(x.toPrecision(9))) === x`) at half the text of a double's seventeen.
 */
export function embeddingToJson(embedding: Float32Array): number[] {
  return Array.from(embedding, (x) => Number(x.toPrecision(9)));
}

/** `x=10 y=20 w=30 h=40`, the box of a face for people. */
export function describeBox(area: { readonly x: number; readonly y: number; readonly w: number; readonly h: number }): string {
  return `x=${area.x} y=${area.y} w=${area.w} h=${area.h}`;
}
