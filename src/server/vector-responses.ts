/**
 * JSON of the data-plane responses that carry vector values (fetch, fetch by metadata, query
 * with includeValues), written by hand so that values go out in their shortest float32 form
 * ({@link JsonBytes.float32Array}) straight from the store's Float32Arrays to the response's
 * bytes, with no array of doubles or string per number in between. Field order and names are those of the response schemas in
 * `pinecone-schemas.ts`, which document these routes.
 */
import type { FastifySerializerCompiler } from 'fastify';
import type { RecordMetadata } from '../stores/vector-store.js';
import type { Usage } from '../vector/types.js';
import { JsonBytes } from './float32-json.js';


/** A record as fetch returns it. */
export interface RecordPayload {
  readonly id: string;
  readonly values: Float32Array;
  readonly metadata?: RecordMetadata;
}

/** `POST /vectors/fetch` and `/vectors/fetch_by_metadata` (which adds `pagination`). */
export interface FetchPayload {
  readonly records: readonly RecordPayload[];
  readonly namespace: string;
  readonly usage: Usage;
  readonly next?: string;
}

export interface MatchPayload {
  readonly id: string;
  readonly score: number;
  readonly values?: Float32Array;
  readonly metadata?: RecordMetadata;
}

/** `POST /query`. */
export interface QueryPayload {
  readonly matches: readonly MatchPayload[];
  readonly namespace: string;
  readonly usage: Usage;
}

/** Bytes to reserve per value: most float32s take 10-11 characters and a comma. */
const BYTES_PER_VALUE = 12;

/**
 * @example fetchJson({ records: [{ id: 'a', values: Float32Array.of(0.5, 0.4) }], namespace: 'ns', usage: { readUnits: 1 } }).toString()
 *   // → '{"vectors":{"a":{"id":"a","values":[0.5,0.4]}},"namespace":"ns","usage":{"readUnits":1}}'
 */
export function fetchJson({ records, namespace, usage, next }: FetchPayload): Buffer {
  const out = new JsonBytes(1024 + records.reduce((bytes, record) => bytes + 256 + record.values.length * BYTES_PER_VALUE, 0)).raw('{"vectors":{');
  for (let i = 0; i < records.length; i++) {
    const { id, values, metadata } = records[i] as RecordPayload;
    const key = JSON.stringify(id);
    out.raw(`${i === 0 ? '' : ','}${key}:{"id":${key},"values":`).float32Array(values);
    if (metadata !== undefined) out.raw(',"metadata":').json(metadata);
    out.raw('}');
  }
  out.raw('},"namespace":').json(namespace).raw(usageJson(usage));
  if (next !== undefined) out.raw(',"pagination":{"next":').json(next).raw('}');
  return out.raw('}').toBuffer();
}

/**
 * @example queryJson({ matches: [{ id: 'a', score: 0.5 }], namespace: '__default__', usage: { readUnits: 1 } }).toString()
 *   // → '{"matches":[{"id":"a","score":0.5}],"namespace":"__default__","usage":{"readUnits":1}}'
 */
export function queryJson({ matches, namespace, usage }: QueryPayload): Buffer {
  const out = new JsonBytes(1024 + matches.reduce((bytes, match) => bytes + 256 + (match.values?.length ?? 0) * BYTES_PER_VALUE, 0)).raw('{"matches":[');
  for (let i = 0; i < matches.length; i++) {
    const { id, score, values, metadata } = matches[i] as MatchPayload;
    out.raw(`${i === 0 ? '' : ','}{"id":`).json(id).raw(',"score":').json(score);
    if (values !== undefined) out.raw(',"values":').float32Array(values);
    if (metadata !== undefined) out.raw(',"metadata":').json(metadata);
    out.raw('}');
  }
  return out.raw('],"namespace":').json(namespace).raw(usageJson(usage)).raw('}').toBuffer();
}

function usageJson({ readUnits }: Usage): string {
  return `,"usage":{"readUnits":${readUnits}}`;
}

/**
 * A route's `serializerCompiler` that writes its success response with `write` (errors keep the
 * default serializer). fastify sends a Buffer as it is, although its types say string.
 */
export function serializeWith<T>(write: (payload: T) => Buffer): FastifySerializerCompiler<unknown> {
  return () => (payload) => write(payload as T) as unknown as string;
}
