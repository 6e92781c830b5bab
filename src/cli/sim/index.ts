import { Command, Option } from 'commander';
import { lazy } from '../lazy.js';

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
    .action(
      lazy(async () => {
        const { runSimulator } = await import('./runSimulator.js');
        return async (options: { config?: string; json?: boolean; logLevel: string; stopWithStdin?: boolean }) => {
          process.exitCode = await runSimulator(options);
        };
      }),
    );

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
    .action(lazy(async () => (await import('./printStats.js')).printStats));
}
