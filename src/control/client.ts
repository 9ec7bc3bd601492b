/**
 * The client side of the control socket: sends one request to a running server and
 * returns its result. Used by `benchboot leases`, `leases release`, `reload`, `status`.
 */
import net from 'node:net';
import { join } from 'node:path';
import { ERRORS, BenchbootError, ERROR_CODES, isBenchbootError, type ErrorCode } from '../errors.js';
import { CONTROL_SOCKET_NAME, formatControlRequest, parseControlResponse, type ControlRequest } from './protocol.js';

/** The control socket path of a state directory. */
export function controlSocketPath(stateDir: string): string {
  return join(stateDir, CONTROL_SOCKET_NAME);
}

/**
 * True when the connection failed because no server is there: no socket file, or
 * nobody listening on it. Any other failure (e.g. EACCES on a root-owned socket, a
 * timeout, a refused request) means a server may well be running.
 */
export function isNoServer(err: unknown): boolean {
  if (!isBenchbootError(err, 'BB_CONTROL')) return false;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

function toCode(code: string): ErrorCode {
  return code in ERROR_CODES ? (code as ErrorCode) : 'BB_INTERNAL';
}

/**
 * Sends `request` to the server at `path` and resolves with its result. Throws
 * BB_CONTROL when nobody answers (cause: the socket error), or the server's error
 * (same code) when it refused the request.
 */
export function controlRequest(path: string, request: ControlRequest, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(path);
    let buffered = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(ERRORS.controlTimeout.create({ path, timeoutMs }))),
      timeoutMs,
    );
    conn.setEncoding('utf8');
    conn.once('connect', () => conn.write(formatControlRequest(1, request)));
    conn.on('error', (err) =>
      finish(() => reject(ERRORS.noServerAt.create({ path, reason: err.message }, { cause: err }))),
    );
    conn.on('data', (chunk: string) => {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      finish(() => {
        try {
          const response = parseControlResponse(buffered.slice(0, nl));
          if (response.ok) resolve(response.result);
          else reject(new BenchbootError(toCode(response.error.code), response.error.message));
        } catch (err) {
          reject(ERRORS.badControlAnswer.create({ path }, { cause: err }));
        }
      });
    });
    conn.on('end', () => finish(() => reject(ERRORS.controlClosed.create({ path }))));
  });
}
