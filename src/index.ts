/**
 * facevault — self-hosted face recognition with its own vector database.
 *
 * Three layers, each usable alone: the vector database (`openDatabase`, Pinecone-shaped), the face
 * pipeline (`FacePipeline`), and recognition (`Gallery` over a `VectorStore`, `openEmbeddedStore`).
 */
export * from './errors.js';
export * from './vector/types.js';
export { openDatabase, Database } from './vector/database.js';
export type { DatabaseOptions } from './vector/database.js';
export { VectorIndex } from './vector/vector-index.js';
export * from './face/index.js';
export { openEmbeddedStore, EmbeddedStore } from './stores/embedded-store.js';
export type { EmbeddedStoreOptions } from './stores/embedded-store.js';
export type {
  VectorStore,
  StoreIndex,
  StoreRecord,
  StoreMatch,
  StoreQuery,
  IndexSpec,
  IndexSettings,
  IndexInfo,
  IndexChanges,
  HnswParameters,
  RecordInput,
  IndexStatistics,
  ListPage,
  ListedRecord,
  RecordSelector,
  UpdateSelector,
  NamespaceInfo,
  DeleteOptions,
} from './stores/vector-store.js';
// PostgreSQL and Pinecone load their clients only when openStore meets their scheme.
export { openStore, storeKindOf } from './stores/open-store.js';
export type { OpenStoreOptions } from './stores/open-store.js';
export type { PostgresStore, PostgresStoreOptions } from './stores/postgres/postgres-store.js';
export type { PineconeStore, PineconeStoreOptions } from './stores/pinecone/pinecone-store.js';
export { Gallery, DEFAULT_GALLERY, galleryIndexName } from './recognition/gallery.js';
export type * from './recognition/gallery.js';
export { enrollSources } from './recognition/enroll-sources.js';
export type { EnrollItem } from './recognition/enroll-sources.js';
