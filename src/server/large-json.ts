/**
 * JSON bodies of the face routes from 1 MiB on are parsed off the event loop: a thread parses
 * the body and decodes its base64 images (for the largest image a route takes, a 28 MB body,
 * that work held the loop 437 ms; with the thread the longest block is 133 ms: bench/large-json.ts),
 * and the route gets the small fields as its
 * body and the images as `request.uploads`, as if they had come as multipart files. Smaller
 * bodies take fastify's own parser, which is faster than a round trip to the thread.
 *
 * The refusals are the ones the request path makes: invalid JSON, a prototype-poisoning key, an
 * image string that is not base64, an image over the size limit.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Worker } from 'node:worker_threads';
import { fvError } from '../errors.js';
import { startWorker } from '../util/worker.js';
import { IMAGE_FIELDS, type Upload } from './face-input.js';
import type { ParseAnswer, ParseJob } from './large-json-protocol.js';

/** Bodies from this size on are parsed by the thread. */
export const LARGE_JSON_BYTES = 1024 * 1024;

/**
 * Strings this long are image candidates in the thread. A path or URL is never this long, so a
 * string of this length that is not base64 is refused there, as the request path would refuse it.
 */
const IMAGE_MIN_CHARS = 64 * 1024;

type Parsed = Extract<ParseAnswer, { ok: true }>;

/** One thread for the process, started with the first large body; it ends when idle for a while. */
class LargeJsonThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (answer: ParseAnswer | Error) => void>();
  private nextJob = 1;
  private idleTimer: NodeJS.Timeout | undefined;

  parse(body: Buffer, maxImageBytes: number): Promise<ParseAnswer> {
    const worker = (this.worker ??= this.spawn());
    clearTimeout(this.idleTimer);
    const job = this.nextJob++;
    // A large Buffer owns its ArrayBuffer (Node pools only small ones); copy when it does not.
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? (body.buffer as ArrayBuffer) : body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
    const message: ParseJob = { job, body: new Uint8Array(own), imageFields: IMAGE_FIELDS, imageMinChars: IMAGE_MIN_CHARS, maxImageBytes };
    return new Promise<ParseAnswer>((resolve, reject) => {
      this.pending.set(job, (answer) => (answer instanceof Error ? reject(answer) : resolve(answer)));
      if (this.pending.size === 1) worker.ref();
      worker.postMessage(message, [own]);
    });
  }

  private spawn(): Worker {
    const worker = startWorker(new URL('./large-json-worker.js', import.meta.url));
    worker.on('message', (answer: ParseAnswer) => this.settle(answer.job, answer));
    worker.on('error', (err) => this.lose(worker, err));
    worker.on('exit', (code) => this.lose(worker, new Error(`exited with code ${code}`)));
    return worker;
  }

  private settle(job: number, answer: ParseAnswer | Error): void {
    const finish = this.pending.get(job);
    this.pending.delete(job);
    if (this.pending.size === 0) {
      this.worker?.unref();
      // An idle thread holds ~10 MB: let it go after a minute without large bodies.
      this.idleTimer = setTimeout(() => this.retire(), 60_000).unref();
    }
    finish?.(answer);
  }

  private retire(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }

  private lose(worker: Worker, err: Error): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    for (const job of [...this.pending.keys()]) this.settle(job, fvError('FV_ERR_INTERNAL', `the JSON parsing thread failed: ${err.message}`, {}));
  }
}

const thread = new LargeJsonThread();
let parsedOffThread = 0;

/** Bodies parsed by the thread since the process started. */
export function largeBodiesParsed(): number {
  return parsedOffThread;
}

/**
 * Makes the routes of `app` (a plugin's encapsulated instance) parse large JSON bodies off the
 * event loop; `maxImageBytes` is the largest image they take.
 */
export function parseLargeJsonOffThread(app: FastifyInstance, maxImageBytes: number): void {
  const small = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (bytes.byteLength < LARGE_JSON_BYTES) {
      small(request, bytes.toString('utf8'), done);
      return;
    }
    parsedOffThread++;
    thread.parse(bytes, maxImageBytes).then(
      (answer) => {
        if (answer.ok) done(null, withImages(request, answer));
        else done(refusal(answer), undefined);
      },
      (err: Error) => done(err, undefined),
    );
  });
}

/** The small fields as the body; the images as uploads named after their fields. */
function withImages(request: FastifyRequest, answer: Parsed): unknown {
  if (answer.images.length > 0) {
    const uploads = new Map<string, Upload>();
    for (const { field, bytes } of answer.images) uploads.set(field, { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), filename: '' });
    request.uploads = uploads;
  }
  return answer.fields;
}

function refusal(answer: Exclude<ParseAnswer, { ok: true }>): Error {
  switch (answer.kind) {
    case 'json':
      return fvError('FV_ERR_INVALID_ARGUMENT', 'body: is not valid JSON', { in: 'body' });
    case 'poisoning':
      return fvError('FV_ERR_INVALID_ARGUMENT', `body: holds the key "${answer.key}", which is refused`, { in: 'body' });
    case 'image':
      return answer.reason === 'too-large'
        ? fvError('FV_ERR_IMAGE_TOO_LARGE', `${answer.field}: the image is ${answer.bytes} bytes, over the limit`, { path: answer.field, bytes: answer.bytes })
        : fvError('FV_ERR_IMAGE_INPUT', `${answer.field}: is not a base64 image or data URL: send the image itself: a multipart file field "${answer.field}", a base64 string or a data URL (data:image/jpeg;base64,...)`, { path: answer.field, reason: 'data-url' });
  }
}
