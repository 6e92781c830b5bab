import { Command, CommanderError } from 'commander';
import { packageVersion } from '../daemon/packageVersion.js';
import { TurnkeyError } from '../errors/index.js';
import { COMMANDS } from './commands.js';
import { EXIT } from './exit.js';

/** Builds the `turnkey` program; each command lives in its own folder and registers itself. */
export function buildProgram(): Command {
  const program = new Command('turnkey')
    .description('Validate, sign, send and reconcile MIG 4.1 e-invoices with the MOF E-Invoice Platform.')
    .version(packageVersion(), '-V, --version')
    // The program's own options come before a command's name, so that a command's subcommands may
    // reuse its option names (`turnkey tracks --period P` and `turnkey tracks blank --period P`).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const register of COMMANDS) register(program);
  return program;
}

/** Runs the CLI and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // Output piped into `head` (or a closed pager): stop quietly, as other command-line tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof TurnkeyError) {
      process.stderr.write(`turnkey: ${err.message}${err.hint ? `\n  ${err.hint}` : ''}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
