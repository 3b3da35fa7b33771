/** `facevault` as a child process (the CLI from source through tsx), with its JSON log lines and the URL it serves at. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

export interface FacevaultProcess {
  readonly child: ChildProcess;
  /** Every JSON line printed on stdout so far. */
  readonly lines: Record<string, unknown>[];
  /** The URL, once the server logs 'facevault is serving'; rejects if the process exits first. */
  readonly serving: Promise<string>;
  /** The exit code (null when ended by a signal). */
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/** Runs `facevault ARGS` with only PATH and `env` in its environment. */
export function facevault(args: string[], env: Record<string, string> = {}): FacevaultProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const serving = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'facevault is serving') resolve(entry.url as string);
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  serving.catch(() => undefined); // a run expected to fail never awaits it
  return { child, lines, serving, exited, stderr: () => stderr };
}
