/**
 * Photos that are already one face (ORL-style 92×112 grey crops) give one face; photos of
 * several people are detected as before. The crops are cut here, with sharp, from LFW-a and
 * DeepFace photos of the shared datasets folder (skipped, saying so, without it).
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_CROP_SIZE, isFaceSized, withMargin } from '../../../src/face/detect/face-crop.js';
import { resolveDetectOptions } from '../../../src/face/detect/select.js';
import { FacePipeline } from '../../../src/face/pipeline.js';
import type { FaceOptions } from '../../../src/face/engine.js';
import { findDataset } from '../../helpers/datasets.js';
import { atLeast } from '../../helpers/checked.js';

describe('face-sized images', () => {
  it('are small and shaped like a face crop: ORL 92×112, square thumbnails, not LFW-a 250×250 nor landscape thumbnails', () => {
    expect([isFaceSized(92, 112), isFaceSized(96, 96), isFaceSized(112, 112), isFaceSized(168, 192)]).toEqual([true, true, true, true]);
    expect([isFaceSized(250, 250), isFaceSized(200, 150), isFaceSized(16, 20), isFaceSized(1, 1), isFaceSized(60, 120)]).toEqual([false, false, false, false, false]);
    expect(FACE_CROP_SIZE.maxSide).toBeLessThan(250);
  });

  it('withMargin centres the image in a grey frame', () => {
    const image = { data: new Uint8Array([10, 20, 30, 40, 50, 60]), width: 2, height: 1 };
    const framed = withMargin(image, 1, 1);
    expect([framed.width, framed.height]).toEqual([4, 3]);
    expect(Array.from(framed.data.subarray(12, 24))).toEqual([127, 127, 127, 10, 20, 30, 40, 50, 60, 127, 127, 127]);
    expect(framed.data.subarray(0, 12).every((v) => v === 127)).toBe(true);
  });

  it('faceCrop is checked at the boundary: true, false or auto (the default)', () => {
    expect(resolveDetectOptions({}).faceCrop).toBe('auto');
    expect(() => resolveDetectOptions({ faceCrop: 'yes' as never })).toThrow(expect.objectContaining({ code: 'FV_ERR_INVALID_ARGUMENT', details: expect.objectContaining({ field: 'faceCrop' }) }));
  });
});

const lfw = findDataset('lfw', 'lfw-identities.csv', 'ORL-style crops of LFW-a photos');
const deepface = findDataset('deepface', 'identities.csv', 'ORL-style crops of DeepFace photos; group photos unaffected');

/**
 * LFW-a photos whose 120×146 centre, as a 92×112 grey crop, gave no face to the plain detector
 * (`bench/tight-crops.ts`), and two that gave one.
 */
const LFW_PHOTOS = [
  'Bob_Huggins/Bob_Huggins_0003.jpg',
  'Clifford_Robinson/Clifford_Robinson_0001.jpg',
  'Donald_Rumsfeld/Donald_Rumsfeld_0116.jpg',
  'George_W_Bush/George_W_Bush_0508.jpg',
  'Naomi_Watts/Naomi_Watts_0005.jpg',
  'Richard_Gere/Richard_Gere_0001.jpg',
  'Aaron_Eckhart/Aaron_Eckhart_0001.jpg',
  'AJ_Cook/AJ_Cook_0001.jpg',
];

/** The number of faces found, 0 for FV_ERR_NO_FACE. */
async function faceCount(faces: FacePipeline, image: Buffer, options: FaceOptions = {}): Promise<number> {
  return faces.detectFaces(image, options).then(
    (found) => found.length,
    (err: { code?: string }) => {
      if (err.code === 'FV_ERR_NO_FACE') return 0;
      throw err;
    },
  );
}

