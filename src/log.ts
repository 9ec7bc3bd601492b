/**
 * The one place winston is configured. Readable lines on a terminal, JSON lines
 * with `json: true` or when writing to a file; stacks kept. Servers get child
 * loggers such as `logger.child({ component: 'dhcp' })` and log structured fields
 * (mac, xid, scope, ip, file, peer, bytes, ms).
 */
import winston from 'winston';
import type { Writable } from 'node:stream';
import { escapeControl } from './devices/text-escape.js';

/** Where winston keeps the formatted line (triple-beam's MESSAGE). */
const MESSAGE = Symbol.for('message');

/** The logger type every module receives. */
export type Logger = winston.Logger;

/** How the process logs. */
export interface LogOptions {
  /** error | warn | info | debug */
  readonly level?: string;
  /** JSON lines instead of readable lines on the console stream. */
  readonly json?: boolean;
  /** Also append JSON lines to this file. */
  readonly file?: string;
  /** Where console lines go (default: process.stderr via winston's Console transport). */
  readonly stream?: Writable;
  /** Write nothing to the console stream (e.g. while the live view owns the terminal). */
  readonly quiet?: boolean;
}

const readable = winston.format.printf((info) => {
  const { level, message, timestamp, component, stack, ...rest } = info;
  const fields = Object.entries(rest)
    .filter(([k]) => typeof k === 'string' && k !== 'splat')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? escapeControl(v) : JSON.stringify(v)}`)
    .join(' ');
  const comp = typeof component === 'string' ? ` [${component}]` : '';
  // File names, host names and peers' messages come from the wire: never raw to a terminal.
  const head = `${String(timestamp)} ${level}${comp} ${escapeControl(String(message))}`;
  const tail = fields ? ` ${fields}` : '';
  return typeof stack === 'string' ? `${head}${tail}\n${stack}` : `${head}${tail}`;
});

// C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings, overrides and isolates:
// JSON.stringify leaves them raw (it escapes C0 only, and this leaves none raw), and a terminal or viewer that shows
// the JSON line obeys them. Written as a negated class for the same reason as in text-escape.ts.
const JSON_UNSAFE = /[^\u0020-\u007e\u00a0-\u2027\u202f-\u2065\u206a-\uffff]/g;

/** A JSON text with every character of {@link JSON_UNSAFE} written as a `\uNNNN` escape (the same value once parsed). */
export function escapeJsonLine(text: string): string {
  return text.replace(JSON_UNSAFE, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

/** Runs after winston's json format: the line it wrote, with {@link escapeJsonLine}. */
const escapedJson = winston.format((info) => {
  const line: unknown = info[MESSAGE];
  if (typeof line === 'string') info[MESSAGE] = escapeJsonLine(line);
  return info;
});

/** Creates the process logger. */
export function createLogger(options: LogOptions = {}): Logger {
  const transports: winston.transport[] = [];
  const jsonFormat = winston.format.combine(
    winston.format.timestamp(),
    winston.format.errors({ stack: true }),
    winston.format.json(),
    escapedJson(),
  );
  if (!options.quiet) {
    const format = options.json
      ? jsonFormat
      : winston.format.combine(
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          winston.format.errors({ stack: true }),
          readable,
        );
    transports.push(
      options.stream
        ? new winston.transports.Stream({ stream: options.stream, format })
        : new winston.transports.Console({ format, stderrLevels: ['error', 'warn', 'info', 'debug'] }),
    );
  }
  if (options.file) {
    transports.push(new winston.transports.File({ filename: options.file, format: jsonFormat }));
  }
  if (transports.length === 0) {
    transports.push(new winston.transports.Console({ silent: true }));
  }
  return winston.createLogger({ level: options.level ?? 'info', transports });
}

/** A logger that drops everything (tests, library use). */
export function createSilentLogger(): Logger {
  return winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
}
