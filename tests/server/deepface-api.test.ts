/**
 * DeepFace's own API tests (serengil/deepface `tests/unit/test_api.py`, the contract of issue 11)
 * rewritten request for request against a real facevault server and port, as a DeepFace client
 * sends them: images as paths under an images folder ("dataset/img1.jpg"), URLs, data URLs and
 * multipart files, with ArcFace in place of the models facevault does not run (VGG-Face, Facenet).
 * Then what else a DeepFace client relies on: url-encoded forms, DeepFace's value spellings, the
 * ignored-fields header, angular, embeddings, register without img_name, search and build/index.
 *
 * Uses DeepFace's own test photos from the shared datasets folder (FACEVAULT_DATASETS, default
 * ../shared/datasets); without it the suite is skipped, saying so.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDataset } from '../helpers/datasets.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { API_KEY, startHarness, type Harness } from './harness.js';
import { at, entry } from '../helpers/checked.js';

const dataset = findDataset('deepface', 'identities.csv', "DeepFace's test_api.py against facevault serve");

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the expectations
  readonly json: any;
}

describe.skipIf(!dataset.dir)(dataset.title, () => {
  let h: Harness;
  let tmp: ReturnType<typeof makeTempDir>;
  let web: Server;
  let webUrl: string;
  const source = (name: string) => join(dataset.dir!, 'images', name);

  /** A request as Python's requests sends it: json=..., data=... (url-encoded) or files=... (multipart); DeepFace's bearer token. */
  async function post(path: string, body: Record<string, unknown> | URLSearchParams | FormData, auth: string | null = `Bearer ${API_KEY}`): Promise<Answer> {
    const headers: Record<string, string> = auth === null ? {} : { authorization: auth };
    let payload: string | URLSearchParams | FormData;
    if (body instanceof URLSearchParams || body instanceof FormData) payload = body;
    else {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await fetch(`${h.server.url}${path}`, { method: 'POST', headers, body: payload });
    return { status: response.status, headers: response.headers, json: await response.json() };
  }

  const file = (name: string) => new Blob([readFileSync(source(name))], { type: 'image/jpeg' });
  const dataUrl = (name: string) => `data:image/jpeg;base64,${readFileSync(source(name)).toString('base64')}`;
  function multipart(fields: Record<string, string | [string, string]>): FormData {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) {
      if (typeof value === 'string') form.append(key, value);
      else form.append(key, file(value[0]), value[1]);
    }
    return form;
  }

  beforeAll(async () => {
    // The images folder the server is started with: DeepFace's tests name their photos "dataset/<name>".
    tmp = makeTempDir('facevault-deepface-api-');
    mkdirSync(join(tmp.dir, 'images', 'dataset'), { recursive: true });
    for (const name of ['img1.jpg', 'img2.jpg', 'img3.jpg', 'couple.jpg']) copyFileSync(source(name), join(tmp.dir, 'images', 'dataset', name));
    writeFileSync(join(tmp.dir, 'images', 'dataset', 'invalid.jpg'), 'Not JPEG data');
    // test_represent_url fetches couple.jpg from GitHub; here from a web server on loopback, allow-listed by address.
    web = createServer((request, response) => {
      if (request.url === '/couple.jpg') response.writeHead(200, { 'content-type': 'image/jpeg' }).end(readFileSync(source('couple.jpg')));
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    h = await startHarness({ imagesDir: join(tmp.dir, 'images'), urlHosts: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await h?.stop();
    await new Promise((resolve) => web?.close(resolve));
    tmp?.cleanup();
  });

  function expectVerifyShape(result: Answer['json']): void {
    for (const key of ['verified', 'model', 'similarity_metric', 'detector_backend', 'distance', 'threshold', 'facial_areas']) expect(result[key], key).not.toBeUndefined();
    expect(result[`verified`]).not.toBeNull();
  }

  describe('TestVerifyEndpoint', () => {
    it('test_tp_verify / test_tn_verify: two photos of one person by path are verified', async () => {
      const response = await post('/verify', { img1: 'dataset/img1.jpg', img2: 'dataset/img2.jpg' });
      expect(response.status, JSON.stringify(response.json)).toBe(200);
      expectVerifyShape(response.json);
      expect(response.json.verified).toBe(true);
      // a different person is not
      const other = await post('/verify', { img1: 'dataset/img1.jpg', img2: 'dataset/img3.jpg' });
      expect(other.json.verified).toBe(false);
    });

    it('test_represent: a path gives every face with embedding (512-d: ArcFace for VGG-Face), face_confidence and facial_area', async () => {
      const response = await post('/represent', { img: 'dataset/img1.jpg' });
      expect(response.status).toBe(200);
      expect(response.json.results.length).toBeGreaterThan(0);
      for (const face of response.json.results) {
        expect(face.embedding).toHaveLength(512);
        expect(face.face_confidence).not.toBeNull();
        expect(face.facial_area).toMatchObject({ x: expect.any(Number), left_eye: expect.any(Array), nose: expect.any(Array), mouth_left: expect.any(Array) });
      }
    });

    it('test_represent_encoded: a data URL, with DeepFace model and detector names', async () => {
      const response = await post('/represent', { model_name: 'ArcFace', detector_backend: 'mtcnn', img: dataUrl('img1.jpg') });
      expect(response.status).toBe(200);
      expect(response.json.results.length).toBeGreaterThan(0);
      for (const face of response.json.results) expect(face.embedding).toHaveLength(512);
      expect(response.json.served_by).toEqual({ model: 'faceplugin-arcface', detector: 'faceplugin' });
      // DeepFace's own default model, and Facenet, are refused naming the models served here
      const facenet = await post('/represent', { model_name: 'Facenet', detector_backend: 'mtcnn', img: dataUrl('img1.jpg') });
      expect(facenet.status).toBe(400);
      expect(facenet.json.error).toMatch(/"Facenet" is a DeepFace model this server does not run; models served: faceplugin-arcface \(512-d; also .*arcface/);
    });

    it('test_represent_url: an allow-listed URL of a photo of two faces gives two results', async () => {
      const response = await post('/represent', { model_name: 'ArcFace', detector_backend: 'mtcnn', img: `${webUrl}/couple.jpg` });
      expect(response.status, JSON.stringify(response.json)).toBe(200);
      expect(response.json.results).toHaveLength(2);
      for (const face of response.json.results) expect(face.embedding).toHaveLength(512);
    });

    it('test_analyze: age (an integer), dominant_gender, dominant_emotion; race is a clear 400', async () => {
      const response = await post('/analyze', { img: 'dataset/img1.jpg' });
      expect(response.status).toBe(200);
      expect(response.json.results.length).toBeGreaterThan(0);
      for (const face of response.json.results) {
        expect(Number.isInteger(face.age)).toBe(true);
        expect(['Man', 'Woman']).toContain(face.dominant_gender);
        expect(face.dominant_emotion).toEqual(expect.any(String));
        expect(face.face_confidence).toBe(Math.round(face.face_confidence * 100) / 100);
      }
      // DeepFace's default actions include race, which facevault does not estimate: asked for, it is refused by name
      const race = await post('/analyze', { img: 'dataset/img1.jpg', actions: ['age', 'race'] });
      expect(race.status).toBe(400);
      expect(race.json.error).toMatch(/"race" not available \(race is not estimated here\)/);
    });

    it('test_analyze_inputformats: path, URL and data URL give the same faces and verdicts', async () => {
      const sources = ['dataset/couple.jpg', `${webUrl}/couple.jpg`, dataUrl('couple.jpg')];
      const results = [];
      for (const img of sources) {
        const response = await post('/analyze', { img });
        expect(response.status).toBe(200);
        results.push(response.json.results as { dominant_emotion: string; dominant_gender: string; age: number }[]);
      }
      expect(results[0]?.length).toBeGreaterThan(0);
      for (const other of results.slice(1)) {
        expect(other.map((face) => [face.dominant_emotion, face.dominant_gender, face.age])).toEqual(at(results, 0).map((face) => [face.dominant_emotion, face.dominant_gender, face.age]));
      }
    });

    it('test_invalid_verify, test_invalid_represent, test_no_file_represent, test_invalid_analyze, test_no_file_analyze: 400', async () => {
      const invalidVerify = await post('/verify', { img1: 'dataset/invalid_1.jpg', img2: 'dataset/invalid_2.jpg' });
      expect(invalidVerify.status).toBe(400);
      expect(invalidVerify.json).toMatchObject({ code: 'FV_ERR_IMAGE_INPUT', details: { reason: 'not-found' } });
      expect(invalidVerify.json.exception).toEqual(expect.any(String));
      for (const route of ['/represent', '/analyze']) {
        const invalid = await post(route, { img: 'dataset/invalid.jpg' });
        expect(invalid.status).toBe(400);
        expect(invalid.json.code).toBe('FV_ERR_IMAGE_DECODE');
        expect(invalid.json.error).toEqual(expect.any(String));
        const missing = await post(route, { img: 'no_such_file.jpg' });
        expect(missing.status).toBe(400);
        expect(missing.json.error).toMatch(/"no_such_file.jpg" does not exist in the images folder/);
      }
    });

    it('test_analyze_for_multipart_form_data: a file with actions as text', async () => {
      const response = await post('/analyze', multipart({ img: ['img1.jpg', 'test_image.jpg'], actions: '["age", "gender"]', detector_backend: 'mtcnn' }));
      expect(response.status, JSON.stringify(response.json)).toBe(200);
      expect(Object.keys(response.json.results[0])).toEqual(expect.arrayContaining(['age', 'dominant_gender']));
      expect(response.json.results[0]).not.toHaveProperty('dominant_emotion');
    });

    it('test_verify_for_multipart_form_data: two files; model and detector_backend echo the names asked for', async () => {
      const response = await post('/verify', multipart({ img1: ['img1.jpg', 'first_image.jpg'], img2: ['img2.jpg', 'second_image.jpg'], model_name: 'ArcFace', detector_backend: 'mtcnn', distance_metric: 'euclidean' }));
      expect(response.status, JSON.stringify(response.json)).toBe(200);
      expectVerifyShape(response.json);
      expect(response.json).toMatchObject({ model: 'ArcFace', detector_backend: 'mtcnn', similarity_metric: 'euclidean', verified: true, served_by: { model: 'faceplugin-arcface', detector: 'faceplugin' } });
    });

    it('test_represent_for_multipart_form_data, and ..._and_filepath: a file, or a path as a text field', async () => {
      const asFile = await post('/represent', multipart({ img: ['img1.jpg', 'first_image.jpg'], model_name: 'ArcFace', detector_backend: 'mtcnn' }));
      expect(asFile.status).toBe(200);
      const asPath = await post('/represent', multipart({ img: 'dataset/img1.jpg', model_name: 'ArcFace', detector_backend: 'mtcnn' }));
      expect(asPath.status).toBe(200);
      expect(asPath.json.results[0].embedding).toEqual(asFile.json.results[0].embedding);
    });

    it('test_extract_image_string_from_form_data: the image as a url-encoded form field (requests data=...)', async () => {
      const response = await post('/represent', new URLSearchParams({ img: 'dataset/img2.jpg', model_name: 'ArcFace', max_faces: '1', align: 'True' }));
      expect(response.status, JSON.stringify(response.json)).toBe(200);
      expect(response.json.results).toHaveLength(1);
    });
  });

  describe('TestTokenValidation', () => {
    it('test_missing_token, test_invalid_token: 401; test_valid_token: 200', async () => {
      const data = { img1: 'dataset/img1.jpg', img2: 'dataset/img2.jpg' };
      const missing = await post('/verify', data, null);
      expect(missing.status).toBe(401);
      // DeepFace answers { message } here
      expect(missing.json).toMatchObject({ code: 'FV_ERR_UNAUTHORIZED', message: missing.json.error });
      expect((await post('/verify', data, 'Bearer wrong_token')).status).toBe(401);
      expect((await post('/verify', data, `Bearer ${API_KEY}`)).status).toBe(200);
    });
  });

  describe('what else a DeepFace client sends', () => {
    it('spells flags and numbers as Python clients do, and names the options it ignores in a header', async () => {
      const plain = await post('/represent', { img: 'dataset/img1.jpg', max_faces: 1 });
      const spelled = await post('/represent', { img: 'dataset/img1.jpg', max_faces: '1', align: 'True', enforce_detection: 1, anti_spoofing: 'false', normalization: 'base', l2_normalize: 'False', silent: 0, expand_percentage: null });
      expect(spelled.status, JSON.stringify(spelled.json)).toBe(200);
      expect(spelled.json.results[0].embedding).toEqual(plain.json.results[0].embedding);
      expect(spelled.headers.get('x-facevault-ignored-fields')).toBe('normalization, l2_normalize, silent');
      expect(plain.headers.get('x-facevault-ignored-fields')).toBeNull();
      // align "False" is honoured (the crop is not aligned), not read as Python's bool("False") == True
      const unaligned = await post('/represent', { img: 'dataset/img1.jpg', max_faces: '1', align: 'False' });
      expect(unaligned.json.results[0].embedding).not.toEqual(plain.json.results[0].embedding);
      // model_name on /analyze and distance_metric on /represent are DeepFace fields: accepted, reported
      const analyzed = await post('/analyze', { img: 'dataset/img2.jpg', actions: 'age', model_name: 'VGG-Face' });
      expect(analyzed.status).toBe(200);
      expect(analyzed.headers.get('x-facevault-ignored-fields')).toBe('model_name');
      const bad = await post('/represent', { img: 'dataset/img1.jpg', align: 'maybe' });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatch(/align/);
    });

    it('verifies with angular and precomputed embeddings (dimension checked); the closest pair of faces decides', async () => {
      const represent = (img: string) => post('/represent', { img, max_faces: 1 });
      const [one, two] = await Promise.all([represent('dataset/img1.jpg'), represent('dataset/img2.jpg')]);
      const cosine = await post('/verify', { img1: one.json.results[0].embedding, img2: 'dataset/img2.jpg' });
      expect(cosine.status, JSON.stringify(cosine.json)).toBe(200);
      expect(cosine.json.facial_areas.img1).toBeNull();
      const angular = await post('/verify', { img1: one.json.results[0].embedding, img2: two.json.results[0].embedding, distance_metric: 'angular' });
      expect(angular.json).toMatchObject({ verified: true, similarity_metric: 'angular' });
      expect(angular.json.distance).toBeCloseTo(Math.acos(1 - cosine.json.distance) / Math.PI, 5);
      expect(angular.json.threshold).toBeCloseTo(Math.acos(1 - 0.68) / Math.PI, 9);
      expect(angular.json.time).toBe(Math.round(angular.json.time * 100) / 100);
      const short = await post('/verify', { img1: one.json.results[0].embedding.slice(0, 128), img2: 'dataset/img2.jpg' });
      expect(short.status).toBe(400);
      expect(short.json).toMatchObject({ code: 'FV_ERR_EMBEDDING_DIMENSION', error: expect.stringMatching(/^img1: .*must have 512 numbers, got 128/) });
      // couple.jpg shows two people: compared with each of them, verify finds that one, whichever face is larger
      const couple = await post('/represent', { img: 'dataset/couple.jpg' });
      for (const face of couple.json.results) {
        const matched = await post('/verify', { img1: 'dataset/couple.jpg', img2: face.embedding });
        expect(matched.json.distance).toBeCloseTo(0, 5);
        expect(matched.json.facial_areas.img1).toMatchObject({ x: face.facial_area.x, y: face.facial_area.y });
      }
    });

    it('register without img_name, search in every metric, build/index; an empty gallery answers as DeepFace', async () => {
      const empty = await post('/search', { img: 'dataset/img2.jpg', gallery: 'deepface' });
      expect(empty.status).toBe(400);
      expect(empty.json).toMatchObject({ code: 'FV_ERR_GALLERY_EMPTY', error: expect.stringMatching(/^No embeddings found in the database/) });
      expect((await post('/build/index', { gallery: 'deepface' })).status).toBe(400);

      const registered = await post('/register', { img: 'dataset/img1.jpg', gallery: 'deepface', model_name: 'ArcFace', detector_backend: 'opencv' });
      expect(registered.status, JSON.stringify(registered.json)).toBe(200);
      expect(registered.json).toMatchObject({ inserted: 1, img_name: 'dataset/img1.jpg' });
      expect(await post('/build/index', { gallery: 'deepface', model_name: 'ArcFace', detector_backend: 'opencv', align: true, l2_normalize: true })).toMatchObject({
        status: 200,
        json: { message: 'Index built successfully', faces: 1 },
      });

      const rows: Record<string, { distance: number; threshold: number }> = {};
      for (const distance_metric of ['cosine', 'euclidean', 'euclidean_l2', 'angular']) {
        const found = await post('/search', { img: 'dataset/img2.jpg', gallery: 'deepface', distance_metric, search_method: 'exact' });
        expect(found.status, JSON.stringify(found.json)).toBe(200);
        expect(found.json.results[0]).toHaveLength(1);
        expect(found.json.results[0][0]).toMatchObject({ img_name: 'dataset/img1.jpg', distance_metric });
        rows[distance_metric] = found.json.results[0][0];
      }
      expect(rows.euclidean_l2?.distance).toBeCloseTo(Math.sqrt(2 * entry(rows, 'cosine').distance), 6);
      expect(rows.angular?.threshold).toBeCloseTo(Math.acos(1 - entry(rows, 'cosine').threshold) / Math.PI, 9);
      expect((await post('/search', { img: 'dataset/img2.jpg', gallery: 'deepface', distance_metric: 'manhattan' })).status).toBe(400);
    });
  });
});
