/**
 * Route schemas are written once in zod: TypeScript types come from `z.infer`, and the JSON
 * Schema that fastify validates requests with (ajv), serialises responses with
 * (fast-json-stringify) and publishes in `/openapi.json` comes from {@link toJsonSchema}.
 */
import type { FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

declare module 'fastify' {
  /** OpenAPI annotations carried by each route's schema; fastify ignores them, /openapi.json reads them. */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    operationId?: string;
    /** Media type of the responses when not JSON. */
    produces?: readonly string[];
  }
}

/** A route's documentation and the zod schemas of its parts. */
export interface RouteDoc {
  summary: string;
  description?: string;
  tags: readonly string[];
  operationId: string;
  body?: z.ZodType;
  querystring?: z.ZodType;
  params?: z.ZodType;
  headers?: z.ZodType;
  /** Schema of the success response by status; null: no body. */
  response: Readonly<Record<number, z.ZodType | null>>;
  produces?: readonly string[];
}

/** The fastify route schema of a documented route: JSON Schema for each part, annotations kept for OpenAPI. */
export function routeSchema(doc: RouteDoc): FastifySchema {
  const { body, querystring, params, headers, response, ...annotations } = doc;
  return {
    ...annotations,
    ...(body ? { body: toJsonSchema(body, 'input') } : {}),
    ...(querystring ? { querystring: toJsonSchema(querystring, 'input') } : {}),
    ...(params ? { params: toJsonSchema(params, 'input') } : {}),
    ...(headers ? { headers: toJsonSchema(headers, 'input') } : {}),
    response: Object.fromEntries(
      Object.entries(response).map(([status, schema]) => [status, schema ? toJsonSchema(schema, 'output') : { type: 'null', description: 'No body' }]),
    ),
  };
}

/**
 * JSON Schema (draft-07, the dialect fastify's ajv speaks) of a zod schema.
 * `input` describes what a request may send (defaults make fields optional); `output` what a
 * response holds.
 * @example toJsonSchema(z.object({ topK: z.number().int() }), 'input')
 *   // → { type: 'object', properties: { topK: { type: 'integer', ... } }, required: ['topK'] }
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/**
 * Query strings carry text only: `limit=5` arrives as "5" and a single `ids=a` as "a" rather than
 * ["a"]. This turns such values into the types the route's querystring schema declares, so that
 * the schema can state the real types while ajv runs without type coercion (coercion would also
 * turn a JSON body's `null` into 0 inside a vector).
 */
export function coerceQuerystring(request: FastifyRequest): void {
  const schema = request.routeOptions.schema?.querystring as JsonSchema | undefined;
  const properties = schema?.properties as Record<string, JsonSchema> | undefined;
  const query = request.query as Record<string, unknown> | undefined;
  if (!properties || !query) return;
  for (const [name, property] of Object.entries(properties)) {
    const value = query[name];
    if (typeof value !== 'string') continue;
    if ((property.type === 'integer' || property.type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) query[name] = Number(value);
    else if (property.type === 'array') query[name] = [value];
  }
}
