/**
 * The TFTP server: listens for RRQ/WRQ (RFC 1350) on one or more addresses, refuses
 * politely when busy, and runs each transfer on its own socket (a new TID, RFC 1350 §4)
 * bound to the address the request arrived on. Option negotiation, the transfer state
 * machines and file access are elsewhere (negotiate.ts, sender.ts, receiver.ts, the
 * TftpStorage seam); this file is the I/O shell that wires them together, counts and logs.
 *
 *     const server = createTftpServer({ storage, logger, listen: [{ address: '192.0.2.1', port: 69 }] });
 *     server.on('finished', (e) => ...);
 *     await server.start();
 *     ...
 *     await server.stop(5000); // let transfers in flight finish for up to 5 s
 *
 * Beyond `maxTransfers` (or `maxPerClient` for one address) a request is answered at once
 * with ERROR 0 "server busy, retry later": Cisco phones retry on that, as the CallManager
 * TFTP service expects.
 */
import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from '../clock.js';
import { errorMessage } from '../errno.js';
import { TftpError } from './tftp-error.js';
import type { Logger } from '../log.js';
import { DecodeError } from '../net/bytes.js';
import { bindUdp, type UdpEndpoint, type UdpPeer } from '../net/udp.js';
import { TFTP_ERROR } from './error-codes.js';
import { NetasciiDecoder } from './netascii.js';
import { checkTftpLimit, formatTftpLimitProblem, type TftpLimitName } from './limits.js';
import { DEFAULT_MAX_WINDOWSIZE, negotiate, type NegotiationPolicy, type TransferParams } from './negotiate.js';
import { decodeTftpPacket, encodeError, encodeTftpPacket, encodeAck, type TftpRequest } from './packet.js';
import type { ReadSource, TftpStorage, UploadTarget } from './storage.js';
import { isTftpStorageError } from './uploads.js';
import { describeTransferFailure, type TransferFailure } from './transfer-outcome.js';
import { createBusyPoller } from '../net/busy-poll.js';
import { BlockFeed } from './block-feed.js';
import { ChunkWriter } from './chunk-writer.js';
import { driveReceiver } from './receive-driver.js';
import { driveSender } from './send-driver.js';
import type { DriverOptions, DrivenResult, DrivenTransfer } from './transfer-driver.js';

/** Where the server listens. */
export interface TftpListen {
  readonly address: string;
  /** Default 69. */
  readonly port?: number;
}

/** Binds a UDP endpoint; the default binds a real socket. Tests pass a MemoryNetwork. */
export type BindFn = (address: string, port: number) => Promise<UdpEndpoint>;

/** Server settings. */
export interface TftpServerOptions {
  readonly storage: TftpStorage;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Default: 0.0.0.0:69. */
  readonly listen?: readonly TftpListen[];
  /** Ports for transfer sockets (inclusive); default: ephemeral ports chosen by the system. */
  readonly portRange?: readonly [number, number];
  /** Transfers at once (default 200); more are answered "server busy". */
  readonly maxTransfers?: number;
  /** Transfers at once from one client address (default: maxTransfers). */
  readonly maxPerClient?: number;
  /** Largest blksize offered (default 65464, RFC 2348). */
  readonly maxBlksize?: number;
  /** Path MTU: blksize is capped at mtu - 32. */
  readonly mtu?: number;
  /** Largest windowsize offered (default 64, RFC 7440). */
  readonly maxWindowsize?: number;
  /**
   * Largest window in bytes: windowsize is lowered so that windowsize × blksize fits
   * (default: no limit). Clients keep the kernel's default receive buffer (about 208 KiB
   * on Linux); a larger window overflows it and every window then waits for a timeout.
   * {@link RECOMMENDED_MAX_WINDOW_BYTES} avoids that.
   */
  readonly maxWindowBytes?: number;
  /** maxWindowBytes never lowers windowsize below this many blocks (default 1; see NegotiationPolicy). */
  readonly minWindowBlocks?: number;
  /** Largest upload announced by tsize (error 3 beyond it); storage enforces its own limits too. */
  readonly maxUploadBytes?: number;
  /** Retransmission timeout when the client asks none (default 1000 ms). */
  readonly timeoutMs?: number;
  /** Timeouts in a row before a transfer fails (default 5). */
  readonly retries?: number;
  /** Minimum interval between progress events of one transfer (default 250 ms). */
  readonly progressIntervalMs?: number;
  /**
   * Busy polling after each DATA (downloads) or ACK (uploads), in microseconds: the event
   * loop keeps polling instead of sleeping while the client's answer is due, as long as the
   * client answers within that time (default {@link DEFAULT_BUSY_POLL_MICROS}; 0 = off).
   * Lock-step transfers gain most; see net/busy-poll.ts.
   */
  readonly busyPollMicros?: number;
  /** Socket factory (default: real sockets). */
  readonly bind?: BindFn;
}

