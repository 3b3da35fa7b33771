/**
 * The face side of the server as one plugin: DeepFace's routes and the gallery resource routes,
 * which alone accept multipart forms (the Pinecone routes stay JSON-only). Needs the root to be
 * decorated with `faces` (a FaceService); stops its pipeline when the server closes.
 */
import type { FastifyPluginAsync } from 'fastify';
import { toJsonSchema } from './json-schema.js';
import { installFaceErrorHandling } from './errors.js';
import { acceptMultipartForms } from './face-input.js';
import { faceRoutes } from './face-routes.js';
import { FaceErrorResponse } from './face-schemas.js';
import { galleryRoutes } from './gallery-routes.js';

export const faceApi: FastifyPluginAsync = async (app) => {
  installFaceErrorHandling(app);
  // Every face route declares the face error shape, so /openapi.json documents it (in place: the
  // document collects each route's schema object when the route is added).
  const errorSchema = toJsonSchema(FaceErrorResponse, 'output');
  app.addHook('onRoute', (route) => {
    if (route.schema) route.schema.response = Object.assign((route.schema.response ?? {}) as object, { '4XX': errorSchema, '5XX': errorSchema });
  });
  await acceptMultipartForms(app);
  app.addHook('onClose', () => app.faces.close());
  await app.register(faceRoutes);
  await app.register(galleryRoutes);
};
