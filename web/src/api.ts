/**
 * The page's one way to the server: the same HTTP API every other client uses, with the API key
 * in the `Api-Key` header. Errors come back in two shapes — the face routes' `{ error: message,
 * code, status }` and the Pinecone routes' `{ error: { code, message }, status }` — and leave here
 * as one {@link ApiError} with the code, so that the pages decide by code, never by message text.
 */

/** A failed request: the server's code (FV_ERR_*) and message, or NETWORK when it was not reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Body = FormData | Record<string, unknown>;

export class Api {
  /**
   * @param key the API key sent with every request.
   * @param onUnauthorized called when the server refuses the key (401), before the error is thrown.
   */
  constructor(
    readonly key: string,
    private readonly onUnauthorized: (error: ApiError) => void = () => {},
  ) {}

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.send<T>('GET', path, undefined, signal);
  }

  post<T>(path: string, body: Body, signal?: AbortSignal): Promise<T> {
    return this.send<T>('POST', path, body, signal);
  }

  patch<T>(path: string, body: Body): Promise<T> {
    return this.send<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.send<T>('DELETE', path);
  }

  /**
   * An image the API serves (a face thumbnail), or undefined when the server has none (404).
   * Fetched with the key, which an <img src> could not send.
   * @throws ApiError for other failures.
   */
  async image(path: string, signal?: AbortSignal): Promise<Blob | undefined> {
    const response = await fetch(path, { headers: { 'Api-Key': this.key }, signal, cache: 'no-store' });
    if (response.status === 404) return undefined;
    if (response.ok) return response.blob();
    throw this.failure(response.status, await response.text());
  }

  /** @throws ApiError for any answer but 2xx, and NETWORK when the server cannot be reached. */
  async send<T>(method: string, path: string, body?: Body, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { 'Api-Key': this.key, Accept: 'application/json' };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: payload, signal, cache: 'no-store' });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'NETWORK', 'the server cannot be reached: is facevault still running?');
    }
    const text = await response.text();
    if (response.ok) return parsed(text) as T;
    throw this.failure(response.status, text);
  }

  /** The error of a refused request; a refused key is reported to the page first. */
  private failure(status: number, text: string): ApiError {
    const error = errorOf(status, parsed(text), text);
    if (error.status === 401) this.onUnauthorized(error);
    return error;
  }
}

/** An answer's JSON, or undefined for an empty or non-JSON body. */
function parsed(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error of a failed answer, whichever of the server's two shapes it came in. */
function errorOf(status: number, json: unknown, text: string): ApiError {
  const body = (json ?? {}) as { error?: unknown; code?: unknown };
  if (typeof body.error === 'string') return new ApiError(status, typeof body.code === 'string' ? body.code : `HTTP_${status}`, body.error);
  if (body.error !== null && typeof body.error === 'object') {
    const { code, message } = body.error as { code?: unknown; message?: unknown };
    return new ApiError(status, typeof code === 'string' ? code : `HTTP_${status}`, typeof message === 'string' ? message : text);
  }
  return new ApiError(status, `HTTP_${status}`, text.slice(0, 300) || `the server answered ${status}`);
}

/** What went wrong, in words for a person: a sentence per code the pages meet, then the server's own message. */
const WORDS: Record<string, string> = {
  NETWORK: 'The server cannot be reached.',
  FV_ERR_UNAUTHORIZED: 'The server refused the API key.',
  FV_ERR_NO_FACE: 'No face was found in the photo.',
  FV_ERR_MULTIPLE_FACES: 'The photo shows several faces where one was expected.',
  FV_ERR_IMAGE_DECODE: 'The file is not a readable image.',
  FV_ERR_IMAGE_INPUT: 'The file could not be sent as an image.',
  FV_ERR_IMAGE_TOO_LARGE: 'The image is too large for the server.',
  FV_ERR_PAYLOAD_TOO_LARGE: 'The request is too large for the server.',
  FV_ERR_SUBJECT_NAME: 'That subject name cannot be used.',
  FV_ERR_SUBJECT_NOT_FOUND: 'That subject is not in the gallery (any more).',
  FV_ERR_RECORD_NOT_FOUND: 'That stored face is not in the gallery.',
  FV_ERR_INDEX_NOT_FOUND: 'That index does not exist (any more).',
  FV_ERR_OVERLOADED: 'The server is busy with other images; try again in a moment.',
  FV_ERR_STORE_UNAVAILABLE: 'The server cannot reach its vector store; try again later.',
  FV_ERR_MODEL_LOAD: 'The server could not load its face models.',
  FV_ERR_CLOSED: 'The server is shutting down.',
  FV_ERR_STORAGE_FULL: "The server's disk is full: nothing was saved.",
  FV_ERR_INVALID_ARGUMENT: 'The server did not accept the request.',
  FV_ERR_INTERNAL: 'The server failed unexpectedly.',
};

/** A short reason for an enrollment failure, as the enroll summary groups them. */
export function reasonOf(error: unknown): string {
  if (!(error instanceof ApiError)) return 'failed';
  switch (error.code) {
    case 'FV_ERR_NO_FACE':
      return 'no face';
    case 'FV_ERR_MULTIPLE_FACES':
      return 'several faces';
    case 'FV_ERR_IMAGE_DECODE':
    case 'FV_ERR_IMAGE_INPUT':
      return 'unreadable';
    case 'FV_ERR_IMAGE_TOO_LARGE':
    case 'FV_ERR_PAYLOAD_TOO_LARGE':
      return 'too large';
    default:
      return 'failed';
  }
}

/** A failure in words: the sentence for its code and, when it adds something, the server's message. */
export function describe(error: unknown): { sentence: string; detail: string | undefined } {
  if (error instanceof ApiError) {
    const sentence = WORDS[error.code] ?? `The server answered ${error.status}.`;
    return { sentence, detail: error.message && error.message !== sentence ? `${error.message} (${error.code})` : undefined };
  }
  return { sentence: 'Something went wrong in the page.', detail: error instanceof Error ? error.message : String(error) };
}

/** Path segment: every subject, gallery and index name is encoded where it lands in a URL. */
export const seg = encodeURIComponent;
