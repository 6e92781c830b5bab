import type { Command } from 'commander';
import { registerInit } from './init/index.js';
import { registerMaintenance } from './maintenance/index.js';
import { registerStart } from './start/index.js';
import { registerStatus } from './status/index.js';
import { registerSim } from './sim/index.js';
import { registerValidate } from './validate/index.js';

/** Each CLI command's folder exports a `register` function; this is the list of them. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerValidate,
  registerSim,
  registerInit,
  registerStart,
  registerStatus,
  registerMaintenance,
];
