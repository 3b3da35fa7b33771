/**
 * The `fetchApi` this store gives the official client, and what one store call may add to and
 * read from the HTTP exchange the client makes on its behalf.
 *
 * The client's typed models keep only the fields they know, and some of the API's are among the
 * dropped: the update request's `dryRun` and its response's `matchedRecords` (API 2026-04), a
 * facevault server's `engine` extension, the raw `spec` of an index, the body of an error (the
 * client keeps only its text, and for a 404 only the URL). A store call states what it needs in
 * an {@link Exchange}; the transport applies it to the requests made within that call — found
 * through AsyncLocalStorage, so concurrent calls never see each other's — and records the response.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Exchange {
  /** Headers added to each request of the call. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Fields set in the JSON body of each request of the call, over what the client wrote. */
  readonly body?: Readonly<Record<string, unknown>>;
  /** Record the JSON of successful responses too (errors are always recorded). */
  readonly readBody?: boolean;
  /** The last response of the call, set by the transport. */
  response?: { readonly status: number; readonly json: unknown };
}

const current = new AsyncLocalStorage<Exchange>();

/** Runs one store call whose client requests follow `exchange`. */
export function withExchange<T>(exchange: Exchange, call: () => Promise<T>): Promise<T> {
  return current.run(exchange, call);
}

/**
 * A fetch for the client's `fetchApi`: applies the current exchange and bounds each request.
 * @param timeoutMs a request that has not answered by then is aborted (the client reports a
 *   connection error): a store that hangs must not hang the server in front of it.
 */
export function exchangeFetch(timeoutMs: number): typeof fetch {
  return async (input, init = {}) => {
    const exchange = current.getStore();
    const request: RequestInit = { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) };
    if (exchange?.headers) {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(exchange.headers)) headers.set(name, value);
      request.headers = headers;
    }
    if (exchange?.body && typeof init.body === 'string') request.body = JSON.stringify({ ...(JSON.parse(init.body) as object), ...exchange.body });
    const response = await fetch(input, request);
    if (exchange && (exchange.readBody || !response.ok)) exchange.response = { status: response.status, json: await jsonOf(response.clone()) };
    return response;
  };
}

async function jsonOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
