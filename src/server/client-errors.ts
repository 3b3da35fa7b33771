/**
 * Requests Node's HTTP parser refuses before fastify sees them — headers over the limit, broken
 * chunked encoding, a NUL in a header, a request not received in time — answered in Pinecone's
 * error shape (fastify's default answer has its own, which the official client cannot read), then
 * the connection is closed: after a parse error nothing more can be read from it.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { fvError, type FacevaultError } from '../errors.js';
import { errorBody } from './errors.js';

/** What Node's parser reports (llhttp's `HPE_*` codes and Node's own). */
function coded(err: NodeJS.ErrnoException & { bytesParsed?: number }): FacevaultError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return fvError('FV_ERR_PAYLOAD_TOO_LARGE', 'headers: the request line and headers are over the size limit; a fetch names at most 1,000 ids of 512 bytes', { parser: err.code });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return fvError('FV_ERR_INVALID_ARGUMENT', 'request: was not received in full in time', { parser: err.code });
    default:
      return fvError('FV_ERR_INVALID_ARGUMENT', `request: is not valid HTTP/1.1 (${err.code ?? 'unknown'}: ${err.message})`, { parser: err.code });
  }
}

/**
 * fastify's `clientErrorHandler` option.
 * @example a request with `Transfer-Encoding: chunked` and a chunk size of `zz` → 400
 *   `{"error":{"code":"FV_ERR_INVALID_ARGUMENT","message":"request: is not valid HTTP/1.1 (HPE_INVALID_CHUNK_SIZE: ...)"},"status":400}`
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset or destroyed connection has no one left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error = coded(err);
  this.log.info({ code: error.code, status: error.status, parser: err.code }, error.message);
  if (socket.writable) {
    const body = JSON.stringify(errorBody(error));
    socket.write(
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
