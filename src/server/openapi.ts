/**
 * `GET /openapi.json`: an OpenAPI 3.1 document of every route, generated from the route schemas
 * themselves (collected as routes are added), so the document cannot drift from what the server
 * validates and returns.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { toJsonSchema, type JsonSchema } from './json-schema.js';
import { ErrorResponse } from './pinecone-schemas.js';

interface CollectedRoute {
  method: string;
  url: string;
  schema: FastifySchema;
  isPublic: boolean;
}

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; description: string };

/**
 * Collects every route added after this call (so call it before registering routes) and serves
 * the document built from them, built once on first request.
 */
export function installOpenApi(app: FastifyInstance): void {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // fastify adds HEAD for each GET by itself; it is not part of the API.
      if (method === 'HEAD' || !route.schema) continue;
      routes.push({ method: method.toLowerCase(), url: route.url, schema: route.schema, isPublic: route.config?.public === true });
    }
  });

  let document: JsonSchema | undefined;
  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This document',
        operationId: 'openapi',
        tags: ['operations'],
        response: { 200: toJsonSchema(z.record(z.string(), z.unknown()), 'output') },
      },
    },
    async () => (document ??= buildDocument(routes)),
  );
}

function buildDocument(routes: readonly CollectedRoute[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'facevault',
      version: PACKAGE.version,
      description:
        `${PACKAGE.description}\n\nThe control plane (/indexes) and each index's data plane (/indexes/{indexName}/...) follow Pinecone's REST API 2026-04 (official client 8.x) and, ` +
        'where the header X-Pinecone-Api-Version names 2026-07 or later (client 9.x), that version\'s control-plane shapes (documented here in 2026-04\'s), ' +
        'so the official Pinecone clients work unchanged; facevault extensions are marked as such.',
    },
    components: {
      securitySchemes: { ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'Api-Key' } },
      schemas: { ErrorResponse: toJsonSchema(ErrorResponse, 'output') },
    },
    security: [{ ApiKeyAuth: [] }],
    paths,
  };
}

function operation({ schema, isPublic }: CollectedRoute): Record<string, unknown> {
  const parameters = [
    ...parametersOf(schema.params, 'path'),
    ...parametersOf(schema.querystring, 'query'),
    ...parametersOf(schema.headers, 'header'),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, body] of Object.entries((schema.response ?? {}) as Record<string, JsonSchema>)) {
    const mediaType = schema.produces?.[0] ?? 'application/json';
    const description = status.startsWith('4') || status.startsWith('5') ? 'Error' : 'Success';
    responses[status] = body.type === 'null' ? { description: String(body.description ?? 'No body') } : { description, content: { [mediaType]: { schema: body } } };
  }
  const error = { description: "Pinecone's error shape", content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } };
  responses['4XX'] ??= error;
  responses['5XX'] ??= error;
  return {
    operationId: schema.operationId,
    summary: schema.summary,
    ...(schema.description ? { description: schema.description } : {}),
    tags: schema.tags,
    ...(isPublic ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } } : {}),
    responses,
  };
}

function parametersOf(schema: unknown, location: 'path' | 'query' | 'header'): Record<string, unknown>[] {
  const object = schema as JsonSchema | undefined;
  const properties = (object?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object?.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
}
