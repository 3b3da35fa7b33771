/**
 * The large-JSON thread: parses a big face request's body and decodes its base64 images, the
 * work that held the event loop 437 ms for a 28 MB body (bench/large-json.ts, issue 12.3), and hands back the small
 * fields and the image bytes.
 */
import { parentPort } from 'node:worker_threads';
import { base64Payload, decodedBytes, isBase64 } from './image-string.js';
import type { ParseAnswer, ParseJob } from './large-json-protocol.js';

if (parentPort === null) throw new Error('large-json-worker must run in a worker thread');
const port = parentPort;

port.on('message', (job: ParseJob) => {
  const answer = parse(job);
  port.postMessage(answer, answer.ok ? answer.images.map((image) => image.bytes.buffer) : []);
});

function parse({ job, body, imageFields, imageMinChars, maxImageBytes }: ParseJob): ParseAnswer {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    return { job, ok: false, kind: 'json', message: err instanceof Error ? err.message : String(err) };
  }
  const poisoned = poisonedKey(value);
  if (poisoned !== undefined) return { job, ok: false, kind: 'poisoning', key: poisoned };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { job, ok: true, fields: value as Record<string, unknown>, images: [] };
  const fields = value as Record<string, unknown>;
  const images: { field: string; bytes: Uint8Array<ArrayBuffer> }[] = [];
  for (const field of imageFields) {
    const text = Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (typeof text !== 'string' || text.length < imageMinChars) continue;
    // A string this long is no path or URL: it is an image, or it is refused.
    const payload = base64Payload(text);
    if (!isBase64(payload)) return { job, ok: false, kind: 'image', field, reason: 'not-base64' };
    const bytes = decodedBytes(payload);
    if (bytes > maxImageBytes) return { job, ok: false, kind: 'image', field, reason: 'too-large', bytes };
    const decoded = Buffer.from(payload, 'base64');
    // A buffer this large owns its memory (Node pools only small ones), so it can be transferred whole.
    const own = decoded.byteOffset === 0 && decoded.byteLength === decoded.buffer.byteLength ? decoded.buffer : decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + decoded.byteLength);
    images.push({ field, bytes: new Uint8Array(own as ArrayBuffer) });
    delete fields[field];
  }
  return { job, ok: true, fields, images };
}

/**
 * A key that would poison an object's prototype if the body were merged into one: `__proto__`,
 * or `constructor` holding `prototype`. Refused as fastify's own JSON parser refuses them.
 */
function poisonedKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = poisonedKey(item);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key === '__proto__') return key;
    if (key === 'constructor' && typeof inner === 'object' && inner !== null && Object.hasOwn(inner, 'prototype')) return 'constructor.prototype';
    const found = poisonedKey(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}
