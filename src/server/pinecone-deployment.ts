/**
 * Where a Pinecone client asked an index to live, in both API versions' shapes. Stores keep it
 * as the opaque {@link IndexInfo.deployment}, always in API 2026-04's `spec` shape (as clients
 * send it, snake_case: `{ serverless: { cloud, region, read_capacity } }`, `{ pod: {...} }`,
 * `{ byoc: {...} }`) — the shape the Pinecone store forwards to Pinecone. API 2026-07 splits the
 * same facts into `deployment` (`{ deployment_type: 'managed' | 'pod' | 'byoc', ... }`) and a
 * top-level `read_capacity`; this module converts both ways.
 *
 * A facevault index runs in this process whatever the spec says; it is recorded and reported
 * back so that clients reading it see what they wrote.
 */
import type { IndexInfo } from '../stores/vector-store.js';
import { fvError } from '../errors.js';

export type PineconeSpec = Readonly<Record<string, unknown>>;
type Settings = Readonly<Record<string, unknown>>;

/** What an index created without a spec (by the library, the CLI or the face routes) reports. */
const LOCAL_SPEC: PineconeSpec = { serverless: { cloud: 'aws', region: 'local' } };

/** Pinecone's read capacity of a serverless index created without one. */
const ON_DEMAND: Settings = { mode: 'OnDemand' };

/** The kinds of deployment, by their 2026-04 `spec` key and their 2026-07 `deployment_type`. */
const KINDS = { serverless: 'managed', pod: 'pod', byoc: 'byoc' } as const;
type SpecKind = keyof typeof KINDS;

/** The stored spec, or the one an index created without a spec reports. */
export function specOf(index: IndexInfo): PineconeSpec {
  return index.deployment ?? LOCAL_SPEC;
}

/** The one kind (serverless, pod or byoc) of a stored spec and its settings. */
function kindOf(spec: PineconeSpec): { kind: SpecKind; settings: Settings } {
  for (const kind of Object.keys(KINDS) as SpecKind[]) {
    const settings = spec[kind];
    if (isObject(settings)) return { kind, settings };
  }
  return { kind: 'serverless', settings: LOCAL_SPEC.serverless as Settings };
}

/**
 * A spec as API 2026-04 reports it: as stored, with the read capacity of a serverless or BYOC
 * index filled in as Pinecone reports it (`{ mode: 'OnDemand', status: { state: 'Ready' } }` when
 * none was asked for).
 */
export function reportedSpec(index: IndexInfo): PineconeSpec {
  const spec = specOf(index);
  const { kind, settings } = kindOf(spec);
  if (kind === 'pod') return spec;
  return { ...spec, [kind]: { ...settings, read_capacity: reportedReadCapacity(settings.read_capacity) } };
}

/** A read capacity with the status Pinecone adds to it: ready, with the replicas and shards asked for. */
function reportedReadCapacity(asked: unknown): Settings {
  const capacity = isObject(asked) ? asked : ON_DEMAND;
  if (isObject(capacity.status)) return capacity;
  const manual = isObject(capacity.dedicated) && isObject(capacity.dedicated.manual) ? capacity.dedicated.manual : undefined;
  const current = manual ? { current_replicas: manual.replicas, current_shards: manual.shards } : {};
  return { ...capacity, status: { state: 'Ready', ...current } };
}

/** API 2026-07's view of a stored spec: `deployment`, `read_capacity` (not for pods) and the legacy metadata fields. */
export function deploymentOf(index: IndexInfo): { deployment: Settings; read_capacity?: Settings; metadataFields: Settings } {
  const { kind, settings } = kindOf(specOf(index));
  const { read_capacity: readCapacity, schema, source_collection: _collection, pods: _pods, metadata_config: _metadataConfig, ...rest } = settings;
  const metadataFields = isObject(schema) && isObject(schema.fields) ? schema.fields : {};
  const deployment = { deployment_type: KINDS[kind], ...rest };
  return kind === 'pod' ? { deployment, metadataFields } : { deployment, read_capacity: reportedReadCapacity(readCapacity), metadataFields };
}

/**
 * The spec to store for an API 2026-07 create request's `deployment` and `read_capacity`.
 * @throws FV_ERR_INVALID_ARGUMENT when the deployment lacks a field its type needs.
 */
export function specOfDeployment(deployment: { deployment_type: 'managed' | 'byoc'; cloud?: string; region?: string; environment?: string } | undefined, readCapacity: Settings | undefined): PineconeSpec | undefined {
  if (deployment === undefined && readCapacity === undefined) return undefined;
  const capacity = readCapacity === undefined ? {} : { read_capacity: readCapacity };
  if (deployment === undefined) return { serverless: { ...(LOCAL_SPEC.serverless as Settings), ...capacity } };
  const required = deployment.deployment_type === 'managed' ? (['cloud', 'region'] as const) : (['environment'] as const);
  for (const field of required) {
    if (deployment[field] === undefined) throw fvError('FV_ERR_INVALID_ARGUMENT', `deployment.${field}: is required for a ${deployment.deployment_type} deployment`, { path: `deployment.${field}` });
  }
  const { deployment_type: type, ...settings } = deployment;
  return { [type === 'managed' ? 'serverless' : 'byoc']: { ...settings, ...capacity } };
}

/**
 * A 2026-04 configure request's `spec` applied to the stored spec: single settings (pod
 * replicas or type, read capacity) of the index's own kind change.
 * @throws FV_ERR_INVALID_ARGUMENT for settings of another kind (pod replicas on a serverless index).
 */
export function configuredSpec(index: IndexInfo, change: Readonly<Record<string, Settings>>): PineconeSpec {
  const spec = specOf(index);
  const { kind, settings } = kindOf(spec);
  let merged = settings;
  for (const [changedKind, changed] of Object.entries(change)) {
    if (changedKind !== kind) throw otherKind(changedKind, kind, `spec.${changedKind}`);
    merged = { ...merged, ...changed };
  }
  return { ...spec, [kind]: merged };
}

/**
 * A 2026-07 configure request's `deployment` (pod replicas and type) and `read_capacity` applied to the stored spec.
 * @throws FV_ERR_INVALID_ARGUMENT for pod settings on an index that is not a pod index, or read capacity on a pod index.
 */
export function patchedSpec(index: IndexInfo, patch: { deployment?: { replicas?: number; pod_type?: string }; read_capacity?: Settings }): PineconeSpec {
  const { kind } = kindOf(specOf(index));
  if (patch.deployment !== undefined && kind !== 'pod') throw otherKind('pod', kind, 'deployment');
  if (patch.read_capacity !== undefined && kind === 'pod') throw otherKind('serverless', kind, 'read_capacity');
  return configuredSpec(index, { [kind]: { ...patch.deployment, ...(patch.read_capacity === undefined ? {} : { read_capacity: patch.read_capacity }) } });
}

function otherKind(asked: string, kind: SpecKind, path: string) {
  const what = asked === 'pod' ? 'replicas and pod type' : `${asked} settings`;
  return fvError('FV_ERR_INVALID_ARGUMENT', `${path}: Configuring ${what} is not supported for ${kind} indexes; this index was created with a ${kind} spec`, { path, kind });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
