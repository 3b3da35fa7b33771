/** Messages between the server and its large-JSON thread (see large-json.ts). */

export interface ParseJob {
  job: number;
  /** The body's bytes (transferred). */
  body: Uint8Array<ArrayBuffer>;
  /** Top-level fields that may carry an image: those of at least `imageMinChars` are decoded in the thread. */
  imageFields: readonly string[];
  imageMinChars: number;
  /** Largest image, in bytes. */
  maxImageBytes: number;
}

/** Why a long string field is not an image the server takes. */
export type ImageRefusal = 'not-base64' | 'too-large';

export type ParseAnswer =
  | {
      job: number;
      ok: true;
      /** The body with every image field taken out. */
      fields: Record<string, unknown>;
      /** Decoded images by field name (their buffers transferred). */
      images: { field: string; bytes: Uint8Array<ArrayBuffer> }[];
    }
  | { job: number; ok: false; kind: 'json'; message: string }
  | { job: number; ok: false; kind: 'poisoning'; key: string }
  | { job: number; ok: false; kind: 'image'; field: string; reason: ImageRefusal; bytes?: number };
