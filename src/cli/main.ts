/**
 * The `portcullis` command line (SPEC "Commands"). Each subcommand lives in its own file and
 * exports a factory returning a commander Command; adding one is one line in COMMANDS.
 *
 * Exit codes: 0 ok, 1 denied (verify), 2 error. A subcommand's action returns normally for 0,
 * throws for 2, and for any other code calls `command.error(message, { exitCode })`
 * (commander's own mechanism; `main` turns it into the return value).
 */
import { Command, CommanderError } from 'commander';
import { certsCommand } from './certs.js';
import { serveCommand } from './serve.js';

export const EXIT_OK = 0;
export const EXIT_DENIED = 1;
export const EXIT_ERROR = 2;

/** Registration: one factory per subcommand (verify, resolve, policy join here). */
const COMMANDS: ReadonlyArray<() => Command> = [
  serveCommand,
  certsCommand,
];

export function buildProgram(): Command {
  const program = new Command('portcullis')
    .description('Kubernetes admission webhook that lets only verified container images in')
    .showHelpAfterError()
    .enablePositionalOptions();
  for (const make of COMMANDS) program.addCommand(make());
  // Throw instead of process.exit() everywhere, so main() returns the code.
  const override = (c: Command) => {
    c.exitOverride();
    c.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      // Usage errors (unknown option, missing argument) are errors, not denials.
      if (err.code.startsWith('commander.') && err.code !== 'commander.error') return EXIT_ERROR;
      return err.exitCode;
    }
    process.stderr.write(`portcullis: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT_ERROR;
  }
}