describe.skipIf(!lfw.dir && !deepface.dir)('the pipeline on face crops and group photos', () => {
  let faces: FacePipeline;
  beforeAll(async () => {
    faces = await FacePipeline.create({ workers: 0 });
  });
  afterAll(async () => {
    await faces?.close();
  });

  it.skipIf(!lfw.dir)(`${lfw.title}: one face each, where the plain detector found none in most`, async () => {
    const crops = await Promise.all(
      LFW_PHOTOS.map((photo) => sharp(join(lfw.dir!, 'images', photo)).extract({ left: 65, top: 52, width: 120, height: 146 }).resize(92, 112).grayscale().png().toBuffer()),
    );
    const before = await Promise.all(crops.map((crop) => faceCount(faces, crop, { faceCrop: false })));
    const after = await Promise.all(crops.map((crop) => faceCount(faces, crop)));
    expect(before.filter((n) => n !== 1).length).toBeGreaterThanOrEqual(4);
    expect(after).toEqual(crops.map(() => 1));
    // A detection, not the whole-image fallback: the box lies inside the crop, with a score.
    for (const crop of crops) {
      const [face] = atLeast(await faces.detectFaces(crop), 1);
      expect(face.score).toBeGreaterThan(0.5);
      expect(face.facialArea.w).toBeGreaterThan(0.4 * 92);
      expect(face.facialArea.x + face.facialArea.w).toBeLessThanOrEqual(92);
    }
  });

  it.skipIf(!deepface.dir)(`${deepface.title}: a crop around the face of a colour photo gives one face`, async () => {
    for (const file of ['img1.jpg', 'img2.jpg', 'img3.jpg', 'img4.jpg', 'img5.jpg', 'img6.jpg']) {
      const path = join(deepface.dir!, 'images', file);
      const [face] = atLeast(await faces.detectFaces(path, { maxFaces: 1 }), 1);
      const { x, y, w, h } = face.facialArea;
      const meta = await sharp(path).metadata();
      // ORL's framing: the box widened by a fifth, 112:92 tall, kept inside the photo.
      const width = Math.min(Math.round(w * 1.2), meta.width!), height = Math.min(Math.round((width * 112) / 92), meta.height!);
      const left = Math.max(0, Math.min(Math.round(x + w / 2 - width / 2), meta.width! - width));
      const top = Math.max(0, Math.min(Math.round(y + h / 2 - height / 2), meta.height! - height));
      const crop = await sharp(path).extract({ left, top, width, height }).resize(92, 112, { fit: 'fill' }).grayscale().jpeg().toBuffer();
      expect(await faceCount(faces, crop), file).toBe(1);
    }
  });

  it.skipIf(!deepface.dir)('group photos find the same faces as without crop mode, also as a small square thumbnail', async () => {
    for (const file of ['couple.jpg', 'selfie-many-people.jpg']) {
      const path = join(deepface.dir!, 'images', file);
      const auto = await faces.detectFaces(path);
      const plain = await faces.detectFaces(path, { faceCrop: false });
      expect(auto.length, file).toBeGreaterThan(1);
      expect(auto).toEqual(plain);
    }
    // 190×190: face-sized by its shape, but its faces are small against it, so it is no face crop.
    const thumbnail = await sharp(join(deepface.dir!, 'images', 'selfie-many-people.jpg')).resize(190, 190, { fit: 'cover' }).jpeg().toBuffer();
    const plain = await faces.detectFaces(thumbnail, { faceCrop: false, enforceDetection: false });
    expect(await faces.detectFaces(thumbnail, { enforceDetection: false })).toEqual(plain);
  });

  it('a blank face-sized image is still no face; a textured one with no face found is taken whole', async () => {
    const blank = await sharp({ create: { width: 92, height: 112, channels: 3, background: '#808080' } }).png().toBuffer();
    await expect(faces.detectFaces(blank)).rejects.toMatchObject({ code: 'FV_ERR_NO_FACE' });
    const noise = await sharp({ create: { width: 92, height: 112, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).png().toBuffer();
    expect(await faceCount(faces, noise, { faceCrop: false })).toBe(0);
    const [whole] = atLeast(await faces.detectFaces(noise), 1);
    expect(whole).toMatchObject({ score: 0, facialArea: { x: 0, y: 0, w: 92, h: 112 } });
  });
});
