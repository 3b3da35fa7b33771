/**
 * The gallery on labelled photos: DeepFace's own test images in the shared datasets folder.
 * The folder is not part of the repository: set FACEVAULT_DATASETS, or keep it at
 * ../shared/datasets beside the repository; without it these tests are skipped, saying so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacePipeline } from '../../src/face/pipeline.js';
import { parseCsv } from '../../src/recognition/enroll-sources.js';
import { Gallery } from '../../src/recognition/gallery.js';
import { openEmbeddedStore, type EmbeddedStore } from '../../src/stores/embedded-store.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { at, atLeast } from '../helpers/checked.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const deepface = join(resolve(repoRoot, process.env.FACEVAULT_DATASETS ?? '../shared/datasets'), 'deepface');
const present = existsSync(join(deepface, 'identities.csv'));
const title = present ? `Gallery on the DeepFace test images (${deepface})` : `Gallery on the DeepFace test images — SKIPPED: ${deepface} not found (set FACEVAULT_DATASETS to the datasets folder)`;

describe.skipIf(!present)(title, () => {
  const image = (name: string) => join(deepface, 'images', name);
  /** The named people with three photos or more: two enrolled, the third a probe. */
  const people = new Map<string, string[]>();
  let pipeline: FacePipeline;
  let tmp: ReturnType<typeof makeTempDir>;
  let store: EmbeddedStore;
  let gallery: Gallery;

  beforeAll(async () => {
    for (const [img, , name] of parseCsv(readFileSync(join(deepface, 'identities.csv'), 'utf8')).slice(1)) {
      if (img !== undefined && name?.trim()) people.set(name.trim(), [...(people.get(name.trim()) ?? []), img]);
    }
    for (const [name, photos] of people) if (photos.length < 3) people.delete(name);
    pipeline = await FacePipeline.create({ workers: 1 });
    tmp = makeTempDir('facevault-gallery-deepface-');
    store = await openEmbeddedStore(tmp.dir);
    gallery = await Gallery.open({ store, pipeline });
    const items = [...people].flatMap(([subject, photos]) => photos.slice(0, 2).map((photo) => ({ path: image(photo), source: photo, subject })));
    const summary = await gallery.enroll(items, { onMultipleFaces: 'largest' });
    expect(summary).toMatchObject({ enrolled: items.length, failed: 0 });
  });
  afterAll(async () => {
    await store?.close();
    await pipeline?.close();
    tmp?.cleanup();
  });

  it('identifies each named person from a photo not enrolled, and the integration target as Angelina', async () => {
    expect(people.size).toBeGreaterThanOrEqual(5);
    for (const [subject, photos] of people) {
      const photo = at(photos, 2);
      const [face] = atLeast((await gallery.identify(image(photo), { exact: true })).faces, 1);
      expect({ photo, identity: face.identity }).toMatchObject({ identity: { status: 'known', subject } });
    }
    const target = await gallery.identify(image('integration/target.jpg'), { exact: false });
    expect(target.faces[0]?.identity).toMatchObject({ status: 'known', subject: 'Angelina' });
  });

  it('refuses a couple photo where one face is required', async () => {
    await expect(gallery.enrollPhoto(image('couple.jpg'), 'couple')).rejects.toMatchObject({ code: 'FV_ERR_MULTIPLE_FACES' });
  });
});
