import { loadConfig } from '../../config/loadConfig.js';
import { readSecret } from '../../config/readSecret.js';
import type { TurnkeyConfig } from '../../config/types.js';
import { locateConfig } from '../../config/locateConfig.js';
import { existsSync } from 'node:fs';
import { Daemon } from '../../daemon/Daemon.js';
import { refuseForeignFolder } from '../../daemon/startupChecks.js';
import { createLogger, flushLogger, type Logger } from '../../log/createLogger.js';
import { TurnkeyError } from '../../errors/index.js';
import { EXIT } from '../exit.js';

/** `turnkey start`: the daemon in the foreground until a stop signal. */
export async function runStart(options: { config?: string }): Promise<void> {
  const location = locateConfig(options.config);
  const config = loadConfig(location.path);
  // Before the logger makes <dataRoot>/logs: a folder that is not a data root is left as it was
  // (one that does not exist is the daemon's to report).
  if (existsSync(config.dataRoot)) refuseForeignFolder(config);
  const logger = createLogger(config.logLevel, {
    file:
      config.log.file === null
        ? null
        : { path: config.log.file, maxBytes: Math.round(config.log.maxMegabytes * 1048576), keep: config.log.keep },
    pretty: config.log.pretty,
    secrets: knownSecrets(config),
  });
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ config, logger, configSource: location.source });
  } catch (err) {
    // An expected failure (configuration, permissions, a locked root) is said in one line with its fix; only a bug carries a stack.
    const said = err instanceof TurnkeyError ? { code: err.code, error: err.message, hint: err.hint } : { err };
    logger.fatal({ event: 'daemon-start-failed', ...said }, 'the daemon could not start');
    await flushLogger(logger);
    throw err;
  }
  process.exitCode = await runUntilSignalled(daemon, logger, config.daemon.drainTimeoutSeconds * 1000);
}

/**
 * The configured passwords as resolved, for the logger to censor wherever they appear; one that
 * cannot be read is the daemon's to report.
 */
function knownSecrets(config: TurnkeyConfig): Set<string> {
  const secrets = new Set<string>();
  (config.platform?.senders ?? []).forEach((s, i) => {
    const refs = [
      [s.transport.password, `senders[${i}].transport.password`],
      [s.certificate.password, `senders[${i}].certificate.password`],
    ] as const;
    for (const [ref, key] of refs) {
      try {
        secrets.add(readSecret(ref, key));
      } catch {
        // reported by the daemon when it loads the sender
      }
    }
  });
  return secrets;
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