/** Default busy-poll window: covers a lock-step round trip to a client on the same wire. */
export const DEFAULT_BUSY_POLL_MICROS = 200;

/** Direction seen from the client: `read` = RRQ (download), `write` = WRQ (upload). */
export type TransferDirection = 'read' | 'write';

/** A transfer in progress, for status views. */
export interface TransferInfo {
  readonly id: string;
  readonly peer: UdpPeer;
  readonly file: string;
  readonly direction: TransferDirection;
  readonly size?: number;
  readonly blksize: number;
  readonly windowsize: number;
  readonly bytes: number;
  readonly startedAt: number;
}

/** Server counters since start. */
export interface TftpCounters {
  requests: number;
  reads: number;
  writes: number;
  started: number;
  finished: number;
  failed: number;
  refused: number;
  busy: number;
  /** Requests repeated by a client whose transfer is already running (ignored). */
  duplicateRequests: number;
  malformed: number;
  unexpected: number;
  unknownTid: number;
  sendErrors: number;
  bytesSent: number;
  bytesReceived: number;
  retransmits: number;
  active: number;
}

/** Events the server emits, for the appliance's live view and logs. */
export interface TftpServerEvents {
  started: {
    id: string;
    peer: UdpPeer;
    file: string;
    direction: TransferDirection;
    size?: number;
    blksize: number;
    windowsize: number;
    origin?: string;
  };
  progress: { id: string; bytes: number; rate: number };
  finished: { id: string; peer: UdpPeer; file: string; direction: TransferDirection; bytes: number; ms: number; savedAs?: string };
  /** `reason` is `outcome` formatted for people. */
  failed: { id: string; peer: UdpPeer; file: string; direction: TransferDirection; reason: string; outcome: TransferFailure; bytes: number };
  /** A request refused before a transfer started (file not found, access violation, option error). */
  refused: { peer: UdpPeer; file: string; direction: TransferDirection; code: number; message: string };
  busy: { peer: UdpPeer; file: string };
}

/** The running server. */
export interface TftpServer {
  start(): Promise<void>;
  /** Stops listening, lets transfers finish for up to `graceMs`, then aborts the rest. */
  stop(graceMs?: number): Promise<void>;
  /** The bound listening addresses (after start). */
  addresses(): UdpPeer[];
  counters(): Readonly<TftpCounters>;
  transfers(): TransferInfo[];
  on<K extends keyof TftpServerEvents>(event: K, listener: (e: TftpServerEvents[K]) => void): this;
  off<K extends keyof TftpServerEvents>(event: K, listener: (e: TftpServerEvents[K]) => void): this;
}

/**
 * A window byte limit that fits a client socket with Linux's default receive buffer
 * (net.core.rmem_default 212992 bytes; a datagram costs more than its payload there:
 * measured on veth, 16,640 bytes for an 8,196-byte datagram, so only 12 of them fit):
 * 8192-byte blocks get windowsize 8, 1468-byte blocks 44. With
 * {@link RECOMMENDED_MIN_WINDOW_BLOCKS}, 65464-byte blocks get 2 instead of lock-step
 * (2 × 66,300 bytes fit).
 */
export const RECOMMENDED_MAX_WINDOW_BYTES = 64 * 1024;
/** See {@link RECOMMENDED_MAX_WINDOW_BYTES}. */
export const RECOMMENDED_MIN_WINDOW_BLOCKS = 2;

