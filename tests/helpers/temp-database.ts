/** An embedded database in a fresh directory for each test of the enclosing `describe`. */
import { afterEach, beforeEach } from 'vitest';
import { openDatabase, type Database } from '../../src/vector/database.js';
import { makeTempDir } from './temp-dir.js';

export interface TempDatabase {
  /** The open database of the running test. */
  readonly db: Database;
  /** Its directory, for tests that read the files. */
  readonly dir: string;
  /** Opens the directory again, as after a restart; the caller closes the current one first. */
  reopen(): Promise<Database>;
}

/**
 * Registers the per-test set-up and tear-down and returns the running test's database.
 * @example const temp = useTempDatabase(); it('…', async () => { await temp.db.createIndex(…); });
 */
export function useTempDatabase(): TempDatabase {
  let tmp: ReturnType<typeof makeTempDir> | undefined;
  let db: Database | undefined;
  beforeEach(async () => {
    tmp = makeTempDir();
    db = await openDatabase(tmp.dir);
  });
  afterEach(async () => {
    await db?.close();
    tmp?.cleanup();
    db = undefined;
    tmp = undefined;
  });
  const current = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTempDatabase: used outside a test');
    return value;
  };
  return {
    get db() {
      return current(db);
    },
    get dir() {
      return current(tmp).dir;
    },
    async reopen() {
      db = await openDatabase(current(tmp).dir);
      return db;
    },
  };
}
