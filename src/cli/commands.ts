import type { Command } from 'commander';
import { registerAck } from './ack/index.js';
import { registerBackup } from './backup/index.js';
import { registerDoctor } from './doctor/index.js';
import { registerExport } from './export/index.js';
import { registerInit } from './init/index.js';
import { registerList } from './list/index.js';
import { registerResend } from './resend/index.js';
import { registerRetry } from './retry/index.js';
import { registerMaintenance } from './maintenance/index.js';
import { registerService } from './service/index.js';
import { registerStart } from './start/index.js';
import { registerStatus } from './status/index.js';
import { registerTracks } from './tracks/index.js';
import { registerSim } from './sim/index.js';
import { registerValidate } from './validate/index.js';

/** Each CLI command's folder exports a `register` function; this is the list of them. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerValidate,
  registerSim,
  registerInit,
  registerStart,
  registerStatus,
  registerList,
  registerRetry,
  registerAck,
  registerResend,
  registerDoctor,
  registerExport,
  registerBackup,
  registerMaintenance,
  registerTracks,
  registerService,
];
