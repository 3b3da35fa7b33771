/**
 * JSON text of the data-plane responses that carry vector values (fetch, fetch by metadata,
 * query with includeValues), written by hand so that values go out in their shortest float32
 * form ({@link float32ArrayJson}) straight from the store's Float32Arrays, with no array of
 * doubles in between. Field order and names are those of the response schemas in
 * `pinecone-schemas.ts`, which document these routes.
 */
import type { FastifySerializerCompiler } from 'fastify';
import type { RecordMetadata } from '../stores/vector-store.js';
import { float32ArrayJson } from './float32-json.js';

export interface Usage {
  readonly readUnits: number;
}

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

/**
 * @example fetchJson({ records: [{ id: 'a', values: Float32Array.of(0.5, 0.4) }], namespace: 'ns', usage: { readUnits: 1 } })
 *   // → '{"vectors":{"a":{"id":"a","values":[0.5,0.4]}},"namespace":"ns","usage":{"readUnits":1}}'
 */
export function fetchJson({ records, namespace, usage, next }: FetchPayload): string {
  let text = '{"vectors":{';
  for (let i = 0; i < records.length; i++) {
    const { id, values, metadata } = records[i] as RecordPayload;
    const key = JSON.stringify(id);
    text += `${i === 0 ? '' : ','}${key}:{"id":${key},"values":${float32ArrayJson(values)}${metadataJson(metadata)}}`;
  }
  text += `},"namespace":${JSON.stringify(namespace)},${usageJson(usage)}`;
  return `${text}${next === undefined ? '' : `,"pagination":{"next":${JSON.stringify(next)}}`}}`;
}

/**
 * @example queryJson({ matches: [{ id: 'a', score: 0.5 }], namespace: '__default__', usage: { readUnits: 1 } })
 *   // → '{"matches":[{"id":"a","score":0.5}],"namespace":"__default__","usage":{"readUnits":1}}'
 */
export function queryJson({ matches, namespace, usage }: QueryPayload): string {
  let text = '{"matches":[';
  for (let i = 0; i < matches.length; i++) {
    const { id, score, values, metadata } = matches[i] as MatchPayload;
    text += `${i === 0 ? '' : ','}{"id":${JSON.stringify(id)},"score":${JSON.stringify(score)}${values ? `,"values":${float32ArrayJson(values)}` : ''}${metadataJson(metadata)}}`;
  }
  return `${text}],"namespace":${JSON.stringify(namespace)},${usageJson(usage)}}`;
}

function metadataJson(metadata: RecordMetadata | undefined): string {
  return metadata === undefined ? '' : `,"metadata":${JSON.stringify(metadata)}`;
}

function usageJson({ readUnits }: Usage): string {
  return `"usage":{"readUnits":${readUnits}}`;
}

/** A route's `serializerCompiler` that writes its success response with `write` (errors keep the default serializer). */
export function serializeWith<T>(write: (payload: T) => string): FastifySerializerCompiler<unknown> {
  return () => (payload) => write(payload as T);
}
