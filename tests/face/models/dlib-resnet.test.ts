/**
 * The dlib-ResNet on tfjs-wasm: lifecycle and determinism on a synthetic crop, identity on the
 * faces of face-api's demo photo (every machine has it), and LFW-a pairs when the datasets folder
 * is present (tests/helpers/datasets.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePhoto } from '../../recognition/face-api-samples.js';
import { codeOf } from '../../helpers/error-code.js';
import { alignFace, flipHorizontal } from '../../../src/face/align.js';
import { euclideanDistance } from '../../../src/face/distance.js';
import { decodeImage } from '../../../src/face/image.js';
import { DLIB_RESNET_TEMPLATE, DlibResnetModel } from '../../../src/face/models/dlib-resnet.js';
import { FacePipeline } from '../../../src/face/pipeline.js';
import type { Point, RgbImage } from '../../../src/face/types.js';
import { findDataset } from '../../helpers/datasets.js';
import { atLeast } from '../../helpers/checked.js';

/** dlib's own same-person radius for its raw (not normalised) descriptors. */
const DLIB_RAW_RADIUS = 0.6;

/** A 150×150 crop with a deterministic pattern (no face: only the mechanics are tested on it). */
function syntheticCrop(seed: number): RgbImage {
  const data = new Uint8Array(150 * 150 * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 13 + ((i / 450) | 0) * 3) % 256;
  return { data, width: 150, height: 150 };
}

describe('DlibResnetModel', () => {
  const model = new DlibResnetModel();
  beforeAll(() => model.load());
  afterAll(() => model.dispose());

  it('describes itself for the registry', () => {
    expect(model.info).toMatchObject({ name: 'dlib-resnet-128', dimension: 128, inputSize: 150, runtime: 'tfjs-wasm' });
    // Thresholds are for unit-length embeddings (the pipeline normalises): euclidean = euclidean_l2 = √(2·cosine).
    const { cosine, euclidean, euclidean_l2 } = model.info.thresholds;
    expect(euclidean).toBe(euclidean_l2);
    expect(Math.sqrt(2 * cosine)).toBeCloseTo(euclidean, 3);
    expect(DLIB_RESNET_TEMPLATE.size).toBe(150);
    expect(DLIB_RESNET_TEMPLATE.points[0]?.x).toBeCloseTo(47.55, 2);
    expect(DLIB_RESNET_TEMPLATE.points[4]?.y).toBeCloseTo(103.02, 2);
  });

  it('embeds a crop into 128 finite values, identically every time and in any batch position', async () => {
    const a = syntheticCrop(1);
    const [first] = atLeast(await model.embed([a]), 1);
    expect(first).toBeInstanceOf(Float32Array);
    expect(first.length).toBe(128);
    expect(first.byteOffset).toBe(0);
    expect(first.every(Number.isFinite)).toBe(true);
    const [again, other, inBatch] = await model.embed([a, syntheticCrop(2), a]);
    expect(again).toEqual(first);
    expect(inBatch).toEqual(first);
    expect(other).not.toEqual(first);
    expect(await model.embed([])).toEqual([]);
  });

  it('keeps order across the runtime batch limit (17 crops, batches of 16)', async () => {
    const crops = Array.from({ length: 17 }, (_, i) => syntheticCrop(i % 3));
    const out = await model.embed(crops);
    expect(out.length).toBe(17);
    expect(out[16]).toEqual(out[1]);
    expect(out[15]).toEqual(out[0]);
  });

  it('refuses crops that are not 150×150 RGB', async () => {
    await expect(model.embed([syntheticCrop(1), { data: new Uint8Array(112 * 112 * 3), width: 112, height: 112 }])).rejects.toMatchObject({ code: 'FV_ERR_INVALID_ARGUMENT', details: { index: 1 } });
    expect(await codeOf(model.embed([{ data: new Uint8Array(10), width: 150, height: 150 }]))).toBe('FV_ERR_INVALID_ARGUMENT');
  });

  it('tells the three women of sample1.jpg apart and recognises each despite landmark noise and mirroring', async () => {
    const sample1 = samplePhoto(1);
    const image = await decodeImage(sample1);
    // Five landmarks per face as the pipeline's default detector ('faceplugin') found them, fixed here once.
    const landmarks: (readonly [number, number])[][] = [
      [[1556, 283], [1614, 339], [1553, 338], [1497, 346], [1554, 399]],
      [[874, 552], [944, 518], [915, 584], [919, 612], [984, 581]],
      [[441, 457], [515, 459], [461, 510], [455, 539], [521, 542]],
    ];
    const faces: Point[][] = landmarks.map((points) => points.map(([x, y]) => ({ x, y })));
    const crops = faces.map((points) => alignFace(image, points, DLIB_RESNET_TEMPLATE));
    const jittered = faces.map((points) => alignFace(image, points.map((p, i) => ({ x: p.x + (i % 2 ? 2 : -2), y: p.y + (i % 3 ? 1 : -2) })), DLIB_RESNET_TEMPLATE));
    const [a, b, c, aJitter, bJitter, cJitter, aMirror, bMirror, cMirror] = atLeast(await model.embed([...crops, ...jittered, ...crops.map(flipHorizontal)]), 9);
    for (const [x, y] of [[a, b], [a, c], [b, c]] as const) expect(euclideanDistance(x, y)).toBeGreaterThan(DLIB_RAW_RADIUS);
    for (const [x, y] of [[a, aJitter], [b, bJitter], [c, cJitter]] as const) expect(euclideanDistance(x, y)).toBeLessThan(0.2);
    for (const [x, y] of [[a, aMirror], [b, bMirror], [c, cMirror]] as const) expect(euclideanDistance(x, y)).toBeLessThan(0.3);
  });
});

