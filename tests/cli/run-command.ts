import { Command } from 'commander';
import * as demo from '../../src/cli/demo.js';
import * as enroll from '../../src/cli/enroll.js';
import * as identify from '../../src/cli/identify.js';
import * as subjects from '../../src/cli/subjects.js';

/** Runs a gallery command in this process (the face models load in a worker as they would), capturing stdout and the exit code. */
export async function runCommand(args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command('facevault').exitOverride();
  for (const command of [enroll, identify, subjects, demo]) command.register(program);
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stdout.write;
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'facevault', ...args]);
    return { stdout, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = write;
    process.exitCode = 0;
  }
}
