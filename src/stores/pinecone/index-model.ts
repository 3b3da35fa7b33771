/**
 * An index as a Pinecone-compatible server describes it, read as an {@link IndexInfo}.
 *
 * Pinecone has one search engine, approximate, and no setting of it; a facevault server adds an
 * `engine` field (exact | approximate) to its index models, which the official client's typed
 * model drops, so it is read from the response's JSON. That field is also how this store knows
 * it talks to facevault, whose queries may choose `exact`.
 */
import type { IndexModel } from '@pinecone-database/pinecone';
import { isPlainObject } from '../../vector/input-shape.js';
import { ENGINES, type Engine, type Metric } from '../../vector/types.js';
import type { HnswParameters, IndexInfo } from '../vector-store.js';

/** Pinecone exposes no graph parameters: 0 means "not known", which no real setting is. */
const UNKNOWN_HNSW: HnswParameters = { m: 0, efConstruction: 0, efSearch: 0 };

export interface DescribedIndex {
  readonly info: IndexInfo;
  /** The data plane's URL. */
  readonly host: string;
  readonly ready: boolean;
  /** The server reports facevault's `engine` field. */
  readonly facevault: boolean;
}

/**
 * @param model as the client parsed it.
 * @param wire the same index model as JSON on the wire (for the fields the client drops).
 */
export function describedIndex(model: IndexModel, wire: unknown): DescribedIndex {
  const json = isPlainObject(wire) ? wire : {};
  const facevaultEngine = (ENGINES as readonly unknown[]).includes(json.engine) ? (json.engine as Engine) : undefined;
  const info: IndexInfo = {
    name: model.name,
    dimension: model.dimension ?? 0,
    // Pinecone's metrics are this interface's three.
    metric: model.metric as Metric,
    engine: facevaultEngine ?? 'approximate',
    hnsw: UNKNOWN_HNSW,
    deletionProtection: model.deletionProtection === 'enabled' ? 'enabled' : 'disabled',
    tags: { ...model.tags },
    // The wire spec, as the REST API takes it: the client's model renames its fields.
    ...(isPlainObject(json.spec) ? { deployment: json.spec } : {}),
    // Pinecone's index model has no creation time.
    createdAt: '',
  };
  return { info, host: model.host, ready: model.status.ready, facevault: facevaultEngine !== undefined };
}

/** The model of `name` in a list response's JSON. */
export function wireModelOf(listJson: unknown, name: string): unknown {
  const indexes = isPlainObject(listJson) && Array.isArray(listJson.indexes) ? (listJson.indexes as unknown[]) : [];
  return indexes.find((entry) => isPlainObject(entry) && entry.name === name);
}
