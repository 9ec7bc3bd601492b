/**
 * Shared pieces every CLI command uses: the handler context (injected output
 * streams plus a logger factory built from the global `--json`, `--log-level` and
 * `--log-file` options), `defineCommand` which turns a typed command description
 * into something `main` can register, the `--scopes DIR` option, and small output
 * helpers (tables, JSON, lines).
 *
 * A command module looks like this:
 *
 * ```ts
 * export const leasesCommand = defineCommand({
 *   command: 'leases',
 *   describe: 'List the current leases',
 *   builder: (y) => withScopesDir(y).option('all', { type: 'boolean', default: false }),
 *   run: async (args, ctx) => { writeLine(ctx.io.stdout, '...'); return 0; },
 * });
 * ```
 *
 * `run` returns the exit code (0 ok, 1 invalid input); throwing a BenchbootError
 * also means 1, and yargs usage errors mean 2 (see `main.ts`).
 */
import type { Writable } from 'node:stream';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { createLogger, type Logger } from '../log.js';

/** The streams and environment a CLI invocation may use (only bin/ touches `process`). */
export interface CliIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  /** The command line `main` parses (serve started as root runs it again as its unprivileged child). */
  readonly argv?: readonly string[];
}

/** The log levels `--log-level` accepts. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options every command accepts (as yargs names them; handlers also see camelCase). */
export interface GlobalArgs {
  /** Machine-readable output: JSON on stdout and JSON log lines. */
  json: boolean;
  'log-level': LogLevel;
  /** Also append JSON log lines to this file. */
  'log-file': string | undefined;
}

/** What a command handler receives besides its parsed arguments. */
export interface CommandContext {
  readonly io: CliIo;
  /** The process logger (created on first call from the global options, writes to io.stderr). */
  logger(): Logger;
}

/** What `main` needs from a command: a way to attach it to a yargs parser. */
export interface CliCommand {
  /** The first word of the command, e.g. `scope`. */
  readonly name: string;
  /** Attaches the command; `report` receives the exit code when the handler finishes. */
  register(parser: Argv<GlobalArgs>, io: CliIo, report: (code: number) => void): Argv<GlobalArgs>;
}

/** A typed command description: yargs command string, builder and a handler returning the exit code. */
export interface CommandSpec<A extends GlobalArgs> {
  /** yargs command syntax, e.g. `show <name>` or `validate [names..]`. */
  readonly command: string;
  readonly describe: string;
  readonly builder: (parser: Argv<GlobalArgs>) => Argv<A>;
  readonly run: (args: ArgumentsCamelCase<A>, ctx: CommandContext) => Promise<number>;
  /** Usage examples: [command line, what it does]. */
  readonly examples?: readonly (readonly [string, string])[];
}

/** Builds the handler context for one invocation; the logger is created lazily once. */
export function createCommandContext(io: CliIo, globals: GlobalArgs): CommandContext {
  let logger: Logger | undefined;
  return {
    io,
    logger(): Logger {
      logger ??= createLogger({
        level: globals['log-level'],
        json: globals.json,
        ...(globals['log-file'] === undefined ? {} : { file: globals['log-file'] }),
        stream: io.stderr,
      });
      return logger;
    },
  };
}

/** Turns a typed command description into a command `main` can register. */
export function defineCommand<A extends GlobalArgs>(spec: CommandSpec<A>): CliCommand {
  const name = spec.command.split(/\s+/)[0] ?? spec.command;
  return {
    name,
    register(parser: Argv<GlobalArgs>, io: CliIo, report: (code: number) => void): Argv<GlobalArgs> {
      return parser.command(
        spec.command,
        spec.describe,
        (y) => {
          const built = spec.builder(y);
          for (const [cmd, what] of spec.examples ?? []) built.example(cmd, what);
          return built;
        },
        async (args) => {
          const ctx = createCommandContext(io, { json: args.json, 'log-level': args['log-level'], 'log-file': args['log-file'] });
          report(await spec.run(args, ctx));
        },
      );
    },
  };
}

/** Adds `--scopes DIR` (default `./scopes`) to a command that reads scope files. */
export function withScopesDir<T>(parser: Argv<T>): Argv<T & { scopes: string }> {
  return parser.option('scopes', {
    type: 'string',
    default: './scopes',
    describe: 'Directory of scope files (<name>.yaml)',
    normalize: true,
    requiresArg: true,
  });
}

/** Writes one line. */
export function writeLine(out: Writable, text = ''): void {
  out.write(`${text}\n`);
}

/** Writes a value as pretty JSON followed by a newline. */
export function writeJson(out: Writable, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A column of a text table. */
export interface TableColumn<R> {
  readonly header: string;
  readonly value: (row: R) => string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

/** Formats rows as a plain-text table with a header line; columns separated by two spaces. */
export function formatTable<R>(rows: readonly R[], columns: readonly TableColumn<R>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => {
        const w = widths[i] ?? v.length;
        return columns[i]?.right ? v.padStart(w) : v.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

/** A command that only groups subcommands (`benchboot scope add|set|...`). */
export function defineGroup(command: string, describe: string, subcommands: readonly CliCommand[]): CliCommand {
  const name = command.split(/\s+/)[0] ?? command;
  return {
    name,
    register(parser: Argv<GlobalArgs>, io: CliIo, report: (code: number) => void): Argv<GlobalArgs> {
      return parser.command(command, describe, (y) => {
        let sub = y;
        for (const c of subcommands) sub = c.register(sub, io, report);
        return sub.demandCommand(1, `Give a ${name} subcommand: ${subcommands.map((c) => c.name).join(', ')}.`);
      });
    },
  };
}
