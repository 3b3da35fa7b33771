/**
 * What the gallery commands (enroll, identify, subjects) share: their options, and opening and
 * closing the store, the face pipeline and the gallery around an action.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { fvError } from '../errors.js';
import { FacePipeline } from '../face/pipeline.js';
import { Gallery } from '../recognition/gallery.js';
import { openStore, storeKindOf } from '../stores/open-store.js';
import type { VectorStore } from '../stores/vector-store.js';

export interface GalleryFlags {
  data?: string;
  store?: string;
  model?: string;
  gallery?: string;
  workers?: string;
}

/** Default data directory, as for `facevault serve`. */
const DEFAULT_DATA_DIR = 'facevault-data';

/** Adds --store, --data, --model and --gallery (and --workers when the command embeds faces). */
export function galleryOptions(command: Command, embeds: boolean): Command {
  command
    .option('--store <url>', 'the store: postgres://…, pinecone://…, or a directory [env FACEVAULT_STORE; default: the embedded store in --data]')
    .option('--data <dir>', `data directory of the embedded store [env FACEVAULT_DATA; default ./${DEFAULT_DATA_DIR}]`)
    .option('--model <name>', 'face model (registry name or alias) [default faceplugin-arcface]')
    .option('--gallery <name>', 'gallery: a namespace of the model\'s index [default "default"]');
  if (embeds) command.option('--workers <n>', 'face pipeline worker threads [default one per core]');
  return command;
}

/** The data directory from the flag, else FACEVAULT_DATA, else ./facevault-data. */
export function dataDirOf(flags: GalleryFlags, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flags.data ?? (env.FACEVAULT_DATA || DEFAULT_DATA_DIR));
}

/** The store's URL: --store, else FACEVAULT_STORE, else the embedded store in the data directory. */
export function storeUrlOfFlags(flags: GalleryFlags, env: NodeJS.ProcessEnv = process.env): string {
  return flags.store ?? (env.FACEVAULT_STORE || dataDirOf(flags, env));
}

/**
 * Opens the store (and a face pipeline when `embeds`), runs `action` on the gallery, and closes
 * everything whatever happens.
 * @throws FV_ERR_INVALID_ARGUMENT when `mustExist` and the embedded store's data directory does not exist, or --workers is not a whole number.
 */
export async function withGallery<T>(
  flags: GalleryFlags,
  setup: { readonly embeds: boolean; readonly mustExist: boolean },
  action: (gallery: Gallery, store: VectorStore) => Promise<T>,
): Promise<T> {
  const url = storeUrlOfFlags(flags);
  if (setup.mustExist && storeKindOf(url) === 'embedded' && !existsSync(url)) {
    throw fvError('FV_ERR_INVALID_ARGUMENT', `no data directory at ${url}: enroll photos first, or pass --data (or FACEVAULT_DATA) to name the right one`, { dir: url });
  }
  const workers = flags.workers === undefined ? undefined : wholeNumber(flags.workers, '--workers');
  const pipeline = setup.embeds ? await FacePipeline.create({ model: flags.model, workers }) : undefined;
  try {
    const store = await openStore(url);
    try {
      const gallery = await Gallery.open({ store, pipeline, model: flags.model, name: flags.gallery });
      return await action(gallery, store);
    } finally {
      await store.close();
    }
  } finally {
    await pipeline?.close();
  }
}

/** @throws FV_ERR_INVALID_ARGUMENT naming the flag when `text` is not a whole number >= 0. */
export function wholeNumber(text: string, flag: string, min = 0): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) throw fvError('FV_ERR_INVALID_ARGUMENT', `${flag} expects a whole number >= ${min}, got "${text}"`, { flag, value: text });
  return value;
}
