/**
 * The face side of the server as one plugin: DeepFace's routes and the gallery resource routes,
 * which alone accept multipart forms (the Pinecone routes stay JSON-only). Needs the root to be
 * decorated with `faces` (a FaceService); stops its pipeline when the server closes.
 */
import type { FastifyPluginAsync } from 'fastify';
import { acceptMultipartForms } from './face-input.js';
import { faceRoutes } from './face-routes.js';
import { galleryRoutes } from './gallery-routes.js';

export const faceApi: FastifyPluginAsync = async (app) => {
  await acceptMultipartForms(app);
  app.addHook('onClose', () => app.faces.close());
  await app.register(faceRoutes);
  await app.register(galleryRoutes);
};
