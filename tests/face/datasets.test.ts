/**
 * The pipeline on labelled photos from the shared datasets folder (DeepFace's own test images);
 * skipped, saying so, where the folder is missing (see tests/helpers/datasets.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineDistance } from '../../src/face/distance.js';
import { FacePipeline } from '../../src/face/pipeline.js';
import { findDataset } from '../helpers/datasets.js';
import { at, atLeast } from '../helpers/checked.js';

const dataset = findDataset('deepface', 'pairs.csv', 'DeepFace test images');
const deepface = dataset.dir ?? '';

describe.skipIf(!dataset.dir)(dataset.title, () => {
  const image = (name: string) => join(deepface, 'images', name);
  let faces: FacePipeline;
  beforeAll(async () => {
    faces = await FacePipeline.create({ workers: 2 });
  });
  afterAll(() => faces?.close());

  it('same person is closer than different people (first 12 same and 12 different pairs of pairs.csv)', async () => {
    const rows = readFileSync(join(deepface, 'pairs.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const pairs = [...rows.filter((r) => r[2] === '1').slice(0, 12), ...rows.filter((r) => r[2] === '0').slice(0, 12)];
    const names = [...new Set(pairs.flatMap((pair) => pair.slice(0, 2)))];
    const reps = await faces.represent(names.map(image), { maxFaces: 1 });
    const embedding = new Map(names.map((name, i) => [name, at(at(reps, i), 0).embedding]));
    const distances = pairs.map((pair) => {
      const [a, b, same] = atLeast(pair, 3);
      return { same: same === '1', d: cosineDistance(embedding.get(a)!, embedding.get(b)!) };
    });
    const same = distances.filter((x) => x.same).map((x) => x.d);
    const different = distances.filter((x) => !x.same).map((x) => x.d);
    expect(Math.max(...same)).toBeLessThan(Math.min(...different));
    const threshold = faces.model.thresholds.cosine;
    expect(distances.filter((x) => x.d <= threshold === x.same).length).toBe(distances.length);
  });

  it('verify says yes for img1/img2 (same) and no for img1/img3 (different)', async () => {
    const [yes, no] = await Promise.all([faces.verify(image('img1.jpg'), image('img2.jpg')), faces.verify(image('img1.jpg'), image('img3.jpg'))]);
    expect(yes).toMatchObject({ verified: true });
    expect(yes.confidence).toBeGreaterThan(50);
    expect(no).toMatchObject({ verified: false });
  });

  it('finds both faces in couple.jpg and several in selfie-many-people.jpg', async () => {
    const [couple, selfie] = await Promise.all([faces.detectFaces(image('couple.jpg')), faces.detectFaces(image('selfie-many-people.jpg'))]);
    expect(couple).toHaveLength(2);
    expect(selfie.length).toBeGreaterThanOrEqual(5);
  });

  it('decodes img47.jpg, which is really WebP', async () => {
    expect(await faces.detectFaces(image('img47.jpg'))).toHaveLength(1);
  });

  it('FV_ERR_NO_FACE on a part of a photo without the face (img1.jpg\'s top-left corner; the face starts at x 431, y 163)', async () => {
    const corner = await sharp(image('img1.jpg')).extract({ left: 0, top: 0, width: 400, height: 400 }).jpeg().toBuffer();
    await expect(faces.represent(corner)).rejects.toMatchObject({ code: 'FV_ERR_NO_FACE' });
  });
});
