/**
 * The `sockopt` package (integer setsockopt/getsockopt on a Node socket, with a
 * prebuilt linux-x64 binary), loaded once, and the one Node warning it causes.
 * Used for SO_BINDTOIFINDEX (DHCP sockets pinned to an interface) and UDP_SEGMENT
 * (TFTP bursts in one send).
 */
import { createRequire } from 'node:module';
import { errorMessage } from '../errno.js';
import { NetError } from './net-error.js';

/** What benchboot uses of the sockopt package. */
export interface SockoptModule {
  setsockopt(socket: unknown, level: number, option: number, value: number): void;
  getsockopt(socket: unknown, level: number, option: number): number;
}

const requireCjs = createRequire(import.meta.url);

/** The sockopt package; throws NetError `socket` when it cannot be loaded. */
export function loadSockopt(): SockoptModule {
  try {
    return requireCjs('sockopt') as SockoptModule;
  } catch (err) {
    throw new NetError('socket', `cannot load the sockopt package (setsockopt for Node sockets): ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * Runs `fn` (synchronous) while `process.emitWarning` drops warnings with code
 * DEP0112 and forwards everything else; the original is restored before return.
 */
export function withoutDep0112<T>(fn: () => T): T {
  const original = process.emitWarning;
  const filtered = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    if (warningCode(warning, rest) === 'DEP0112') return;
    Reflect.apply(original, process, [warning, ...rest]);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = original;
  }
}

/** The code of a warning in any of emitWarning's call shapes. */
function warningCode(warning: string | Error, rest: readonly unknown[]): string | undefined {
  if (warning instanceof Error && 'code' in warning && typeof warning.code === 'string') return warning.code;
  const [second, third] = rest;
  if (typeof second === 'object' && second !== null && 'code' in second && typeof second.code === 'string') return second.code;
  return typeof third === 'string' ? third : undefined;
}

