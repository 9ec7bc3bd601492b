/**
 * One client of the control socket: reads request lines, answers them one at a time
 * and in order, and bounds what a single client can make the server hold.
 *
 * - A line over `maxLineBytes` is refused: the requests before it are answered, then
 *   an error naming the limit, then the connection is closed. The handler never sees
 *   the line, nor anything sent after it.
 * - At most `maxQueuedRequests` requests are read and not yet answered. Beyond that
 *   the connection stops reading (back-pressure) rather than refusing: a client that
 *   pipelines many requests, as a script may, is slowed down and loses none, while
 *   what it sends waits in its own socket buffer, not in the server's memory.
 * - While the client does not read its answers (the socket's write buffer is full)
 *   no further request is answered, so answers do not pile up either.
 * - A connection is idle unless the handler is working on one of its requests; after
 *   `idleTimeoutMs` idle (no byte read or written) it is closed. A client stuck
 *   without reading its answers is idle too, and is closed the same way.
 */
import type net from 'node:net';
import { ERRORS, errorMessage, isBenchbootError, type BenchbootError } from '../errors.js';
import { toBenchbootError } from '../protocol-errors.js';
import type { Logger } from '../log.js';
import { LineSplitter } from './line-splitter.js';
import { formatControlResponse, parseControlRequest, type ControlRequest, type ControlResponse } from './protocol.js';

/** Answers one request; a thrown BenchbootError becomes an error response with its code. */
export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

/** What one connection may hold. */
export interface ConnectionLimits {
  readonly maxLineBytes: number;
  readonly maxQueuedRequests: number;
  readonly idleTimeoutMs: number;
}

/** The error line a refused connection gets before it is closed (id 0: it answers no request). */
export function refusalResponse(err: BenchbootError): ControlResponse {
  return { id: 0, ok: false, error: { code: err.code, message: err.message } };
}

/** Serves one accepted socket; `start` it, or `refuse` it with an error line. */
export class ControlConnection {
  private readonly lines: LineSplitter;
  /** Request lines read and waiting for the handler, oldest first. */
  private readonly waiting: string[] = [];
  /** True while the handler works on a request of this connection. */
  private busy = false;
  /** Set once the connection is to be closed: the answer sent last. */
  private refusal: ControlResponse | undefined;
  private ended = false;

  constructor(
    private readonly conn: net.Socket,
    private readonly handler: ControlHandler,
    private readonly logger: Logger,
    private readonly limits: ConnectionLimits,
  ) {
    this.lines = new LineSplitter(limits.maxLineBytes);
    conn.on('data', (chunk: Buffer) => this.onData(chunk));
    conn.on('drain', () => this.pump());
    conn.on('timeout', () => {
      logger.debug('control connection idle, closed', { idleMs: limits.idleTimeoutMs });
      conn.destroy();
    });
    conn.setTimeout(limits.idleTimeoutMs);
  }

  /** Requests read and not yet answered: the waiting ones and the one with the handler. */
  get queuedRequests(): number {
    return this.waiting.length + (this.busy ? 1 : 0);
  }

  /** Starts reading requests. */
  start(): void {
    this.pump();
  }

  /** Answers nothing: sends `response` and closes. */
  refuse(response: ControlResponse): void {
    this.refusal = response;
    this.pump();
  }

  private onData(chunk: Buffer): void {
    // Once refused, what the client sends is read only to see it close, and dropped.
    if (this.refusal !== undefined) return;
    this.lines.push(chunk);
    this.pump();
  }

  /** Moves the connection on: takes lines, hands the next one to the handler, closes or steers reading. */
  private pump(): void {
    if (this.ended) return;
    this.take();
    if (!this.busy && !this.conn.writableNeedDrain) {
      const line = this.waiting.shift();
      if (line !== undefined) void this.serve(line);
    }
    if (this.refusal !== undefined && this.queuedRequests === 0) this.end(this.refusal);
    else this.steer();
  }

  /** Moves complete lines into the queue while it has room; an over-long line ends all reading. */
  private take(): void {
    while (this.refusal === undefined && this.queuedRequests < this.limits.maxQueuedRequests) {
      const next = this.lines.next();
      if (next.kind === 'none') return;
      if (next.kind === 'too-long') {
        this.refusal = refusalResponse(ERRORS.controlLineTooLong.create({ max: this.limits.maxLineBytes }));
        this.lines.discard();
        return;
      }
      if (next.text.trim() !== '') this.waiting.push(next.text);
    }
  }

  /**
   * Reads on while there is room for requests and the client takes its answers.
   * Once refused, reads on (and drops) so that the client's closing is seen.
   */
  private steer(): void {
    const full = this.queuedRequests >= this.limits.maxQueuedRequests || this.conn.writableNeedDrain;
    if (full && this.refusal === undefined) this.conn.pause();
    else this.conn.resume();
  }

  private async serve(line: string): Promise<void> {
    this.busy = true;
    // A request with the handler is not idleness, however long it takes (a reload).
    this.conn.setTimeout(0);
    const response = await answerLine(line, this.handler, this.logger);
    this.busy = false;
    if (!this.conn.writable) return;
    this.conn.setTimeout(this.limits.idleTimeoutMs);
    this.conn.write(formatControlResponse(response));
    this.pump();
  }

  /** Sends the last answer and closes our side; the client's close (or the idle timeout) ends the socket. */
  private end(response: ControlResponse): void {
    this.ended = true;
    this.conn.end(formatControlResponse(response));
    this.conn.resume();
  }
}

/** The response to one request line: the handler's result, or why there is none. */
async function answerLine(line: string, handler: ControlHandler, logger: Logger): Promise<ControlResponse> {
  const parsed = parseControlRequest(line);
  if (parsed.kind === 'invalid') return { id: parsed.id, ok: false, error: { code: 'BB_USAGE', message: parsed.reason } };
  try {
    return { id: parsed.id, ok: true, result: await handler(parsed.request) };
  } catch (caught) {
    const err = toBenchbootError(caught);
    const code = isBenchbootError(err) ? err.code : 'BB_INTERNAL';
    if (code === 'BB_INTERNAL') logger.error('control request failed', { code, op: parsed.request.op, stack: err instanceof Error ? err.stack : String(err) });
    return { id: parsed.id, ok: false, error: { code, message: errorMessage(err) } };
  }
}
