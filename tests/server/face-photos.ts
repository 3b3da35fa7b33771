/**
 * What the face route tests share: requests to a running server (JSON or multipart), and single
 * faces cut from the group photos that ship with npm (@vladmandic/face-api's demo samples), boxed
 * by the server's own /represent.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { samplePhoto } from '../recognition/face-api-samples.js';
import { API_KEY, type Harness } from './harness.js';

/** A server to send requests to: a test harness, or a `facevault serve` process. */
export type ServerAt = Pick<Harness, 'server'> | { readonly server: { readonly url: string } };

export interface Reply {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the tests' expectations
  readonly json: any;
}

export type FormValue = string | { readonly bytes: Buffer; readonly filename: string };

/** A request with the API key (unless `key` is null); a FormData body goes as multipart, anything else as JSON. */
export async function call(h: ServerAt, method: string, path: string, body?: unknown, key: string | null = API_KEY): Promise<Reply> {
  const headers: Record<string, string> = key === null ? {} : { 'api-key': key };
  let payload: string | FormData | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(`${h.server.url}${path}`, { method, headers, body: payload });
  return { status: response.status, json: await response.json() };
}

/** A multipart form: strings as text fields, bytes as file fields. */
export function form(fields: Record<string, FormValue>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') data.append(name, value);
    else data.append(name, new Blob([value.bytes], { type: 'image/jpeg' }), value.filename);
  }
  return data;
}

export function photo(n: number): Promise<Buffer> {
  return readFile(samplePhoto(n));
}

export function dataUrl(bytes: Buffer): string {
  return `data:image/jpeg;base64,${bytes.toString('base64')}`;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** The boxes of a photo's faces, largest first, as the server finds them. */
export async function boxesOf(h: ServerAt, bytes: Buffer): Promise<Box[]> {
  const { status, json } = await call(h, 'POST', '/represent', { img: bytes.toString('base64') });
  if (status !== 200) throw new Error(`represent failed: ${JSON.stringify(json)}`);
  return (json.results as { facial_area: Box }[]).map((result) => result.facial_area);
}

/** One face of a photo, with a quarter of its size as margin, as a JPEG (transformed, e.g. mirrored). */
export async function cropFace(bytes: Buffer, box: Box, transform: (image: Sharp) => Sharp = (image) => image): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const left = Math.max(0, Math.round(box.x - box.w / 4));
  const top = Math.max(0, Math.round(box.y - box.h / 4));
  const crop = sharp(bytes).extract({ left, top, width: Math.min(width - left, Math.round(box.w * 1.5)), height: Math.min(height - top, Math.round(box.h * 1.5)) });
  return transform(crop).jpeg({ quality: 90 }).toBuffer();
}

/** The same face as another photo would show it: mirrored, resized, recompressed. */
export function otherShot(image: Sharp): Sharp {
  return image.flop().resize({ width: 180 });
}
