/** Where the enroll benches find the DeepFace set: --datasets DIR, else $FACEVAULT_DATASETS, else ../shared/datasets. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The set's folder (holding identities.csv and images/); exits with a message naming the options when it is missing. */
export function deepfaceDirOrExit(args: Readonly<Record<string, string | true>>): string {
  const datasets = resolve(String(args.datasets ?? process.env.FACEVAULT_DATASETS ?? '../shared/datasets'));
  const deepface = join(datasets, 'deepface');
  if (!existsSync(join(deepface, 'identities.csv'))) {
    console.error(`DeepFace set not found at ${deepface}: pass --datasets DIR or set FACEVAULT_DATASETS`);
    process.exit(1);
  }
  return deepface;
}