describe('DlibResnetModel lifecycle', () => {
  it('throws FV_ERR_MODEL_NOT_LOADED before load() and after dispose(); dispose() twice is fine', async () => {
    const model = new DlibResnetModel();
    expect(await codeOf(model.embed([syntheticCrop(1)]))).toBe('FV_ERR_MODEL_NOT_LOADED');
    await Promise.all([model.load(), model.load()]);
    expect((await model.embed([syntheticCrop(1)]))[0]?.length).toBe(128);
    await model.dispose();
    await model.dispose();
    expect(await codeOf(model.embed([syntheticCrop(1)]))).toBe('FV_ERR_MODEL_NOT_LOADED');
  });

  it('fails to load with FV_ERR_MODEL_LOAD from a folder without the weights', async () => {
    expect(await codeOf(new DlibResnetModel({ modelDir: '/nonexistent-facevault-models' }).load())).toBe('FV_ERR_MODEL_LOAD');
  });
});

const dataset = findDataset('lfw', 'pairsDevTest.csv', 'dlib-ResNet on LFW-a');
const lfw = dataset.dir ?? '';

describe.skipIf(!dataset.dir)(dataset.title, () => {
  let faces: FacePipeline;
  const model = new DlibResnetModel();
  beforeAll(async () => {
    faces = await FacePipeline.create({ workers: 0 });
    await model.load();
  });
  afterAll(async () => {
    await model.dispose();
    await faces?.close();
  });

  it('verifies the first 15 same and 15 different pairs of View 1 DevTest at euclidean 0.6 (≥ 27/30)', async () => {
    const rows = readFileSync(join(lfw, 'pairsDevTest.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    const pairs = [...rows.filter((r) => r[2] === '1').slice(0, 15), ...rows.filter((r) => r[2] === '0').slice(0, 15)];
    const names = [...new Set(pairs.flatMap((pair) => pair.slice(0, 2)))];
    const crops: RgbImage[] = [];
    for (const name of names) {
      const image = await decodeImage(join(lfw, 'images', name));
      const [face] = atLeast(await faces.detectFaces(image, { maxFaces: 1, select: 'central' }), 1);
      crops.push(alignFace(image, face.landmarks, DLIB_RESNET_TEMPLATE));
    }
    const embeddings = new Map((await model.embed(crops)).map((e, i) => [names[i], e]));
    const right = pairs.filter(([a, b, same]) => (euclideanDistance(embeddings.get(a)!, embeddings.get(b)!) <= DLIB_RAW_RADIUS) === (same === '1')).length;
    expect(right).toBeGreaterThanOrEqual(27);
  });
});
