/**
 * What differs between the API versions of the control plane: the shapes of a create and a
 * configure request and of an index, and how each maps to the store's {@link IndexSettings},
 * {@link IndexChanges} and {@link IndexInfo}. The routes (`pinecone-control.ts`) are written once
 * over this interface; each version is one object (`pinecone-control-2026-04.ts`, `-2026-07.ts`).
 */
import type { z } from 'zod';
import { fvError } from '../errors.js';
import type { IndexChanges, IndexInfo, IndexSettings } from '../stores/vector-store.js';
import { ENGINES, type Engine } from '../vector/types.js';
import type { ApiVersion } from './pinecone-api-version.js';
import type { PineconeSpec } from './pinecone-deployment.js';

export interface ControlDialect<Create, Configure> {
  readonly version: ApiVersion;
  readonly schemas: { readonly create: z.ZodType; readonly configure: z.ZodType; readonly model: z.ZodType; readonly list: z.ZodType };
  /** @throws FV_ERR_UNSUPPORTED for what facevault does not offer; FV_ERR_INDEX_CONFIG, FV_ERR_INVALID_ARGUMENT */
  settings(body: Create): IndexSettings;
  /**
   * The changes a configure request asks for; `current` reads the index, needed only to change
   * its deployment.
   * @throws FV_ERR_UNSUPPORTED, FV_ERR_INVALID_ARGUMENT (also when there is nothing to change)
   */
  changes(body: Configure, current: () => Promise<IndexInfo>): Promise<IndexChanges>;
  /** The index as this version describes it; `host` is the URL of its data plane. */
  model(index: IndexInfo, host: string): object;
}

/** The fields both versions' create requests share. */
interface CommonCreate {
  name: string;
  deletion_protection?: 'enabled' | 'disabled' | undefined;
  tags?: Record<string, string> | undefined;
  engine?: Engine | undefined;
}

/** Settings of a create request, from the fields both versions share and those each version locates differently. */
export function createSettings(body: CommonCreate, located: { dimension: number; metric: IndexSettings['metric']; deployment: PineconeSpec | undefined }): IndexSettings {
  return {
    name: body.name,
    dimension: located.dimension,
    metric: located.metric,
    engine: engineSetting(body.engine, body.tags) ?? 'exact',
    ...(body.deletion_protection ? { deletionProtection: body.deletion_protection } : {}),
    tags: body.tags ?? {},
    ...(located.deployment ? { deployment: located.deployment } : {}),
  };
}

/**
 * Changes of a configure request, from the fields both versions share and the deployment each
 * version changes its own way.
 * @throws FV_ERR_INVALID_ARGUMENT when the request changes nothing
 */
export function configureChanges(body: Omit<CommonCreate, 'name'>, deployment: PineconeSpec | undefined, versionFields: string): IndexChanges {
  const engine = engineSetting(body.engine, body.tags);
  const changes: IndexChanges = {
    ...(body.deletion_protection ? { deletionProtection: body.deletion_protection } : {}),
    ...(engine ? { engine } : {}),
    ...(body.tags && Object.keys(body.tags).length > 0 ? { tags: body.tags } : {}),
    ...(deployment ? { deployment } : {}),
  };
  if (Object.keys(changes).length === 0) throw fvError('FV_ERR_INVALID_ARGUMENT', `body: nothing to configure; give deletion_protection, tags, engine or ${versionFields}`);
  return changes;
}

/** Pinecone reports tags only when an index has some. */
export function tagsOrNone(index: IndexInfo): Record<string, string> | undefined {
  return Object.keys(index.tags).length > 0 ? { ...index.tags } : undefined;
}

/**
 * The engine may come as facevault's `engine` field or as `tags.engine`, because the official
 * client drops fields its models do not know. The tags themselves are kept exactly as given.
 * @throws FV_ERR_INDEX_CONFIG for an unknown engine or two that disagree.
 */
function engineSetting(engine: Engine | undefined, tags: Record<string, string> | undefined): Engine | undefined {
  const tagged = tags?.engine;
  if (tagged === undefined || tagged === '') return engine;
  if (!(ENGINES as readonly string[]).includes(tagged)) {
    throw fvError('FV_ERR_INDEX_CONFIG', `tags.engine: got "${tagged}"; allowed: ${ENGINES.join(', ')}`, { path: 'tags.engine' });
  }
  if (engine !== undefined && engine !== tagged) {
    throw fvError('FV_ERR_INDEX_CONFIG', `engine: "${engine}" contradicts tags.engine "${tagged}"; give one`, { path: 'engine' });
  }
  return tagged as Engine;
}

/** FV_ERR_UNSUPPORTED for a request field naming a feature facevault does not offer. */
export function unsupported(path: string, what: string): never {
  throw fvError('FV_ERR_UNSUPPORTED', `${path}: ${what}`, { path });
}
