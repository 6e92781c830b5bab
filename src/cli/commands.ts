import type { Command } from 'commander';
import { registerValidate } from './validate/index.js';

/** Each CLI command's folder exports a `register` function; this is the list of them. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerValidate,
];
