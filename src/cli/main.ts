/**
 * The `benchboot` command line: a strict yargs parser with the global options
 * (`--json`, `--log-level`, `--log-file`), the commands listed in commands.ts, and
 * the one wrapper that turns the outcome into an exit code:
 *
 *   0  the command did what was asked
 *   1  invalid input (a BenchbootError: bad scope file, missing scope, ...)
 *   2  usage error (unknown command or option, missing argument)
 *
 * Output goes only to the injected streams; `bin/benchboot.js` is the only place
 * that touches `process`.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { ERRORS, errorMessage, isBenchbootError } from '../errors.js';
import { toBenchbootError } from '../protocol-errors.js';
import { commandsFor } from './commands.js';
import { LOG_LEVELS, writeLine, type CliCommand, type CliIo, type GlobalArgs } from './output.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string') {
      return parsed.version;
    }
    return 'unknown';
  } catch (err) {
    // The launcher runs from a checkout or an installed package; both ship
    // package.json, so this only happens in odd layouts. Say so instead of failing.
    return `unknown (${errorMessage(err)})`;
  }
}

/** Builds the parser for one invocation; `report` receives the handler's exit code. */
function buildParser(io: CliIo, commands: readonly CliCommand[], report: (code: number) => void): Argv<GlobalArgs> {
  let parser: Argv<GlobalArgs> = yargs()
    .scriptName('benchboot')
    .usage('$0 <command> [options]\n\nDHCP + TFTP boot appliance for lab benches and isolated switches.')
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON on stdout and log JSON lines' })
    .option('log-level', { choices: LOG_LEVELS, default: 'info' as const, describe: 'Least severe log level shown' })
    .option('log-file', { type: 'string', requiresArg: true, describe: 'Also append JSON log lines to this file' })
    .strict()
    .demandCommand(1, 'Give a command (see benchboot --help).')
    .recommendCommands()
    .exitProcess(false)
    .wrap(100)
    .version(packageVersion())
    .help()
    .alias('help', 'h')
    .fail((msg: string | null, err: Error | undefined) => {
      // Handler failures keep their own type; everything yargs reports is a usage error.
      const failure = toBenchbootError(err);
      if (err && (isBenchbootError(failure) || msg === null)) throw failure;
      throw ERRORS.usage.create({ message: msg ?? errorMessage(err) }, err ? { cause: err } : undefined);
    });
  for (const command of commands) parser = command.register(parser, io, report);
  return parser;
}

/**
 * Runs the CLI with `argv` (arguments after the program name) and returns the exit
 * code. Never exits the process and never writes outside `io`.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  let helpText = '';
  try {
    const parser = buildParser({ ...io, argv }, await commandsFor(argv), (code) => {
      exitCode = code;
    });
    // The parse callback keeps yargs from printing to the console itself: help and
    // version text arrive here and go to the injected stdout.
    await parser.parseAsync(argv, {}, (_err: Error | undefined, _args: unknown, output: string) => {
      helpText = output;
    });
    if (helpText) writeLine(io.stdout, helpText);
    return exitCode;
  } catch (err) {
    const failure = toBenchbootError(err);
    return argv.includes('--json') ? reportFailureJson(io, failure) : reportFailure(io, failure);
  }
}

/** With --json, scripts get the failure as one JSON object on stderr: { error: { code, message, issues? } }. */
function reportFailureJson(io: CliIo, err: unknown): number {
  const code = isBenchbootError(err) ? err.code : 'BB_INTERNAL';
  const issues = err instanceof Error && 'issues' in err && Array.isArray(err.issues) ? { issues: err.issues as unknown[] } : {};
  writeLine(io.stderr, JSON.stringify({ error: { code, message: errorMessage(err), ...issues } }));
  return code === 'BB_USAGE' ? EXIT.usage : EXIT.invalid;
}

function reportFailure(io: CliIo, err: unknown): number {
  if (isBenchbootError(err, 'BB_USAGE')) {
    writeLine(io.stderr, `benchboot: ${err.message}`);
    writeLine(io.stderr, 'Run "benchboot --help" (or "benchboot <command> --help") for usage.');
    return EXIT.usage;
  }
  if (isBenchbootError(err)) {
    const [first, ...rest] = err.message.split('\n');
    writeLine(io.stderr, [`benchboot: ${first ?? ''} [${err.code}]`, ...rest].join('\n'));
    return EXIT.invalid;
  }
  const stack = err instanceof Error && err.stack ? `\n${err.stack}` : '';
  writeLine(io.stderr, `benchboot: internal error: ${errorMessage(err)} [BB_INTERNAL]${stack}`);
  return EXIT.invalid;
}