/** The busy answer (RFC 1350 code 0): phones retry on it. */
export const BUSY_MESSAGE = 'server busy, retry later';

/** Whether a request became a transfer, and how to mark its opening as answered. */
interface Registration {
  value: boolean;
  /** The client got past the opening (or was refused): a repeat of its request is new. */
  readonly opened: () => void;
}

interface Active {
  info: TransferInfo & { bytes: number };
  driven?: DrivenTransfer;
  /** Resolves once the transfer is over (stop() waits for it). */
  finished: Promise<void>;
  /** Resolves `finished`. */
  end: () => void;
}

/** What a transfer moves, for its TransferInfo and its `started` event. */
interface TransferSubject {
  readonly file: string;
  readonly direction: TransferDirection;
  readonly size?: number;
  readonly origin?: string;
}

/** The server options checked against their TFTP_LIMITS entry, in the order they are checked. */
const SERVER_LIMITED = [
  'maxTransfers',
  'maxPerClient',
  'maxBlksize',
  'mtu',
  'maxWindowsize',
  'maxWindowBytes',
  'minWindowBlocks',
  'timeoutMs',
  'retries',
  'busyPollMicros',
  'maxUploadBytes',
] as const satisfies readonly (TftpLimitName & keyof TftpServerOptions)[];

function validate(o: TftpServerOptions): void {
  const bad = (msg: string): never => {
    throw new TftpError('options', msg);
  };
  const intIn = (v: number | undefined, name: TftpLimitName, label: string = name): void => {
    const problem = v === undefined ? undefined : checkTftpLimit(name, v);
    if (problem) bad(formatTftpLimitProblem(problem, label));
  };
  for (const name of SERVER_LIMITED) intIn(o[name], name);
  for (const l of o.listen ?? []) intIn(l.port, 'listenPort', `port of ${l.address}`);
  if (o.portRange) {
    const [lo, hi] = o.portRange;
    intIn(lo, 'port', 'portRange start');
    intIn(hi, 'port', 'portRange end');
    if (lo > hi) bad(`portRange start ${lo} is above its end ${hi}`);
  }
  if (o.listen && o.listen.length === 0) bad('listen needs at least one address');
}

const defaultBind: BindFn = (address, port) =>
  bindUdp({ address, port, recvBufferBytes: 1 << 20, sendBufferBytes: 1 << 20 });

