/**
 * The face commands of the CLI — `represent`, `verify`, `analyze`, `models` — registered as one
 * module, so the CLI's command list gains a single entry.
 */
import type { Command } from 'commander';
import * as analyze from './face-analyze.js';
import * as models from './face-models.js';
import * as represent from './face-represent.js';
import * as verify from './face-verify.js';

export function register(program: Command): void {
  for (const command of [represent, verify, analyze, models]) command.register(program);
}
