/**
 * The evaluation's view of the face pipeline: one image path in, the embedding of one face out
 * (by default the face nearest the centre, LFW's subject), or a FacevaultError (FV_ERR_NO_FACE when none is found).
 */
import type { FaceSelection } from '../../src/face/detect/select.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { defined } from '../../src/util/checked.js';

export interface ImageEmbedder {
  embed(path: string): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface PipelineEmbedderOptions {
  readonly model: string;
  /** Worker threads of the pipeline's pool; 0 runs in this thread. */
  readonly workers: number;
  /** The pipeline's test-time augmentation: the aligned crop and its mirror, embeddings averaged. */
  readonly flip: boolean;
  /** Which face of a photo with several is embedded. */
  readonly select: FaceSelection;
}

/** @throws as FacePipeline.create: FV_ERR_MODEL_UNKNOWN, FV_ERR_MODEL_LOAD, FV_ERR_INVALID_ARGUMENT for a bad worker count. */
export async function openPipelineEmbedder(options: PipelineEmbedderOptions): Promise<ImageEmbedder> {
  const pipeline = await FacePipeline.create({ model: options.model, workers: options.workers });
  const faceOptions = { maxFaces: 1, select: options.select, enforceDetection: true, flip: options.flip };
  return {
    embed: async (path) => defined((await pipeline.represent(path, faceOptions))[0], `a face in ${path}`).embedding,
    close: () => pipeline.close(),
  };
}
