/**
 * The parts of the server's answers the page reads, as src/server/face-schemas.ts,
 * gallery-schemas.ts and pinecone-schemas.ts define them (GET /openapi.json has them all).
 */

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** POST /search: per face, DeepFace's rows (one per subject, nearest first) and the verdict. */
export interface SearchRow {
  readonly id: string;
  readonly img_name: string;
  readonly distance: number;
  readonly confidence: number;
  readonly threshold: number;
  readonly matches: number;
  readonly search_method: string;
}

export interface SearchIdentity {
  readonly verdict: 'known' | 'unknown';
  readonly img_name: string | null;
  readonly id: string | null;
  readonly distance: number | null;
  readonly confidence: number | null;
  readonly facial_area: Box;
  readonly face_confidence: number;
}

export interface SearchResponse {
  readonly results: readonly (readonly SearchRow[])[];
  readonly identities: readonly SearchIdentity[];
  readonly gallery: string;
  readonly model_name: string;
}

/** POST /register. */
export interface RegisterResponse {
  readonly inserted: number;
  readonly status: 'enrolled' | 'already-enrolled';
  readonly img_name: string;
  readonly ids: readonly string[];
}

/** POST /verify. */
export interface VerifyResponse {
  readonly verified: boolean;
  readonly distance: number;
  readonly threshold: number;
  readonly confidence: number;
  readonly model: string;
  readonly similarity_metric: string;
  readonly facial_areas: { readonly img1: Box | null; readonly img2: Box | null };
  readonly time: number;
}

/** GET /galleries. */
export interface GalleriesResponse {
  readonly galleries: readonly { readonly name: string; readonly model_name: string; readonly index: string; readonly faces: number }[];
}

/** GET /galleries/:gallery/subjects. */
export interface SubjectsResponse {
  readonly subjects: readonly { readonly subject: string; readonly faces: number }[];
}

/** PATCH and DELETE /galleries/:gallery/subjects/:subject. */
export interface SubjectChangeResponse {
  readonly subject: string;
  readonly faces: number;
}

/** GET /indexes (Pinecone's control plane, API 2026-04). */
export interface IndexList {
  readonly indexes: readonly { readonly name: string; readonly dimension: number; readonly metric: string; readonly engine?: string; readonly host: string }[];
}

/** POST /indexes/:name/describe_index_stats (Pinecone's data plane). */
export interface IndexStats {
  readonly namespaces: Readonly<Record<string, { readonly vectorCount: number }>>;
  readonly dimension: number;
  readonly indexFullness: number;
  readonly totalVectorCount: number;
}
