#!/usr/bin/env node
/**
 * The `facevault` command. Each subcommand is a module with a `register(program)` function,
 * listed in COMMANDS; adding a command is adding a module and a line here.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { isFacevaultError } from '../errors.js';
import * as serve from './serve.js';
import * as enroll from './enroll.js';
import * as identify from './identify.js';
import * as subjects from './subjects.js';
import * as demo from './demo.js';
import * as face from './face-commands.js';
import * as doctor from './doctor.js';

/** A subcommand: adds itself (name, options, action) to the program. */
export interface CommandModule {
  register(program: Command): void;
}

const COMMANDS: readonly CommandModule[] = [serve, enroll, identify, subjects, demo, face, doctor];

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; description: string };

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('facevault').description(PACKAGE.description).version(PACKAGE.version);
  for (const command of COMMANDS) command.register(program);
  await program.parseAsync([...argv]);
}

main(process.argv).catch((err: unknown) => {
  // Coded errors are the user's to fix and carry a full message; anything else is a bug: show the stack.
  if (isFacevaultError(err)) {
    process.stderr.write(`facevault: ${err.message}\n`);
    process.exitCode = err.status < 500 ? 2 : 1;
  } else {
    process.stderr.write(`facevault: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
});
