/**
 * Face requests whose JSON body is 1 MiB or more are parsed, and their base64 images decoded, off
 * the event loop (src/server/large-json.ts): they must answer exactly as the same request parsed
 * on the loop does, and refuse what it refuses, with the same codes.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGE_JSON_BYTES, largeBodiesParsed } from '../../src/server/large-json.js';
import { MAX_IMAGE_BYTES } from '../../src/server/face-input.js';
import { API_KEY, startHarness, type Harness } from './harness.js';
import { call, dataUrl, form, photo } from './face-photos.js';

let h: Harness;
/** A real photo as a PNG of several MB: its base64 makes a body well over LARGE_JSON_BYTES. */
let large: Buffer;
let small: Buffer;

beforeAll(async () => {
  h = await startHarness();
  small = await photo(1);
  large = await sharp(small).resize({ width: 1600 }).png({ compressionLevel: 0 }).toBuffer();
  expect(large.toString('base64').length).toBeGreaterThan(2 * LARGE_JSON_BYTES);
});
afterAll(async () => h.stop());

function expectError(reply: { status: number; json: { code?: string } }, status: number, code: string): void {
  expect(reply.status, JSON.stringify(reply.json).slice(0, 300)).toBe(status);
  expect(reply.json.code).toBe(code);
}

/** Sends a raw JSON text, as a client that builds its own body would. */
async function postRaw(path: string, text: string): Promise<{ status: number; json: { code?: string } }> {
  const response = await fetch(`${h.server.url}${path}`, { method: 'POST', headers: { 'api-key': API_KEY, 'content-type': 'application/json' }, body: text });
  return { status: response.status, json: (await response.json()) as { code?: string } };
}

describe('large JSON bodies of the face routes', () => {
  it('answers a large base64 image (and its data URL) exactly as the same image sent as a file', async () => {
    const asFile = await call(h, 'POST', '/represent', form({ img: { bytes: large, filename: 'large.png' } }));
    expect(asFile.status).toBe(200);
    const before = largeBodiesParsed();
    const asBase64 = await call(h, 'POST', '/represent', { img: large.toString('base64'), max_faces: 2 });
    const asDataUrl = await call(h, 'POST', '/represent', { img: `data:image/png;base64,${large.toString('base64')}`, max_faces: 2 });
    expect(asBase64.status).toBe(200);
    expect(asBase64.json.results).toEqual(asFile.json.results.slice(0, 2));
    expect(asDataUrl.json.results).toEqual(asBase64.json.results);
    expect(largeBodiesParsed() - before).toBe(2);
  });

  it('takes one large and one small image in one /verify, each from its own field', async () => {
    const reply = await call(h, 'POST', '/verify', { img1: large.toString('base64'), img2: dataUrl(small) });
    expect(reply.status).toBe(200);
    expect(reply.json.verified).toBe(true);
  });

  it('refuses what the loop refuses: bad JSON, a poisoning key, a long string that is no image, an image over the limit', async () => {
    const padding = 'a'.repeat(LARGE_JSON_BYTES);
    expectError(await postRaw('/represent', `{"img": "${padding}`), 400, 'FV_ERR_INVALID_ARGUMENT');
    expectError(await postRaw('/represent', `{"img": "${large.toString('base64')}", "__proto__": {"admin": true}}`), 400, 'FV_ERR_INVALID_ARGUMENT');
    const notBase64 = await call(h, 'POST', '/represent', { img: `${padding}!` });
    expectError(notBase64, 400, 'FV_ERR_IMAGE_INPUT');
    // DeepFace's clients read the failure under `exception`.
    expect((notBase64.json as { exception?: string }).exception).toMatch(/img: is not a base64 image/);
    const tooLarge = Buffer.alloc(MAX_IMAGE_BYTES + 3, 7).toString('base64');
    expectError(await call(h, 'POST', '/represent', { img: tooLarge }), 413, 'FV_ERR_IMAGE_TOO_LARGE');
  });

  it('leaves small bodies to the usual parser, with the same refusals', async () => {
    expectError(await postRaw('/represent', '{"img": '), 400, 'FV_ERR_INVALID_ARGUMENT');
    expectError(await postRaw('/represent', '{"img": "x", "__proto__": {"admin": true}}'), 400, 'FV_ERR_INVALID_ARGUMENT');
    const before = largeBodiesParsed();
    expect((await call(h, 'POST', '/represent', { img: small.toString('base64') })).status).toBe(200);
    expect(largeBodiesParsed()).toBe(before);
  });
});
