/**
 * Embeddings of a whole image set, kept in one file between runs of a bench (never in the
 * repository: pass a path under /tmp). Layout: magic `FVEMB`, format version 1, a uint32 header
 * length, a JSON header (model, settings, images, failures, dimension), then the vectors as
 * little-endian float32, one row per embedded image in the header's order.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ImageFailure } from './embed-images.js';

const MAGIC = Buffer.from('FVEMB\x01', 'latin1');

export interface EmbeddingCacheHeader {
  readonly model: string;
  readonly flip: boolean;
  readonly select: string;
  readonly dimension: number;
  /** Images embedded, in row order (relative to the dataset's images folder). */
  readonly images: readonly string[];
  readonly failures: readonly ImageFailure[];
  /** Wall-clock seconds the embedding took, and with how many workers. */
  readonly seconds: number;
  readonly workers: number;
  readonly createdAt: string;
}

export interface EmbeddingCache {
  readonly header: EmbeddingCacheHeader;
  /** `images.length × dimension` floats, row i the embedding of images[i]. */
  readonly vectors: Float32Array;
}

export function writeEmbeddingCache(path: string, cache: EmbeddingCache): void {
  const header = Buffer.from(JSON.stringify(cache.header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const body = Buffer.from(cache.vectors.buffer, cache.vectors.byteOffset, cache.vectors.byteLength);
  writeFileSync(path, Buffer.concat([MAGIC, length, header, body]));
}

/** The cache at `path` when it exists and was made with the same settings, else undefined (with the reason printed). */
export function readEmbeddingCache(path: string, wanted: Pick<EmbeddingCacheHeader, 'model' | 'flip' | 'select'>): EmbeddingCache | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    console.log(`${path} is not an embedding cache of this version: embedding again`);
    return undefined;
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4;
  const header = JSON.parse(bytes.subarray(start, start + headerLength).toString('utf8')) as EmbeddingCacheHeader;
  if (header.model !== wanted.model || header.flip !== wanted.flip || header.select !== wanted.select) {
    console.log(`${path} holds ${header.model} (flip ${header.flip}, select ${header.select}), not ${wanted.model} (flip ${wanted.flip}, select ${wanted.select}): embedding again`);
    return undefined;
  }
  // Copy into a fresh, aligned buffer: the file's body starts at an arbitrary byte offset.
  const body = bytes.subarray(start + headerLength);
  const vectors = new Float32Array(body.length / 4);
  new Uint8Array(vectors.buffer).set(body);
  if (vectors.length !== header.images.length * header.dimension) throw new Error(`${path}: ${vectors.length} floats for ${header.images.length} images of dimension ${header.dimension}`);
  return { header, vectors };
}
