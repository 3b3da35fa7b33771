/**
 * The `spec` a client gave when it created an index (serverless, pod or BYOC), kept so that
 * describe reports it back as Pinecone does. The engine has no use for it, so it lives beside
 * the database in `pinecone-specs.json`, keyed by index name and creation time: an index
 * recreated under the same name by another route (CLI, library) never inherits a stale spec.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type PineconeSpec = Record<string, unknown>;

/** What an index created without a spec (by the library or the CLI) reports. */
export const LOCAL_SPEC: PineconeSpec = Object.freeze({
  serverless: { cloud: 'aws', region: 'local', read_capacity: { mode: 'OnDemand', status: { state: 'Ready' } } },
});

interface Entry {
  createdAt: string;
  spec: PineconeSpec;
}

export class IndexSpecStore {
  private constructor(
    private readonly path: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** Reads `<dataDir>/pinecone-specs.json`; a missing or unreadable file starts empty (specs are cosmetic). */
  static open(dataDir: string): IndexSpecStore {
    const path = join(dataDir, 'pinecone-specs.json');
    let entries = new Map<string, Entry>();
    try {
      entries = new Map(Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, Entry>));
    } catch {
      // first start, or a damaged file: indexes then report LOCAL_SPEC
    }
    return new IndexSpecStore(path, entries);
  }

  specOf(name: string, createdAt: string): PineconeSpec {
    const entry = this.entries.get(name);
    return entry && entry.createdAt === createdAt ? entry.spec : LOCAL_SPEC;
  }

  set(name: string, createdAt: string, spec: PineconeSpec): void {
    this.entries.set(name, { createdAt, spec });
    this.save();
  }

  delete(name: string): void {
    if (this.entries.delete(name)) this.save();
  }

  /** Write-then-rename, so a crash leaves the old file or the new one, never half of one. */
  private save(): void {
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(this.entries), null, 2));
    renameSync(temporary, this.path);
  }
}
