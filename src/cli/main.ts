/**
 * The `portcullis` command line (SPEC "Commands"). Each subcommand lives in its own file and
 * exports a factory returning a commander Command; adding one is one line in COMMANDS.
 *
 * Exit codes: 0 ok, 1 denied (verify), 2 error. A subcommand's action returns normally for 0,
 * throws for 2, and for another code either sets `process.exitCode` or calls
 * `command.error(message, { exitCode })`; `main` returns that code (and leaves
 * `process.exitCode` as it found it — bin/portcullis.js sets it from the return value).
 */
import { Command, CommanderError } from 'commander';
import { auditCommand } from './audit.js';
import { certsCommand } from './certs.js';
import { policyCommand } from './policy.js';
import { resolveCommand } from './resolve.js';
import { serveCommand } from './serve.js';
import { verifyCommand } from './verify.js';

export const EXIT_OK = 0;
export const EXIT_DENIED = 1;
export const EXIT_ERROR = 2;

/** Registration: one factory per subcommand, one line each. */
const COMMANDS: ReadonlyArray<() => Command> = [
  serveCommand,
  verifyCommand,
  resolveCommand,
  policyCommand,
  certsCommand,
  auditCommand,
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
  const outer = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    const code = Number(process.exitCode ?? EXIT_OK);
    return Number.isInteger(code) ? code : EXIT_ERROR;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      // Usage errors (unknown option, missing argument) are errors, not denials.
      if (err.code.startsWith('commander.') && err.code !== 'commander.error') return EXIT_ERROR;
      return err.exitCode;
    }
    process.stderr.write(`portcullis: ${(err as Error)?.message ?? String(err)}\n`);
    return EXIT_ERROR;
  } finally {
    process.exitCode = outer;
  }
}
