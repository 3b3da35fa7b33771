/**
 * Embeds each distinct image once, keeping the pipeline's worker pool busy, and records the
 * images where it failed (no face found, or not decodable) instead of stopping.
 */
import { join } from 'node:path';
import { isFacevaultError } from '../../src/errors.js';
import type { ImageEmbedder } from './face-embedder.js';

export interface ImageFailure {
  readonly image: string;
  /** The FacevaultError code (FV_ERR_NO_FACE for a detection failure), or the error's name. */
  readonly code: string;
  readonly message: string;
}

export interface EmbeddingRun {
  /** By image path relative to the dataset's images folder; failed images are absent. */
  readonly embeddings: ReadonlyMap<string, Float32Array>;
  readonly failures: readonly ImageFailure[];
  readonly images: number;
  /** Wall-clock time of the whole run. */
  readonly elapsedMs: number;
}

export interface EmbedImagesOptions {
  /** Folder the relative image paths start from. */
  readonly root: string;
  /** Requests in flight: enough to keep every worker of the pool fed. */
  readonly concurrency: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function embedImages(embedder: ImageEmbedder, images: readonly string[], options: EmbedImagesOptions): Promise<EmbeddingRun> {
  const embeddings = new Map<string, Float32Array>();
  const failures: ImageFailure[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    for (let image = images[next++]; image !== undefined; image = images[next++]) {
      try {
        embeddings.set(image, await embedder.embed(join(options.root, image)));
      } catch (err) {
        failures.push({ image, code: isFacevaultError(err) ? err.code : (err as Error).name, message: (err as Error).message });
      }
      options.onProgress?.(++done, images.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return { embeddings, failures, images: images.length, elapsedMs: performance.now() - started };
}
