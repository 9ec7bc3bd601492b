/**
 * The TFTP server: listens for RRQ/WRQ (RFC 1350) on one or more addresses, refuses
 * politely when busy, and runs each transfer on its own socket (a new TID, RFC 1350 §4)
 * bound to the address the request arrived on. Admission (admission.ts), option
 * negotiation, the transfer runs (server-transfer.ts), the drivers and file access are
 * elsewhere; this file is the I/O shell that wires them together, counts and logs. With
 * `workers`, read transfers send on worker threads (send-plane.ts); all else stays here.
 *
 *     const server = createTftpServer({ storage, logger, listen: [{ address: '192.0.2.1', port: 69 }] });
 *     server.on('finished', (e) => ...);
 *     await server.start(); ...
 *     await server.stop(5000); // let transfers in flight finish for up to 5 s
 *
 * Beyond `maxTransfers` (or `maxPerClient` for one address, by default 8) a request waits
 * for a slot (wait-queue.ts) for up to `queueWaitMs`, then gets ERROR 0 "server busy, retry
 * later"; clients known to retry on that (`retriesOnBusy`: Cisco phones, as the CallManager
 * TFTP service expects) get it at once.
 */
import { systemClock, waitAtMost, type Clock } from '../clock.js';
import { errnoCode, errorMessage } from '../errno.js';
import type { Logger } from '../log.js';
import { createBusyPoller, type BusyPoller } from '../net/busy-poll.js';
import { bindUdp, type UdpEndpoint, type UdpPeer } from '../net/udp.js';
import { AdaptiveLimit, adaptEvery } from './adaptive-limit.js';
import { admit, ClientTally, defaultMaxPerClient, type AdmissionRequest } from './admission.js';
import { TFTP_ERROR } from './error-codes.js';
import type { NegotiationPolicy, TransferParams } from './negotiate.js';
import { encodeError, type TftpRequest } from './packet.js';
import { TransferPorts } from './port-range.js';
import type { TftpCounters, TftpServer, TftpServerEvents, TransferInfo } from './server-events.js';
import { TransferLedger } from './server-ledger.js';
import { Listeners } from './listeners.js';
import { clientTimeoutMs, decodeRequest, sharedDriverOptions, type Queued } from './server-requests.js';
import { staleAfterMs, WaitQueue } from './wait-queue.js';
import { BUSY_MESSAGE, DEFAULT_BUSY_POLL_MICROS, DEFAULT_MAX_TRANSFERS, DEFAULT_QUEUE_WAIT_MS, negotiationPolicy, rateFloorOf, validateServerOptions, type BindFn, type TftpServerOptions } from './server-options.js';
import { runRead, runWrite, type Active, type Registration, type TransferHost, type TransferRequest, type TransferSubject } from './server-transfer.js';
import { SendPlane } from './send-plane.js';
import type { ReadSource, TftpStorage } from './storage.js';
import { TftpError } from './tftp-error.js';
import { INTERNAL_ERROR_MESSAGE, type DriverOptions, type DrivenResult, type DrivenTransfer } from './transfer-driver.js';

export type { TftpCounters, TftpServer, TftpServerEvents, TransferDirection, TransferInfo } from './server-events.js';
export { BUSY_MESSAGE, DEFAULT_BUSY_POLL_MICROS, DEFAULT_QUEUE_WAIT_MS, RECOMMENDED_MAX_WINDOW_BYTES, RECOMMENDED_MIN_WINDOW_BLOCKS, type BindFn, type TftpServerOptions } from './server-options.js';

const defaultBind: BindFn = (address, port) => bindUdp({ address, port, recvBufferBytes: 1 << 20, sendBufferBytes: 1 << 20 });

