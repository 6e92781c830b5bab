import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { loadSimConfig } from '../../sim/config/loadSimConfig.js';
import { readSimStats } from '../../sim/record/readSimStats.js';
import { EXIT } from '../exit.js';
import { formatStats } from './formatStats.js';
import { DEFAULT_SIM_DATA_DIR, locateSimConfig } from './locateSimConfig.js';
import { runSimulator } from './runSimulator.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function registerSim(program: Command): void {
  const sim = program
    .command('sim')
    .description('Run a local simulator of the MOF platform (SFTP server + HTTP gateway on 127.0.0.1) in the foreground, until Ctrl+C.')
    .option(
      '--config <file>',
      "a simulator configuration, or a sandbox's turnkey.config.json (its simulator); default: $TURNKEY_SIM_CONFIG, else " +
        './sim.config.json if present, else defaults',
    )
    .option('--json', 'print where it listens as one JSON line instead of the banner')
    .addOption(new Option('--log-level <level>', 'lowest level of the JSON log lines on stderr').choices(LOG_LEVELS).default('info'))
    .addOption(new Option('--stop-with-stdin', 'stop when standard input closes (how the daemon runs its sandbox simulator)').hideHelp())
    .action(async (options: { config?: string; json?: boolean; logLevel: string; stopWithStdin?: boolean }) => {
      process.exitCode = await runSimulator(options);
    });

  sim
    .command('stats')
    .description(
      'Print what the simulator received and decided, per message number (read-only, from its sim.sqlite): the ground truth for ' +
        'exactly-once checks.',
    )
    .option('--config <file>', 'the simulator configuration whose dataDir to read (same lookup as `turnkey sim`)')
    .option('--data-dir <dir>', 'read this simulator data folder instead')
    .option('--invoice <number>', 'only this message number')
    .option('--json', 'print the counts as JSON')
    .action((_options: unknown, command: Command) => {
      // `sim` has --config and --json too, and commander lets it take them even after `stats`: read both levels.
      const options = command.optsWithGlobals<{ config?: string; dataDir?: string; invoice?: string; json?: boolean }>();
      let dataDir: string;
      if (options.dataDir !== undefined) dataDir = resolve(options.dataDir);
      else {
        const configFile = locateSimConfig(options.config);
        dataDir = configFile ? loadSimConfig(configFile).dataDir : resolve(DEFAULT_SIM_DATA_DIR);
      }
      const stats = readSimStats(join(dataDir, 'sim.sqlite'), options.invoice === undefined ? {} : { invoice: options.invoice });
      process.stdout.write(options.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats, options.invoice));
      process.exitCode = EXIT.ok;
    });
}