/** Creates a TFTP server (RFC 1350, 2347-2349, 7440) over the TftpStorage seam. */
export function createTftpServer(options: TftpServerOptions): TftpServer {
  validate(options);
  const log = options.logger.child({ component: 'tftp' });
  const clock = options.clock ?? systemClock;
  const bind = options.bind ?? defaultBind;
  const maxTransfers = options.maxTransfers ?? 200;
  const maxPerClient = options.maxPerClient ?? maxTransfers;
  const timeoutMs = options.timeoutMs ?? 1000;
  const retries = options.retries ?? 5;
  const progressMs = options.progressIntervalMs ?? 250;
  const busyPoller = createBusyPoller(options.busyPollMicros ?? DEFAULT_BUSY_POLL_MICROS);
  // The server's side of every negotiation; a read adds the file size per request.
  const policy: NegotiationPolicy = {
    ...(options.maxBlksize !== undefined ? { maxBlksize: options.maxBlksize } : {}),
    ...(options.mtu !== undefined ? { mtu: options.mtu } : {}),
    maxWindowsize: options.maxWindowsize ?? DEFAULT_MAX_WINDOWSIZE,
    ...(options.maxWindowBytes !== undefined ? { maxWindowBytes: options.maxWindowBytes } : {}),
    ...(options.minWindowBlocks !== undefined ? { minWindowBlocks: options.minWindowBlocks } : {}),
    ...(options.maxUploadBytes !== undefined ? { maxUploadBytes: options.maxUploadBytes } : {}),
  };
  const emitter = new EventEmitter();
  const listeners: UdpEndpoint[] = [];
  const active = new Map<string, Active>();
  const perClient = new Map<string, number>();
  /** Client TIDs (address:port) whose request is being answered and not yet acknowledged. */
  const openings = new Map<string, { kind: 'rrq' | 'wrq'; filename: string }>();
  let pending = 0; // requests accepted but still opening storage / binding
  let nextId = 1;
  let nextPort = options.portRange?.[0] ?? 0;
  let accepting = false;
  const counters: TftpCounters = {
    requests: 0,
    reads: 0,
    writes: 0,
    started: 0,
    finished: 0,
    failed: 0,
    refused: 0,
    busy: 0,
    duplicateRequests: 0,
    malformed: 0,
    unexpected: 0,
    unknownTid: 0,
    sendErrors: 0,
    bytesSent: 0,
    bytesReceived: 0,
    retransmits: 0,
    active: 0,
  };

  const emit = <K extends keyof TftpServerEvents>(event: K, e: TftpServerEvents[K]): void => {
    try {
      emitter.emit(event, e);
    } catch (err) {
      log.error('a TFTP event listener threw', { event, err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    }
  };

  const onSendError = (err: Error): void => {
    counters.sendErrors++;
    log.debug('send failed', { err: err.message });
  };

  const sendFrom = (ep: UdpEndpoint, data: Uint8Array, to: UdpPeer): void => {
    ep.send(data, to).catch((err: unknown) => onSendError(err instanceof Error ? err : new Error(String(err))));
  };

  /** Binds a transfer socket: an ephemeral port, or the next free one in the range. */
  const bindTransfer = async (address: string): Promise<UdpEndpoint> => {
    const range = options.portRange;
    if (!range) return bind(address, 0);
    const [lo, hi] = range;
    const span = hi - lo + 1;
    let lastErr: unknown;
    for (let i = 0; i < span; i++) {
      const port = nextPort;
      nextPort = nextPort >= hi ? lo : nextPort + 1;
      try {
        return await bind(address, port);
      } catch (err) {
        lastErr = err; // taken: try the next one
      }
    }
    throw new TftpError('socket', `no free port in ${lo}-${hi}`, { cause: lastErr });
  };

  const clientCount = (address: string): number => perClient.get(address) ?? 0;
  const addClient = (address: string, delta: number): void => {
    const n = clientCount(address) + delta;
    if (n <= 0) perClient.delete(address);
    else perClient.set(address, n);
  };

  const onRequest = (listener: UdpEndpoint, msg: Buffer, from: UdpPeer): void => {
    let packet;
    try {
      packet = decodeTftpPacket(msg).value;
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      counters.malformed++;
      log.debug('malformed request dropped', { peer: `${from.address}:${from.port}`, reason: err.message });
      return;
    }
    if (packet.kind !== 'rrq' && packet.kind !== 'wrq') {
      counters.unexpected++;
      log.debug('not a request on the request port', { peer: `${from.address}:${from.port}`, kind: packet.kind });
      // Never answer an ERROR with an ERROR; other stray packets learn they went to the wrong port.
      if (packet.kind !== 'error') sendFrom(listener, encodeError(TFTP_ERROR.unknownTransferId, 'unknown transfer ID'), from);
      return;
    }
    counters.requests++;
    if (packet.kind === 'rrq') counters.reads++;
    else counters.writes++;
    if (!accepting) return;
    const peerKey = `${from.address}:${from.port}`;
    const existing = openings.get(peerKey);
    if (existing && existing.kind === packet.kind && existing.filename === packet.filename) {
      // The client repeated its request before our first answer reached it: the transfer
      // just opened for that port answers it; a second one would only collide.
      counters.duplicateRequests++;
      log.debug('repeated request ignored', { peer: peerKey, file: packet.filename });
      return;
    }
    if (active.size + pending >= maxTransfers || clientCount(from.address) >= maxPerClient) {
      counters.busy++;
      log.info('busy: request refused', { peer: `${from.address}:${from.port}`, file: packet.filename });
      sendFrom(listener, encodeError(TFTP_ERROR.notDefined, BUSY_MESSAGE), from);
      emit('busy', { peer: from, file: packet.filename });
      return;
    }
    pending++;
    const opening = { kind: packet.kind, filename: packet.filename };
    openings.set(peerKey, opening);
    const opened = (): void => {
      if (openings.get(peerKey) === opening) openings.delete(peerKey);
    };
    addClient(from.address, 1);
    const id = `t${nextId++}`;
    const started = runTransfer(id, listener.local().address, packet, from, opened).finally(() => {
      addClient(from.address, -1);
      opened();
    });
    started.catch((err: unknown) => {
      log.error('transfer crashed', { id, err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    });
  };

  const refuse = (ep: UdpEndpoint, req: TftpRequest, to: UdpPeer, code: number, message: string, registration?: Registration): void => {
    registration?.opened(); // the client may ask again right after this answer
    counters.refused++;
    const direction: TransferDirection = req.kind === 'rrq' ? 'read' : 'write';
    log.info('request refused', { peer: `${to.address}:${to.port}`, file: req.filename, direction, code, message });
    sendFrom(ep, encodeError(code, message), to);
    emit('refused', { peer: to, file: req.filename, direction, code, message });
  };

  const runTransfer = async (id: string, localAddress: string, req: TftpRequest, peer: UdpPeer, opened: () => void): Promise<void> => {
    let ep: UdpEndpoint;
    try {
      ep = await bindTransfer(localAddress);
    } catch (err) {
      pending--;
      counters.busy++;
      log.warn('no transfer socket', { id, err: errorMessage(err) });
      const listener = listeners.find((l) => l.local().address === localAddress) ?? listeners[0];
      if (listener) sendFrom(listener, encodeError(TFTP_ERROR.notDefined, BUSY_MESSAGE), peer);
      return;
    }
    const registered = { value: false, opened };
    try {
      if (req.kind === 'rrq') await runRead(id, ep, req, peer, registered);
      else await runWrite(id, ep, req, peer, registered);
    } catch (err) {
      // An unexpected failure ends only this exchange: log it with its stack, tell the client.
      log.error('transfer failed unexpectedly', { id, err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
      if (!registered.value) refuse(ep, req, peer, TFTP_ERROR.notDefined, 'internal server error', registered);
    } finally {
      if (!registered.value) pending--;
      await ep.close();
    }
  };

  /** Registers a started transfer; call `end()` on it when it is over. */
  const register = (id: string, peer: UdpPeer, params: TransferParams, subject: TransferSubject, registered: Registration): Active => {
    pending--;
    registered.value = true;
    const { file, direction, size, origin } = subject;
    const started = {
      id,
      peer,
      file,
      direction,
      ...(size !== undefined ? { size } : {}),
      blksize: params.blksize,
      windowsize: params.windowsize,
    };
    let end: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      end = resolve;
    });
    const a: Active = { info: { ...started, bytes: 0, startedAt: clock.now() }, finished, end };
    active.set(id, a);
    counters.started++;
    counters.active = active.size;
    emit('started', { ...started, ...(origin !== undefined ? { origin } : {}) });
    return a;
  };

  /** Driver settings both directions share: socket, peer, timing, busy polling, counters. */
  const driverOptions = (id: string, ep: UdpEndpoint, peer: UdpPeer, params: TransferParams): DriverOptions => ({
    endpoint: ep,
    peer,
    clock,
    windowsize: params.windowsize,
    timeoutMs: params.timeoutMs ?? timeoutMs,
    maxRetries: retries,
    onSendError,
    // The driver closes the session when the transfer ends.
    busyPoll: busyPoller.session(),
    onStranger: () => counters.unknownTid++,
    onBadPacket: (reason) => {
      counters.unexpected++;
      log.debug('unexpected packet in a transfer', { id, reason });
    },
  });

  const progressReporter = (a: Active, registration: Registration): ((bytes: number) => void) => {
    let lastAt = clock.now();
    let opened = false;
    return (bytes) => {
      if (!opened) {
        opened = true;
        registration.opened();
      }
      a.info.bytes = bytes;
      const now = clock.now();
      if (now - lastAt < progressMs) return;
      lastAt = now;
      const secs = Math.max(0.001, (now - a.info.startedAt) / 1000);
      emit('progress', { id: a.info.id, bytes, rate: Math.round(bytes / secs) });
    };
  };

  const conclude = (a: Active, r: DrivenResult, savedAs?: string): void => {
    active.delete(a.info.id);
    counters.active = active.size;
    counters.retransmits += r.retransmits;
    if (a.info.direction === 'read') counters.bytesSent += r.bytes;
    else counters.bytesReceived += r.bytes;
    const ms = clock.now() - a.info.startedAt;
    const fields = { id: a.info.id, peer: `${a.info.peer.address}:${a.info.peer.port}`, file: a.info.file, direction: a.info.direction, bytes: r.bytes, ms };
    if (r.result.kind === 'ok') {
      counters.finished++;
      log.info('transfer finished', { ...fields, retransmits: r.retransmits, ...(savedAs ? { savedAs } : {}) });
      emit('finished', { id: a.info.id, peer: a.info.peer, file: a.info.file, direction: a.info.direction, bytes: r.bytes, ms, ...(savedAs ? { savedAs } : {}) });
    } else {
      counters.failed++;
      const reason = describeTransferFailure(r.result);
      // PXE firmware asks for tsize, reads the OACK and aborts with an ERROR on purpose: not a fault.
      if (r.result.kind === 'peer-error') log.info('transfer ended by the client', { ...fields, reason });
      else log.warn('transfer failed', { ...fields, reason });
      emit('failed', { id: a.info.id, peer: a.info.peer, file: a.info.file, direction: a.info.direction, reason, outcome: r.result, bytes: r.bytes });
    }
  };

  const runRead = async (id: string, ep: UdpEndpoint, req: TftpRequest, peer: UdpPeer, registered: Registration): Promise<void> => {
    const opened = await options.storage.openRead(req.filename, { peer });
    if (opened.kind === 'error') {
      refuse(ep, req, peer, opened.code, opened.message, registered);
      return;
    }
    const source: ReadSource = opened.value;
    try {
      const n = negotiate(req, { ...policy, fileSize: source.size });
      if (n.kind === 'error') {
        refuse(ep, req, peer, n.code, n.message, registered);
        return;
      }
      if (!accepting) {
        refuse(ep, req, peer, TFTP_ERROR.notDefined, 'server shutting down', registered);
        return;
      }
      const { params } = n;
      const a = register(id, peer, params, { file: source.displayName, direction: 'read', size: source.size, origin: source.origin }, registered);
      log.debug('read started', { id, peer: `${peer.address}:${peer.port}`, file: source.displayName, origin: source.origin, ...params });
      try {
        const feed = new BlockFeed((o, l) => source.read(o, l), source.size, params.mode, params.blksize);
        a.driven = driveSender({
          ...driverOptions(id, ep, peer, params),
          feed,
          ...(n.oack.length > 0 ? { oack: encodeTftpPacket({ kind: 'oack', options: n.oack }) } : {}),
          onProgress: progressReporter(a, registered),
          onLocalError: (err) => log.error('reading a file failed', { id, file: source.displayName, err: errorMessage(err) }),
        });
        const r = await a.driven.done;
        await a.driven.settled;
        conclude(a, r);
      } finally {
        a.end();
      }
    } finally {
      await source.close().catch((err: unknown) => log.warn('closing a file failed', { id, err: errorMessage(err) }));
    }
  };

  const runWrite = async (id: string, ep: UdpEndpoint, req: TftpRequest, peer: UdpPeer, registered: Registration): Promise<void> => {
    const n = negotiate(req, policy);
    if (n.kind === 'error') {
      refuse(ep, req, peer, n.code, n.message, registered);
      return;
    }
    const { params } = n;
    const opened = await options.storage.openWrite(req.filename, {
      peer,
      ...(params.tsize !== undefined ? { tsize: params.tsize } : {}),
    });
    if (opened.kind === 'error') {
      refuse(ep, req, peer, opened.code, opened.message, registered);
      return;
    }
    const target: UploadTarget = opened.value;
    if (!accepting) {
      await target.abort();
      refuse(ep, req, peer, TFTP_ERROR.notDefined, 'server shutting down', registered);
      return;
    }
    const a = register(id, peer, params, { file: req.filename, direction: 'write', size: params.tsize }, registered);
    const writer = new ChunkWriter((o, d) => target.write(o, d));
    const netascii = params.mode === 'netascii' ? new NetasciiDecoder() : undefined;
    let savedAs: string | undefined;
    const report = progressReporter(a, registered);
    try {
      a.driven = driveReceiver({
        ...driverOptions(id, ep, peer, params),
        blksize: params.blksize,
        opening: n.oack.length > 0 ? encodeTftpPacket({ kind: 'oack', options: n.oack }) : encodeAck(0),
        deliver: (data) => writer.push(netascii ? netascii.push(data) : data),
        onProgress: (bytes) => {
          report(bytes);
          if (writer.error !== undefined) {
            const f = uploadFailure(writer.error);
            a.driven?.abort(f.code, f.message);
          }
        },
        beforeFinalAck: async () => {
          if (netascii) writer.push(netascii.end());
          try {
            await writer.close();
            savedAs = (await target.commit()).savedAs;
          } catch (err) {
            log.warn('upload could not be saved', { id, file: req.filename, err: errorMessage(err) });
            return uploadFailure(err);
          }
          return undefined;
        },
      });
      const r = await a.driven.done;
      if (r.result.kind !== 'ok' || savedAs === undefined) {
        await writer.close().catch((err: unknown) => log.debug('discarding a failed upload', { id, err: errorMessage(err) }));
        await target.abort();
      }
      conclude(a, r, savedAs);
      await a.driven.settled;
    } finally {
      a.end();
    }
  };

  const server: TftpServer = {
    async start() {
      if (accepting) return;
      const specs = options.listen ?? [{ address: '0.0.0.0', port: 69 }];
      try {
        for (const spec of specs) {
          const ep = await bind(spec.address, spec.port ?? 69);
          ep.onMessage((msg, from) => onRequest(ep, msg, from));
          ep.onError((err) => log.error('listening socket error', { err: err.message }));
          listeners.push(ep);
        }
      } catch (err) {
        await Promise.all(listeners.splice(0).map((l) => l.close()));
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES') {
          throw new TftpError('port-in-use', `cannot listen for TFTP: ${errorMessage(err)}`, { cause: err });
        }
        throw new TftpError('socket', `cannot listen for TFTP: ${errorMessage(err)}`, { cause: err });
      }
      accepting = true;
      log.info('TFTP server listening', { on: listeners.map((l) => `${l.local().address}:${l.local().port}`).join(' ') });
    },
    async stop(graceMs = 0) {
      accepting = false;
      await Promise.all(listeners.splice(0).map((l) => l.close()));
      const running = [...active.values()];
      if (running.length > 0 && graceMs > 0) {
        let timer: { cancel(): void } | undefined;
        await Promise.race([
          Promise.all(running.map((a) => a.finished)),
          new Promise<void>((resolve) => {
            timer = clock.setTimer(graceMs, resolve);
          }),
        ]);
        timer?.cancel();
      }
      for (const a of active.values()) a.driven?.abort(TFTP_ERROR.notDefined, 'server shutting down');
      await Promise.all([...active.values()].map((a) => a.finished));
    },
    addresses() {
      return listeners.map((l) => l.local());
    },
    counters() {
      return { ...counters };
    },
    transfers() {
      return [...active.values()].map((a) => ({ ...a.info }));
    },
    on(event, listener) {
      emitter.on(event, listener);
      return server;
    },
    off(event, listener) {
      emitter.off(event, listener);
      return server;
    },
  };
  return server;
}

/** The ERROR for a failed upload write/commit: storage errors carry a client-safe message and code. */
function uploadFailure(err: unknown): { code: number; message: string } {
  if (isTftpStorageError(err)) return { code: err.tftpCode, message: err.message };
  return { code: TFTP_ERROR.notDefined, message: 'could not write the file' };
}