/** The server: listening sockets, admission, and the transfers it runs. */
class Server implements TftpServer, TransferHost {
  readonly storage: TftpStorage;
  readonly policy: NegotiationPolicy;
  readonly log: Logger;
  private readonly ledger: TransferLedger;
  private readonly clock: Clock;
  private readonly bind: BindFn;
  private readonly ports: TransferPorts;
  private readonly busyPoller: BusyPoller;
  private readonly plane: SendPlane;
  /** Transfers at once: `maxTransfers`, adapted up to `transfersCeiling` (adaptive-limit.ts). */
  private readonly limit: AdaptiveLimit;
  private stopAdapting: (() => void) | undefined;
  private readonly maxPerClient: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly listeners: Listeners;
  private readonly perClient = new ClientTally();
  /** Requests over the limits, waiting for a slot. */
  private readonly queue: WaitQueue<Queued>;
  /** Client TIDs (address:port) whose request is being answered and not yet acknowledged. */
  private readonly openings = new Map<string, AdmissionRequest>();
  /** Requests accepted but still opening storage / binding. */
  private pending = 0;
  private nextId = 1;
  private accepting = false;

  constructor(private readonly options: TftpServerOptions) {
    this.storage = options.storage;
    this.log = options.logger.child({ component: 'tftp' });
    this.clock = options.clock ?? systemClock;
    this.bind = options.bind ?? defaultBind;
    this.ports = new TransferPorts(this.bind, options.portRange);
    this.listeners = new Listeners(options.bindListener ?? this.bind, (l, msg, from) => this.onRequest(l, msg, from), this.log);
    const maxTransfers = options.maxTransfers ?? DEFAULT_MAX_TRANSFERS;
    this.limit = new AdaptiveLimit(maxTransfers, options.transfersCeiling ?? maxTransfers);
    this.maxPerClient = options.maxPerClient ?? defaultMaxPerClient(maxTransfers);
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.retries = options.retries ?? 5;
    this.busyPoller = createBusyPoller(options.busyPollMicros ?? DEFAULT_BUSY_POLL_MICROS);
    this.policy = negotiationPolicy(options);
    const progressMs = options.progressIntervalMs ?? 250;
    this.ledger = new TransferLedger(this.log, this.clock, progressMs, rateFloorOf(options));
    this.plane = new SendPlane(options, { log: this.log, ledger: this.ledger, ports: this.ports, timeoutMs: this.timeoutMs, retries: this.retries, progressMs });
    this.queue = new WaitQueue<Queued>({
      clock: this.clock,
      maxWaitMs: options.queueWaitMs ?? DEFAULT_QUEUE_WAIT_MS,
      onTimeout: (q, waitedMs) => {
        this.ledger.counters.queueTimeouts++;
        this.answerBusy(q, `no slot within ${waitedMs} ms`, waitedMs);
      },
      onStale: (q, silentMs) => {
        this.ledger.counters.queueStale++;
        this.log.debug('waiting request dropped: its client went silent', { peer: q.peerKey, file: q.req.filename, silentMs });
      },
    });
  }

  async start(): Promise<void> {
    if (this.accepting) return;
    const specs = this.options.listen ?? [{ address: '0.0.0.0', port: 69 }];
    try {
      for (const spec of specs) await this.listeners.listen(spec.address, spec.port ?? 69);
    } catch (err) {
      await this.listeners.closeAll();
      const code = errnoCode(err);
      throw new TftpError(code === 'EADDRINUSE' || code === 'EACCES' ? 'port-in-use' : 'socket', `cannot listen for TFTP: ${errorMessage(err)}`, { cause: err });
    }
    this.accepting = true;
    if (this.limit.ceiling > this.limit.base) this.stopAdapting = adaptEvery(this.clock, this.limit, () => ({ bytesMoved: this.ledger.bytesMoved(), running: this.ledger.active.size + this.pending, waiting: this.queue.length }), this.log, () => this.startWaiting());
    this.log.info('TFTP server listening', { on: this.listeners.addresses().map((l) => `${l.address}:${l.port}`).join(' ') });
  }

  readonly listenOn = (address: string, port: number): Promise<void> => this.listeners.listen(address, port);
  readonly stopListening = (address: string): Promise<void> => this.listeners.close(address);

