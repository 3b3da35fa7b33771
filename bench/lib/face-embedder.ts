/**
 * The evaluation's view of the face pipeline: one image path in, the embedding of the face
 * nearest the centre out (LFW's subject), or a FacevaultError (FV_ERR_NO_FACE when none is found).
 */
import { FacePipeline } from '../../src/face/pipeline.js';

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
}

/** @throws as FacePipeline.create: FV_ERR_MODEL_UNKNOWN, FV_ERR_MODEL_LOAD, FV_ERR_INVALID_ARGUMENT for a bad worker count. */
export async function openPipelineEmbedder(options: PipelineEmbedderOptions): Promise<ImageEmbedder> {
  const pipeline = await FacePipeline.create({ model: options.model, workers: options.workers });
  const faceOptions = { maxFaces: 1, select: 'central', enforceDetection: true, flip: options.flip } as const;
  return {
    embed: async (path) => (await pipeline.represent(path, faceOptions))[0].embedding,
    close: () => pipeline.close(),
  };
}
