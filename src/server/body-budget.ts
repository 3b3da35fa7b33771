/**
 * A server-wide budget of request-body bytes in flight. Each body is held whole while it is
 * parsed (JSON, base64 images, multipart files) and costs a few times its size while it is
 * decoded: eight concurrent 50 MB bodies held 1.36 GB that stayed. A request that declares a
 * `Content-Length` the budget cannot hold while others are in flight is turned away before its
 * body is read, with 503 FV_ERR_OVERLOADED and `Retry-After`; a body sent without a length is
 * counted as it streams and refused the same way once it overdraws. A single request is never
 * refused by the budget alone (the body limit bounds it), so one large upload always gets through.
 *
 * A body must also arrive within `timeoutMs` of the request's start, or the connection is answered
 * 408 and closed: a stalled upload would otherwise hold its socket and its share of the budget.
 * Node's own `requestTimeout` did not fire on a body fastify was waiting for (tried: no 408
 * after 60 s with a 1.5 s timeout), so the timer is here.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Transform, type TransformCallback } from 'node:stream';
import { fvError, type FacevaultError } from '../errors.js';

/** What a request holds of the budget; released exactly once, whichever way the request ends. */
const HELD = Symbol('facevault.bodyBytesHeld');
type Holding = FastifyRequest & { [HELD]?: number };

const TIMER = Symbol('facevault.bodyTimer');
type Timed = FastifyRequest & { [TIMER]?: NodeJS.Timeout };

export interface BodyBudgetOptions {
  /** Bytes all bodies in flight may hold together. */
  budgetBytes: number;
  /** How long a request may take to arrive whole; 0: no limit. */
  timeoutMs: number;
}

export function installBodyBudget(app: FastifyInstance, { budgetBytes, timeoutMs }: BodyBudgetOptions): void {
  let inFlight = 0;
  const overdrawn = (asked: number): FacevaultError =>
    fvError('FV_ERR_OVERLOADED', `request bodies in flight hold ${inFlight} bytes; this one needs ${asked} more and the server allows ${budgetBytes}; retry shortly`, {
      inFlightBytes: inFlight,
      askedBytes: asked,
      budgetBytes,
    });
  const take = (request: Holding, bytes: number): void => {
    if (inFlight > 0 && inFlight + bytes > budgetBytes) throw overdrawn(bytes);
    inFlight += bytes;
    request[HELD] = (request[HELD] ?? 0) + bytes;
  };
  const release = (request: Holding): void => {
    inFlight -= request[HELD] ?? 0;
    request[HELD] = 0;
  };

  const stopTimer = (request: Timed): void => {
    clearTimeout(request[TIMER]);
    request[TIMER] = undefined;
  };

  app.addHook('onRequest', async (request: Holding & Timed) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isSafeInteger(declared) && declared > 0) take(request, declared);
    if (timeoutMs > 0 && (declared > 0 || request.headers['transfer-encoding'] !== undefined)) {
      request[TIMER] = setTimeout(() => {
        request.log.warn({ timeoutMs }, 'request body did not arrive in time; closing the connection');
        release(request);
        const socket = request.raw.socket;
        if (!socket.destroyed) socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }, timeoutMs);
    }
  });
  // The body has been read and parsed by preValidation; a slow handler is not the client's doing.
  app.addHook('preValidation', async (request: Timed) => stopTimer(request));
  app.addHook('preParsing', async (request: Holding, _reply, payload) => {
    if (request.headers['content-length'] !== undefined) return payload;
    // Chunked: count what arrives and stop reading once the budget is overdrawn.
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        try {
          take(request, chunk.length);
          done(null, chunk);
        } catch (err) {
          done(err as Error);
        }
      },
    });
    return payload.pipe(counter);
  });
  app.addHook('onResponse', async (request: Holding & Timed) => {
    stopTimer(request);
    release(request);
  });
  app.addHook('onRequestAbort', async (request: Holding & Timed) => {
    stopTimer(request);
    release(request);
  });
}