  async stop(graceMs = 0): Promise<void> {
    this.accepting = false;
    this.stopAdapting?.();
    for (const q of this.queue.drain()) this.ledger.sendFrom(q.listener, encodeError(TFTP_ERROR.notDefined, 'server shutting down'), q.from);
    await this.listeners.closeAll();
    const active = this.ledger.active;
    if (active.size > 0 && graceMs > 0) await waitAtMost(this.clock, graceMs, [...active.values()].map((a) => a.finished));
    for (const a of active.values()) a.driven?.abort(TFTP_ERROR.notDefined, 'server shutting down');
    await Promise.all([...active.values()].map((a) => a.finished));
    await this.plane.close();
  }

  addresses(): UdpPeer[] {
    return this.listeners.addresses();
  }

  counters(): Readonly<TftpCounters> {
    const { limit, raises, takenBack } = this.limit.counts();
    return { ...this.ledger.counters, waiting: this.queue.length, transferLimit: limit, limitRaises: raises, limitTakenBack: takenBack };
  }

  transfers(): TransferInfo[] {
    return this.ledger.transfers();
  }

  on<K extends keyof TftpServerEvents>(event: K, listener: (e: TftpServerEvents[K]) => void): this {
    this.ledger.emitter.on(event, listener);
    return this;
  }

  off<K extends keyof TftpServerEvents>(event: K, listener: (e: TftpServerEvents[K]) => void): this {
    this.ledger.emitter.off(event, listener);
    return this;
  }

  isAccepting(): boolean {
    return this.accepting;
  }

  refuse(t: TransferRequest, code: number, message: string, isBadName = false): void {
    this.ledger.refuse(t, code, message, isBadName, (data) => this.plane.answer(t, data));
  }

  register(t: TransferRequest, params: TransferParams, subject: TransferSubject): Active {
    this.pending--;
    return this.ledger.register(t, params, subject);
  }

  /** Driver settings both directions share: socket, peer, timing, busy polling, counters. */
  driverOptions(t: TransferRequest, params: TransferParams): DriverOptions {
    return sharedDriverOptions({ ledger: this.ledger, log: this.log, clock: this.clock, timeoutMs: this.timeoutMs, retries: this.retries, busyPoller: this.busyPoller }, t, params);
  }

  driveRead(t: TransferRequest, a: Active, params: TransferParams, source: ReadSource, oack: Uint8Array | undefined): DrivenTransfer {
    return this.plane.driveRead(this, t, a, params, source, oack);
  }

  progressReporter(a: Active, registration: Registration): (bytes: number) => void {
    return this.ledger.progressReporter(a, registration);
  }

  conclude(a: Active, r: DrivenResult, savedAs?: string): void {
    this.ledger.conclude(a, r, savedAs);
  }

  internalError(t: TransferRequest, file: string, what: string, err: unknown): void {
    this.ledger.internalError(t.id, t.peer, file, what, err);
  }

  /** A datagram on a listening socket: decode, admit, then open a transfer for it. */
  private onRequest(listener: UdpEndpoint, msg: Buffer, from: UdpPeer): void {
    const req = decodeRequest(this.ledger, listener, msg, from);
    if (!req || !this.accepting) return;
    const peerKey = `${from.address}:${from.port}`;
    const running = this.ledger.active.size + this.pending;
    const facts = { running, fromClient: this.perClient.count(from.address), maxTransfers: this.limit.limit, maxPerClient: this.maxPerClient, opening: this.openings.get(peerKey) };
    const admission = admit(req, facts);
    if (admission.kind === 'duplicate') {
      // The transfer just opened for that port answers it; a second one would only collide.
      this.ledger.counters.duplicateRequests++;
      this.log.debug('repeated request ignored', { peer: peerKey, file: req.filename });
      return;
    }
    if (admission.kind === 'busy') {
      this.wait({ listener, req, from, peerKey });
      return;
    }
    this.open(listener, req, from, peerKey);
  }

