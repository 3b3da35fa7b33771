/**
 * The Pinecone API version a request speaks, from its `X-Pinecone-Api-Version` header: the
 * official client 8.x sends 2026-04, 9.x sends 2026-07, whose control plane has other shapes.
 * Routes whose shapes differ are registered once per version, the 2026-07 one with the route
 * constraint {@link API_VERSION_CONSTRAINT}, so each version has its own schemas.
 */
import type { FastifyInstance } from 'fastify';

export const API_VERSIONS = ['2026-04', '2026-07'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** Served when the header is absent or names an older version (2025-10 and earlier share 2026-04's index shapes). */
const DEFAULT_VERSION: ApiVersion = '2026-04';

/**
 * The version whose shapes answer a request: the newest served that is not newer than the one
 * asked for (versions are dates, so they compare as text).
 * @example apiVersionOf('2026-07') // → '2026-07'
 * @example apiVersionOf('2027-01') // → '2026-07'
 * @example apiVersionOf(undefined) // → '2026-04'
 */
export function apiVersionOf(header: string | string[] | undefined): ApiVersion {
  const asked = Array.isArray(header) ? header[0] : header;
  if (asked === undefined) return DEFAULT_VERSION;
  return [...API_VERSIONS].reverse().find((version) => version <= asked) ?? DEFAULT_VERSION;
}

type ConstraintStrategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];

/** Route constraint name: `constraints: { [API_VERSION_CONSTRAINT]: '2026-07' }`. */
export const API_VERSION_CONSTRAINT = 'pineconeApiVersion';

/**
 * Routes constrained to a version take the requests of that version; other requests fall
 * through to the route registered without the constraint (2026-04's).
 */
const strategy: ConstraintStrategy = {
  name: API_VERSION_CONSTRAINT,
  mustMatchWhenDerived: false,
  storage() {
    const handlers = new Map<unknown, unknown>();
    return {
      get: (version) => (handlers.get(version) ?? null) as never,
      set: (version, handler) => void handlers.set(version, handler),
    };
  },
  deriveConstraint: (request) => apiVersionOf(request.headers['x-pinecone-api-version']),
};

/** Makes the constraint available to routes; idempotent (the router is shared by every plugin). */
export function installApiVersionConstraint(app: FastifyInstance): void {
  if (!app.hasConstraintStrategy(API_VERSION_CONSTRAINT)) app.addConstraintStrategy(strategy);
}
