import type { Command } from 'commander';
import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { Daemon } from '../../daemon/Daemon.js';
import { createLogger, flushLogger, type Logger } from '../../log/createLogger.js';
import { EXIT } from '../exit.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'Run the daemon in the foreground (what systemd or a Windows service wrapper wants): take files from the SRC folders, ' +
        'validate, record and file them. SIGINT/SIGTERM (SIGBREAK on Windows) drain it and exit 0.',
    )
    .option('-c, --config <file>', 'the configuration file (default: $TURNKEY_CONFIG, else ./turnkey-data/turnkey.config.json)')
    .action(async (options: { config?: string }) => {
      const location = locateConfig(options.config);
      const config = loadConfig(location.path);
      const logger = createLogger(config.logLevel);
      let daemon: Daemon;
      try {
        daemon = await Daemon.start({ config, logger, configSource: location.source });
      } catch (err) {
        logger.fatal({ event: 'daemon-start-failed', code: (err as { code?: string }).code, err }, 'the daemon could not start');
        await flushLogger(logger);
        throw err;
      }
      process.exitCode = await runUntilSignalled(daemon, logger, config.daemon.drainTimeoutSeconds * 1000);
    });
}

const SIGNALS: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM'];

/** Waits for a stop signal, drains within the time allowed, and resolves to the exit code. */
function runUntilSignalled(daemon: Daemon, logger: Logger, drainTimeoutMs: number): Promise<number> {
  return new Promise((resolveExit) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (daemon.lifecycleState === 'draining' || daemon.lifecycleState === 'stopped') {
        logger.warn({ event: 'signal-while-draining', signal }, 'already stopping');
        return;
      }
      // If draining hangs (a stuck network share), leave anyway: the next start resumes safely.
      const deadline = setTimeout(() => {
        logger.error({ event: 'drain-timeout', seconds: drainTimeoutMs / 1000 }, 'draining took too long; exiting without a clean stop');
        void flushLogger(logger).finally(() => process.exit(EXIT.findings));
      }, drainTimeoutMs);
      deadline.unref();
      daemon.drain(signal).then(
        async () => {
          clearTimeout(deadline);
          for (const s of SIGNALS) process.off(s, onSignal);
          await flushLogger(logger);
          resolveExit(EXIT.ok);
        },
        async (err: unknown) => {
          clearTimeout(deadline);
          logger.error({ event: 'drain-failed', err }, 'draining failed');
          await flushLogger(logger);
          resolveExit(EXIT.findings);
        },
      );
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}
