/**
 * The jobs a face worker runs: one image each, through a `FaceEngine`. A table keyed by
 * operation, so the worker, the in-thread mode and the pipeline share one definition.
 */
import type { Transferable } from 'node:worker_threads';
import type { AnalyzedFace, AnalyzeOptions, EngineOptions, ExtractedFace, FaceEngine, Representation } from '../engine.js';
import type { ImageInput } from '../image.js';
import type { DetectedFace } from '../types.js';

export interface FaceJobResults {
  detect: DetectedFace[];
  extract: ExtractedFace[];
  represent: Representation[];
  analyze: AnalyzedFace[];
}

export type FaceOperation = keyof FaceJobResults;

export interface FaceJob<Op extends FaceOperation = FaceOperation> {
  readonly op: Op;
  readonly input: ImageInput;
  /** FaceOptions; `actions` is read by 'analyze' only. */
  readonly options: AnalyzeOptions;
}

/** What each worker is started with. */
export type FaceWorkerData = EngineOptions;

const OPERATIONS: { [Op in FaceOperation]: (engine: FaceEngine, input: ImageInput, options: AnalyzeOptions) => Promise<FaceJobResults[Op]> } = {
  detect: (engine, input, options) => engine.detectFaces(input, options),
  extract: (engine, input, options) => engine.extractFaces(input, options),
  represent: (engine, input, options) => engine.represent(input, options),
  analyze: (engine, input, options) => engine.analyze(input, options),
};

export function runFaceJob<Op extends FaceOperation>(engine: FaceEngine, job: FaceJob<Op>): Promise<FaceJobResults[Op]> {
  return OPERATIONS[job.op](engine, job.input, job.options);
}

/** Buffers of a result that can move to the caller's thread without a copy (crops, embeddings). */
export function resultTransferList(result: FaceJobResults[FaceOperation]): Transferable[] {
  const list: Transferable[] = [];
  for (const item of result) {
    // Results are built in the worker with buffers of their own (never SharedArrayBuffer).
    if ('crop' in item) list.push(item.crop.data.buffer as ArrayBuffer);
    if ('embedding' in item) list.push(item.embedding.buffer as ArrayBuffer);
  }
  return list;
}
