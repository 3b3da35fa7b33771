/**
 * The shared datasets folder (LFW-a, DeepFace's test images) for tests that need real labelled
 * faces. It is not part of the repository: set FACEVAULT_DATASETS, or keep it at
 * ../shared/datasets beside the repository. Without it such tests are skipped, saying why.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The datasets folder: FACEVAULT_DATASETS (relative to the repository root), default ../shared/datasets. */
export const DATASETS_DIR = resolve(REPO_ROOT, process.env.FACEVAULT_DATASETS ?? '../shared/datasets');

export interface DatasetLookup {
  /** The dataset's folder, or undefined when it (or its marker file) is missing. */
  readonly dir: string | undefined;
  /** A suite title: `label (folder)`, or `label — SKIPPED: why` when the dataset is missing. */
  readonly title: string;
}

/**
 * Finds `name` (e.g. 'lfw') in the datasets folder, present when `marker` (a file inside it) exists.
 * @example
 * const lfw = findDataset('lfw', 'pairsDevTest.csv', 'dlib-ResNet on LFW-a');
 * describe.skipIf(!lfw.dir)(lfw.title, () => { ... join(lfw.dir!, 'images') ... });
 */
export function findDataset(name: string, marker: string, label: string): DatasetLookup {
  const dir = join(DATASETS_DIR, name);
  if (existsSync(join(dir, marker))) return { dir, title: `${label} (${dir})` };
  return { dir: undefined, title: `${label} — SKIPPED: ${join(dir, marker)} not found (set FACEVAULT_DATASETS to the datasets folder)` };
}
