/**
 * DeepFace's routes (/represent, /verify, /analyze) on a real server and port, with real faces:
 * the group photos that ship with npm (@vladmandic/face-api's demo samples) and faces cut from them.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES } from '../../src/server/face-input.js';
import { boxesOf, call, cropFace, dataUrl, form, otherShot, photo, type Reply } from './face-photos.js';
import { startHarness, type Harness } from './harness.js';
import { at, atLeast } from '../helpers/checked.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const norm = (values: number[]) => Math.sqrt(values.reduce((sum, x) => sum + x * x, 0));

function expectError(reply: Reply, status: number, code: string, message?: RegExp): void {
  expect(reply.status).toBe(status);
  expect(reply.json.code).toBe(code);
  if (message) expect(reply.json.error).toMatch(message);
}

describe('a server that serves no face request', () => {
  it('loads no model, and refuses a face request without a key before looking at it', async () => {
    expect((await call(h, 'GET', '/indexes')).status).toBe(200);
    expectError(await call(h, 'POST', '/represent', { img: 'x' }, null), 401, 'FV_ERR_UNAUTHORIZED');
    expect(h.server.app.faces.pipelineStarted).toBe(false);
  });

  it('lists the face and gallery routes in /openapi.json', async () => {
    const { paths } = (await call(h, 'GET', '/openapi.json')).json;
    for (const path of ['/represent', '/verify', '/analyze', '/register', '/search']) expect(paths[path].post.requestBody).toBeDefined();
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/galleries', '/galleries/{gallery}/subjects', '/galleries/{gallery}/subjects/{subject}', '/galleries/{gallery}/records/{id}', '/galleries/{gallery}/verify']));
    expect(paths['/galleries/{gallery}/subjects/{subject}']).toHaveProperty('patch');
    expect(paths['/galleries/{gallery}/subjects/{subject}']).toHaveProperty('delete');
    // Face routes answer errors in DeepFace's shape (error is the message), the Pinecone routes in Pinecone's.
    expect(paths['/verify'].post.responses['4XX'].content['application/json'].schema.properties.error.type).toBe('string');
    expect(paths['/galleries'].get.responses['4XX'].content['application/json'].schema.properties.code).toBeDefined();
    expect(paths['/indexes'].get.responses['4XX'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorResponse');
    expect(h.server.app.faces.pipelineStarted).toBe(false);
  });

  it('refuses a DeepFace model it does not run, listing its own, without loading any', async () => {
    expectError(await call(h, 'POST', '/represent', { img: 'x', model_name: 'VGG-Face' }), 400, 'FV_ERR_MODEL_UNKNOWN', /DeepFace model.*faceplugin-arcface \(512-d.*dlib-resnet-128/);
    expectError(await call(h, 'POST', '/verify', { img1: 'x', img2: 'x', detector_backend: 'no-such' }), 400, 'FV_ERR_MODEL_UNKNOWN', /detector_backend "no-such".*faceplugin, skip/);
    expectError(await call(h, 'POST', '/analyze', { img: 'x', actions: ['age', 'race'] }), 400, 'FV_ERR_INVALID_ARGUMENT', /"race" not available \(race is not estimated here\); allowed: age, gender, emotion, liveness/);
    expectError(await call(h, 'POST', '/represent', { img: 'x', colour: true }), 400, 'FV_ERR_INVALID_ARGUMENT', /colour: is not a known field/);
    expect(h.server.app.faces.pipelineStarted).toBe(false);
  });

  it('reads no server path and fetches no URL unless started with --images / --allow-url-hosts', async () => {
    for (const img of ['/etc/passwd', 'tests/fixtures/photo.jpg', 'C:\\photos\\a.jpg']) {
      const reply = await call(h, 'POST', '/represent', { img });
      expectError(reply, 400, 'FV_ERR_IMAGE_INPUT', /is a server-side file path, and this server reads none \(start it with --images DIR.*send the image itself/);
      expect(reply.json.details).toMatchObject({ path: 'img', reason: 'path' });
      // DeepFace's routes answer an image they cannot take from the request as { exception }
      expect(reply.json.exception).toBe(reply.json.error);
    }
    for (const img of ['http://127.0.0.1:1/a.jpg', 'https://example.com/a.jpg', 'file:///etc/passwd']) {
      expectError(await call(h, 'POST', '/verify', { img1: img, img2: img }), 400, 'FV_ERR_IMAGE_INPUT', /img1: .* is a URL, and this server fetches none \(start it with --allow-url-hosts/);
    }
    expectError(await call(h, 'POST', '/represent', {}), 400, 'FV_ERR_INVALID_ARGUMENT', /img: is required/);
  });
});

describe('DeepFace routes on real faces', () => {
  let group: Buffer;
  let faceA: Buffer;
  let faceAagain: Buffer;
  let faceB: Buffer;

  beforeAll(async () => {
    group = await photo(4);
    const [boxA, boxB] = atLeast(await boxesOf(h, group), 2);
    faceA = await cropFace(group, boxA);
    faceAagain = await cropFace(group, boxA, otherShot);
    faceB = await cropFace(group, boxB);
  });

  it('represents every face: 512-d unit embeddings, integer boxes, the person\'s left eye on the image\'s right', async () => {
    const { status, json } = await call(h, 'POST', '/represent', { img: group.toString('base64'), model_name: 'ArcFace', detector_backend: 'retinaface', align: true });
    expect(status).toBe(200);
    expect(json.model_name).toBe('faceplugin-arcface');
    expect(json.results).toHaveLength(4);
    for (const face of json.results) {
      expect(face.embedding).toHaveLength(512);
      expect(norm(face.embedding)).toBeCloseTo(1, 4);
      expect(Object.keys(face.facial_area).sort()).toEqual(['h', 'left_eye', 'mouth_left', 'mouth_right', 'nose', 'right_eye', 'w', 'x', 'y']);
      // the person's left mouth corner is on the image's right, as the left eye; the nose between the eyes
      expect(face.facial_area.mouth_left[0]).toBeGreaterThan(face.facial_area.mouth_right[0]);
      expect(face.facial_area.nose[1]).toBeGreaterThan(face.facial_area.left_eye[1]);
      expect(face.face_confidence).toBe(Math.round(face.face_confidence * 100) / 100);
      for (const v of [face.facial_area.x, face.facial_area.w, ...face.facial_area.left_eye]) expect(Number.isInteger(v)).toBe(true);
      expect(face.facial_area.left_eye[0]).toBeGreaterThan(face.facial_area.right_eye[0]);
      expect(face.face_confidence).toBeGreaterThan(0.9);
    }
    expect(json.results[0].facial_area.w * json.results[0].facial_area.h).toBeGreaterThanOrEqual(json.results[1].facial_area.w * json.results[1].facial_area.h);
  });

  it('takes the image as base64, as a data URL, or as a multipart file, alike', async () => {
    const asBase64 = await call(h, 'POST', '/represent', { img: faceA.toString('base64') });
    const asDataUrl = await call(h, 'POST', '/represent', { img_path: dataUrl(faceA) });
    const asFile = await call(h, 'POST', '/represent', form({ img: { bytes: faceA, filename: 'a.jpg' }, max_faces: '1', anti_spoofing: 'true' }));
    for (const reply of [asBase64, asDataUrl, asFile]) expect(reply.status).toBe(200);
    const embedding = asBase64.json.results[0].embedding as number[];
    expect(asDataUrl.json.results[0].embedding).toEqual(embedding);
    expect(asFile.json.results).toHaveLength(1);
    expect(asFile.json.results[0].embedding).toEqual(embedding);
    expect(asFile.json.results[0]).toMatchObject({ is_real: expect.any(Boolean), antispoof_score: expect.any(Number) });
    expect(asBase64.json.results[0]).not.toHaveProperty('is_real');
  });

  it('verifies the same person in two shots, and tells two people apart', async () => {
    const same = await call(h, 'POST', '/verify', { img1: faceA.toString('base64'), img2: dataUrl(faceAagain) });
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ verified: true, model: 'faceplugin-arcface', detector_backend: 'faceplugin', similarity_metric: 'cosine', threshold: 0.68 });
    expect(same.json.distance).toBeLessThan(0.4);
    expect(same.json.confidence).toBeGreaterThan(90);
    expect(same.json.time).toBeGreaterThan(0);
    expect(same.json.facial_areas.img1).toMatchObject({ x: expect.any(Number), left_eye: expect.any(Array) });
    expect(same.json.facial_areas.img2.w).toBeLessThan(same.json.facial_areas.img1.w);

    const different = await call(h, 'POST', '/verify', form({ img1: { bytes: faceA, filename: 'a.jpg' }, img2: { bytes: faceB, filename: 'b.jpg' }, distance_metric: 'euclidean_l2' }));
    expect(different.status).toBe(200);
    expect(different.json).toMatchObject({ verified: false, similarity_metric: 'euclidean_l2', threshold: 1.17 });
    expect(different.json.distance).toBeGreaterThan(1.17);
    expect(different.json.confidence).toBeLessThan(50);
  });

  it('analyzes age, gender and emotion by default, the actions asked for otherwise', async () => {
    const all = await call(h, 'POST', '/analyze', { img: faceA.toString('base64') });
    expect(all.status).toBe(200);
    expect(all.json.results).toHaveLength(1);
    const [face] = all.json.results;
    expect(face.age).toBeGreaterThan(5);
    expect(['Woman', 'Man']).toContain(face.dominant_gender);
    expect(face.gender.Woman + face.gender.Man).toBeCloseTo(100, 3);
    expect(Object.keys(face.emotion).sort()).toEqual(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise']);
    expect(Object.keys(face.emotion)).toContain(face.dominant_emotion);
    expect(face.region).toMatchObject({ x: expect.any(Number), w: expect.any(Number), left_eye: expect.any(Array) });
    expect(face).not.toHaveProperty('is_real');

    // DeepFace's forms send actions as text
    const some = await call(h, 'POST', '/analyze', form({ img: { bytes: faceB, filename: 'b.jpg' }, actions: '["age", "gender"]', anti_spoofing: 'true' }));
    expect(some.status).toBe(200);
    expect(Object.keys(some.json.results[0]).sort()).toEqual(['age', 'antispoof_score', 'dominant_gender', 'face_confidence', 'gender', 'is_real', 'region']);
  });

  it('answers a corrupt image, and an image without a face, with 400 naming the field (as DeepFace), the code in the body', async () => {
    const truncated = faceA.subarray(0, 600);
    expectError(await call(h, 'POST', '/represent', { img: truncated.toString('base64') }), 400, 'FV_ERR_IMAGE_DECODE', /^img: /);
    expectError(await call(h, 'POST', '/verify', form({ img1: { bytes: faceA, filename: 'a.jpg' }, img2: { bytes: Buffer.from('not an image'), filename: 'b.jpg' } })), 400, 'FV_ERR_IMAGE_DECODE', /^img2: /);

    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } }).png().toBuffer();
    const noFace = await call(h, 'POST', '/verify', { img1: faceA.toString('base64'), img2: blank.toString('base64') });
    expectError(noFace, 400, 'FV_ERR_NO_FACE', /^img2: No face found.*pass enforce_detection: false to use the whole image$/);
    expect(noFace.json.status).toBe(400);
    expect(noFace.json.details.path).toBe('img2');
    // enforce_detection: false takes the whole image as the face, as DeepFace does
    const whole = await call(h, 'POST', '/represent', { img: blank.toString('base64'), enforce_detection: false });
    expect(whole.status).toBe(200);
    expect(whole.json.results[0]).toMatchObject({ face_confidence: 0, facial_area: { x: 0, y: 0, w: 320, h: 240 } });
  });

  it('reads PGM and PPM images (which sharp does not) as their JPEG twins', async () => {
    const rgb = await sharp(faceA).raw().toBuffer({ resolveWithObject: true });
    const ppm = Buffer.concat([Buffer.from(`P6\n# from OpenCV\n${rgb.info.width} ${rgb.info.height}\n255\n`), rgb.data]);
    const grey = await sharp(faceA).greyscale().raw().toBuffer({ resolveWithObject: true });
    const pgm = Buffer.concat([Buffer.from(`P5 ${grey.info.width} ${grey.info.height} 255\n`), grey.data]);
    const represent = (bytes: Buffer) => call(h, 'POST', '/represent', { img: bytes.toString('base64'), max_faces: 1 });
    const [fromJpeg, fromPpm, fromPgm] = await Promise.all([represent(faceA), represent(ppm), represent(pgm)]);
    expect(fromPpm.status).toBe(200);
    expect(fromPgm.status).toBe(200);
    const cos = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * at(b, i), 0);
    expect(cos(fromPpm.json.results[0].embedding, fromJpeg.json.results[0].embedding)).toBeGreaterThan(0.999);
    expect(cos(fromPgm.json.results[0].embedding, fromJpeg.json.results[0].embedding)).toBeGreaterThan(0.8);
    const cut = await call(h, 'POST', '/represent', form({ img: { bytes: ppm.subarray(0, ppm.length - 7), filename: 'a.ppm' } }));
    expectError(cut, 400, 'FV_ERR_IMAGE_DECODE', /^img: Cannot decode PGM\/PPM image: the raster holds/);
  });

  it("anti_spoofing true refuses a photo with a face scored not live, in DeepFace's words", async () => {
    let refused = 0;
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const reply = await call(h, 'POST', '/represent', form({ img: { bytes: await photo(n), filename: `${n}.jpg` }, anti_spoofing: 'True' }));
      if (reply.status === 200) {
        expect(reply.json.results.every((face: { is_real: boolean }) => face.is_real)).toBe(true);
        continue;
      }
      refused++;
      expectError(reply, 400, 'FV_ERR_SPOOF_DETECTED', /^img: Spoof detected in the given image/);
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('answers an image over the size limit with 413', async () => {
    const huge = Buffer.alloc(MAX_IMAGE_BYTES + 1);
    expectError(await call(h, 'POST', '/represent', form({ img: { bytes: huge, filename: 'huge.jpg' } })), 413, 'FV_ERR_IMAGE_TOO_LARGE');
    expectError(await call(h, 'POST', '/represent', form({ img: { bytes: faceA, filename: 'a.jpg' }, photo: { bytes: faceA, filename: 'b.jpg' } })), 400, 'FV_ERR_INVALID_ARGUMENT', /photo: is not a known field/);
  });
});
