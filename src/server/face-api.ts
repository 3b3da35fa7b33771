/**
 * The face side of the server as one plugin: DeepFace's routes and the gallery resource routes,
 * which alone accept forms (the Pinecone routes stay JSON-only). Needs the root to be decorated
 * with `faces` (a FaceService); stops its pipeline when the server closes.
 */
import type { FastifyPluginAsync } from 'fastify';
import { toJsonSchema } from './json-schema.js';
import { installFaceErrorHandling } from './errors.js';
import { acceptMultipartForms, MAX_IMAGE_BYTES } from './face-input.js';
import { parseLargeJsonOffThread } from './large-json.js';
import { faceRoutes } from './face-routes.js';
import { FaceErrorResponse } from './face-schemas.js';
import { galleryRoutes } from './gallery-routes.js';
import { ImageSources } from './image-sources.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where the face routes may read images from besides the request (paths, URLs): off unless configured. */
    imageSources: ImageSources;
  }
}

export interface FaceApiOptions {
  /** The folder images may be named from by path (`--images`); default none. */
  readonly imagesDir?: string;
  /** Hosts image URLs may be fetched from (`--allow-url-hosts`); default none. */
  readonly urlHosts?: readonly string[];
}

export const faceApi: FastifyPluginAsync<FaceApiOptions> = async (app, options) => {
  installFaceErrorHandling(app);
  app.decorate('imageSources', await ImageSources.create({ imagesDir: options.imagesDir, urlHosts: options.urlHosts, maxBytes: MAX_IMAGE_BYTES }));
  // Every face route declares the face error shape, so /openapi.json documents it (in place: the
  // document collects each route's schema object when the route is added).
  const errorSchema = toJsonSchema(FaceErrorResponse, 'output');
  app.addHook('onRoute', (route) => {
    if (route.schema) route.schema.response = Object.assign((route.schema.response ?? {}) as object, { '4XX': errorSchema, '5XX': errorSchema });
  });
  await acceptMultipartForms(app);
  parseLargeJsonOffThread(app, MAX_IMAGE_BYTES);
  app.addHook('onClose', () => app.faces.close());
  await app.register(faceRoutes);
  await app.register(galleryRoutes);
};