  /** A request over the limits: into the queue, or "busy" for a client that retries on it or when the queue is full. */
  private wait(q: Queued): void {
    const { req, from } = q;
    if (this.options.retriesOnBusy?.(from, req.filename)) return this.answerBusy(q, 'the client retries on busy');
    const outcome = this.queue.offer(q.peerKey, from.address, `${req.kind} ${req.filename}`, q, staleAfterMs(clientTimeoutMs(req, this.timeoutMs)));
    if (outcome === 'duplicate' || outcome === 'moved') {
      this.ledger.counters.duplicateRequests++;
      return;
    }
    if (outcome === 'full') return this.answerBusy(q, 'no room to wait');
    this.ledger.counters.queued++;
    this.log.debug('request waits for a transfer slot', { peer: q.peerKey, file: req.filename, waiting: this.queue.length });
  }

  private answerBusy({ listener, req, from, peerKey }: Queued, why: string, queueWaitMs = 0): void {
    this.ledger.counters.busy++;
    this.log.info('busy: request refused', { peer: peerKey, file: req.filename, why });
    this.ledger.sendFrom(listener, encodeError(TFTP_ERROR.notDefined, BUSY_MESSAGE), from);
    this.ledger.emit('busy', { peer: from, file: req.filename, queueWaitMs });
  }

  /** Starts waiting requests while there are slots, oldest first, skipping clients at their own limit. */
  private startWaiting(): void {
    while (this.accepting && this.ledger.active.size + this.pending < this.limit.limit) {
      const next = this.queue.take((client) => this.perClient.count(client) < this.maxPerClient);
      if (!next) return;
      const { listener, req, from, peerKey } = next.item;
      this.log.debug('waiting request starts', { peer: peerKey, file: req.filename, waitedMs: next.waitedMs });
      this.open(listener, req, from, peerKey, next.waitedMs);
    }
  }

  /** Starts serving an admitted request. */
  private open(listener: UdpEndpoint, req: TftpRequest, from: UdpPeer, peerKey: string, queueWaitMs = 0): void {
    this.pending++;
    const opening: AdmissionRequest = { kind: req.kind, filename: req.filename };
    this.openings.set(peerKey, opening);
    const opened = (): void => {
      if (this.openings.get(peerKey) === opening) this.openings.delete(peerKey);
    };
    this.perClient.add(from.address, 1);
    const id = `t${this.nextId++}`;
    const started = this.runTransfer(id, listener.local().address, req, from, { value: false, opened }, queueWaitMs).finally(() => {
      this.perClient.add(from.address, -1);
      opened();
      this.startWaiting();
    });
    started.catch((err: unknown) => this.ledger.internalError(id, from, req.filename, 'transfer crashed', err));
  }

  private async runTransfer(id: string, localAddress: string, req: TftpRequest, peer: UdpPeer, registration: Registration, queueWaitMs: number): Promise<void> {
    let ep: UdpEndpoint | undefined;
    try {
      // A read sent by a worker gets its socket there.
      if (!(this.plane.remote && req.kind === 'rrq')) ep = await this.ports.open(localAddress);
    } catch (err) {
      this.pending--;
      this.ledger.counters.busy++;
      this.log.warn('no transfer socket', { id, err: errorMessage(err) });
      const listener = this.listeners.on(localAddress);
      if (listener) this.ledger.sendFrom(listener, encodeError(TFTP_ERROR.notDefined, BUSY_MESSAGE), peer);
      return;
    }
    const t: TransferRequest = { id, ep, localAddress, req, peer, registration, queueWaitMs };
    try {
      if (req.kind === 'rrq') await runRead(this, t);
      else await runWrite(this, t);
    } catch (err) {
      // An unexpected failure ends only this exchange: log it with its stack, tell the client, book the end.
      this.ledger.internalError(id, peer, req.filename, 'transfer failed on an unexpected error', err);
      if (!registration.value) this.refuse(t, TFTP_ERROR.notDefined, INTERNAL_ERROR_MESSAGE);
      else this.ledger.concludeCrashed(id, INTERNAL_ERROR_MESSAGE);
    } finally {
      if (!registration.value) this.pending--;
      await ep?.close();
    }
  }
}

/** Creates a TFTP server (RFC 1350, 2347-2349, 7440) over the TftpStorage seam; TftpError `options` for bad settings. */
export function createTftpServer(options: TftpServerOptions): TftpServer {
  validateServerOptions(options);
  return new Server(options);
}
