/**
 * The UDP seam shared by the DHCP and TFTP servers: a real `node:dgram` socket and
 * an in-memory pair satisfy the same `UdpEndpoint`, so servers are tested without
 * the network.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIPv4 } from 'node:net';
import { loadSockopt, withoutDep0112 } from './sockopt.js';

/** Where a datagram came from or goes to. */
export interface UdpPeer {
  readonly address: string;
  readonly port: number;
}

/** A bound UDP socket, real or in memory. */
export interface UdpEndpoint {
  /** The local address and port. */
  local(): UdpPeer;
  /** Sends one datagram; resolves when the kernel took it, rejects on error. */
  send(data: Uint8Array, to: UdpPeer): Promise<void>;
  /**
   * Sends one datagram without a Promise, for per-block hot paths: `done` runs once,
   * with `null` when the kernel took the datagram or with the send error. Callers must
   * not drop the error (count it, log it or let retransmission cover it knowingly).
   */
  post(data: Uint8Array, to: UdpPeer, done: (err: Error | null) => void): void;
  /**
   * Sends the datagrams packed back to back in `data`, each `segmentBytes` long except a
   * shorter last one: in one system call where the socket can (Linux UDP GSO,
   * `UDP_SEGMENT`), else one by one. `done` runs once, with `null` or the first error.
   */
  postSegments(data: Uint8Array, segmentBytes: number, to: UdpPeer, done: (err: Error | null) => void): void;
  /** Registers the datagram handler (one per endpoint). */
  onMessage(handler: (data: Buffer, from: UdpPeer) => void): void;
  /** Registers an error handler for asynchronous socket errors. */
  onError(handler: (err: Error) => void): void;
  close(): Promise<void>;
}

/** Options for a real endpoint. */
export interface UdpBindOptions {
  readonly address: string;
  readonly port: number;
  readonly reuseAddr?: boolean;
  readonly broadcast?: boolean;
  /** Receive buffer in bytes (the kernel may clamp it). */
  readonly recvBufferBytes?: number;
  readonly sendBufferBytes?: number;
  /** Called after bind, before the endpoint is returned (e.g. SO_BINDTOIFINDEX). */
  readonly afterBind?: (socket: dgram.Socket) => void;
}

/**
 * A `dgram` lookup that answers IPv4 literals at once. The default (`dns.lookup`) answers
 * them too, but one tick later and through a closure per datagram; every peer address
 * here comes from a received datagram or a scope file, so that path is all overhead.
 * Names still go through `dns.lookup`.
 */
export function literalFirstLookup(
  address: string,
  // Node passes the family number (4); the typings say options: both are accepted.
  family: number | dns.LookupOneOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (isIPv4(address)) callback(null, address, 4);
  else if (typeof family === 'number') dns.lookup(address, family, callback);
  else dns.lookup(address, family, callback);
}

/** A per-socket {@link literalFirstLookup} that remembers the last literal, so a transfer's peer is checked once. */
export function cachingLiteralLookup(): typeof literalFirstLookup {
  let lastLiteral = '';
  return (address, family, callback) => {
    if (address === lastLiteral) callback(null, address, 4);
    else if (isIPv4(address)) {
      lastLiteral = address;
      callback(null, address, 4);
    } else literalFirstLookup(address, family, callback);
  };
}

/** Most datagrams in one segmented send (the kernel's UDP_MAX_SEGMENTS is 64 or more). */
export const MAX_SEGMENTS = 64;
/** Most bytes in one segmented send (it must fit one 64 KiB IP packet before segmentation). */
export const MAX_SEGMENTED_BYTES = 65_000;
/** Smallest segment worth a segmented send; also keeps every short control datagram below it. */
export const MIN_SEGMENT_BYTES = 516;

/** Linux: SOL_UDP and UDP_SEGMENT (include/uapi/linux/udp.h). */
const SOL_UDP = 17;
const UDP_SEGMENT = 103;

/** Sets UDP_SEGMENT on a bound socket; false when the platform or kernel cannot. */
function setSegmentSize(socket: dgram.Socket, bytes: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const sockopt = loadSockopt();
    withoutDep0112(() => sockopt.setsockopt(socket, SOL_UDP, UDP_SEGMENT, bytes));
    return true;
  } catch (err) {
    // No sockopt build, or a kernel without UDP GSO (ENOPROTOOPT): send one by one.
    if (err instanceof Error) return false;
    throw err;
  }
}

/** Errors that mean "this socket or route cannot segment", not "the datagrams were lost". */
function isSegmentationRefusal(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EINVAL' || code === 'EIO' || code === 'EMSGSIZE' || code === 'ENOPROTOOPT' || code === 'EOPNOTSUPP';
}

/**
 * Wraps a bound `dgram.Socket` as a UdpEndpoint. `close()` waits for datagrams
 * still being sent: libuv cancels pending sends when the handle closes, so a
 * last ERROR packet sent just before close would otherwise never leave.
 *
 * Segmented sends set UDP_SEGMENT on the socket, which then applies to every send:
 * a single datagram longer than the segment size must not go out while it is set, so
 * it clears the option first, waiting for sends in flight (libuv may still hold some)
 * before changing it. Segment sizes below {@link MIN_SEGMENT_BYTES} are never used,
 * so short control datagrams (OACK, ERROR) never wait.
 */
export function wrapDgramSocket(socket: dgram.Socket): UdpEndpoint {
  let inFlight = 0;
  let drained: (() => void) | undefined;
  /** The UDP_SEGMENT value set on the socket (0 = none). */
  let segmentSize = 0;
  /** Set once a segmented send was refused: this socket sends one by one from then on. */
  let cannotSegment = false;
  /** Datagrams longer than segmentSize, waiting for the sends in flight to finish. */
  const waiting: { data: Uint8Array; to: UdpPeer; done: (err: Error | null) => void }[] = [];
  const settle = (): void => {
    inFlight--;
    if (inFlight > 0) return;
    if (waiting.length > 0) {
      clearSegmentSize();
      for (const w of waiting.splice(0)) raw(w.data, w.to, w.done);
      return;
    }
    if (drained) {
      const d = drained;
      drained = undefined;
      d();
    }
  };
  const clearSegmentSize = (): void => {
    if (segmentSize === 0) return;
    if (!setSegmentSize(socket, 0)) cannotSegment = true;
    segmentSize = 0;
  };
  const raw = (data: Uint8Array, to: UdpPeer, done: (err: Error | null) => void): void => {
    inFlight++;
    socket.send(data, to.port, to.address, (err) => {
      done(err);
      settle();
    });
  };
  /** Sends one datagram, first making sure UDP_SEGMENT cannot split it. */
  const single = (data: Uint8Array, to: UdpPeer, done: (err: Error | null) => void): void => {
    if (segmentSize !== 0 && (cannotSegment || data.length > segmentSize)) {
      if (inFlight > 0) {
        waiting.push({ data, to, done });
        return;
      }
      clearSegmentSize();
    }
    raw(data, to, done);
  };
  const oneByOne = (data: Uint8Array, segment: number, to: UdpPeer, done: (err: Error | null) => void): void => {
    let left = Math.ceil(data.length / segment);
    let first: Error | null = null;
    for (let at = 0; at < data.length; at += segment) {
      single(data.subarray(at, Math.min(at + segment, data.length)), to, (err) => {
        if (err && !first) first = err;
        if (--left === 0) done(first);
      });
    }
  };
  return {
    local() {
      const a = socket.address();
      return { address: a.address, port: a.port };
    },
    send(data, to) {
      return new Promise((resolve, reject) => {
        single(data, to, (err) => {
          if (err) reject(err);
          else resolve();
        });
      });
    },
    post(data, to, done) {
      single(data, to, done);
    },
    postSegments(data, segment, to, done) {
      const count = Math.ceil(data.length / segment);
      if (count <= 1) {
        single(data, to, done);
        return;
      }
      const fits = count <= MAX_SEGMENTS && data.length <= MAX_SEGMENTED_BYTES && segment >= MIN_SEGMENT_BYTES;
      if (cannotSegment || !fits || (segment !== segmentSize && inFlight > 0)) {
        oneByOne(data, segment, to, done);
        return;
      }
      if (segment !== segmentSize) {
        if (!setSegmentSize(socket, segment)) {
          cannotSegment = true;
          oneByOne(data, segment, to, done);
          return;
        }
        segmentSize = segment;
      }
      raw(data, to, (err) => {
        if (err && isSegmentationRefusal(err)) {
          // The route's MTU is below the segment, or the kernel refuses: never again here.
          // The datagrams wait (in `single`) until the option can be cleared.
          cannotSegment = true;
          oneByOne(data, segment, to, done);
          return;
        }
        done(err);
      });
    },
    onMessage(handler) {
      socket.on('message', (msg, rinfo) => handler(msg, { address: rinfo.address, port: rinfo.port }));
    },
    onError(handler) {
      socket.on('error', handler);
    },
    async close() {
      if (inFlight > 0 || waiting.length > 0) await new Promise<void>((resolve) => (drained = resolve));
      return new Promise((resolve) => {
        try {
          socket.close(() => resolve());
        } catch (err) {
          // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed, which is what close() wants.
          if ((err as NodeJS.ErrnoException).code === 'ERR_SOCKET_DGRAM_NOT_RUNNING') resolve();
          else throw err;
        }
      });
    },
  };
}

/** Binds a real UDP socket and returns it as an endpoint. */
export function bindUdp(options: UdpBindOptions): Promise<UdpEndpoint> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({
      type: 'udp4',
      reuseAddr: options.reuseAddr ?? false,
      lookup: cachingLiteralLookup(),
      ...(options.recvBufferBytes ? { recvBufferSize: options.recvBufferBytes } : {}),
      ...(options.sendBufferBytes ? { sendBufferSize: options.sendBufferBytes } : {}),
    });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ address: options.address, port: options.port, exclusive: true }, () => {
      socket.removeListener('error', onError);
      try {
        if (options.broadcast) socket.setBroadcast(true);
        options.afterBind?.(socket);
      } catch (err) {
        socket.close();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      resolve(wrapDgramSocket(socket));
    });
  });
}

/**
 * An in-memory network: endpoints created on it deliver to each other by address
 * and port, asynchronously (on the microtask queue), like a lossless loopback.
 */
export class MemoryNetwork {
  private readonly endpoints = new Map<string, MemoryEndpoint>();
  private nextPort = 40000;
  /** Every datagram sent, for assertions. */
  readonly sent: { from: UdpPeer; to: UdpPeer; data: Buffer }[] = [];
  /** Return false to drop a datagram (loss simulation). */
  filter: (from: UdpPeer, to: UdpPeer, data: Buffer) => boolean = () => true;

  /** Creates an endpoint at `address:port` (port 0 picks a free one). */
  bind(address: string, port = 0): UdpEndpoint {
    const p = port === 0 ? this.nextPort++ : port;
    const key = `${address}:${p}`;
    if (this.endpoints.has(key)) throw new Error(`EADDRINUSE ${key}`);
    const ep = new MemoryEndpoint(this, { address, port: p });
    this.endpoints.set(key, ep);
    return ep;
  }

  /** @internal */
  deliver(from: UdpPeer, to: UdpPeer, data: Buffer): void {
    this.sent.push({ from, to, data });
    if (!this.filter(from, to, data)) return;
    const target = this.endpoints.get(`${to.address}:${to.port}`);
    if (target) queueMicrotask(() => target.receive(data, from));
  }

  /** @internal */
  unbind(peer: UdpPeer): void {
    this.endpoints.delete(`${peer.address}:${peer.port}`);
  }
}

class MemoryEndpoint implements UdpEndpoint {
  private handler: ((data: Buffer, from: UdpPeer) => void) | undefined;
  private closed = false;

  constructor(
    private readonly net: MemoryNetwork,
    private readonly self: UdpPeer,
  ) {}

  local(): UdpPeer {
    return this.self;
  }

  send(data: Uint8Array, to: UdpPeer): Promise<void> {
    if (this.closed) return Promise.reject(new Error('endpoint closed'));
    this.net.deliver(this.self, to, Buffer.from(data));
    return Promise.resolve();
  }

  postSegments(data: Uint8Array, segmentBytes: number, to: UdpPeer, done: (err: Error | null) => void): void {
    if (this.closed) {
      queueMicrotask(() => done(new Error('endpoint closed')));
      return;
    }
    for (let at = 0; at < data.length; at += segmentBytes) {
      this.net.deliver(this.self, to, Buffer.from(data.subarray(at, Math.min(at + segmentBytes, data.length))));
    }
    queueMicrotask(() => done(null));
  }

  post(data: Uint8Array, to: UdpPeer, done: (err: Error | null) => void): void {
    if (this.closed) {
      queueMicrotask(() => done(new Error('endpoint closed')));
      return;
    }
    // Copied at once, like the kernel does: the caller may reuse `data` when `done` runs.
    this.net.deliver(this.self, to, Buffer.from(data));
    queueMicrotask(() => done(null));
  }

  onMessage(handler: (data: Buffer, from: UdpPeer) => void): void {
    this.handler = handler;
  }

  onError(): void {
    // In-memory endpoints have no asynchronous errors to report.
  }

  receive(data: Buffer, from: UdpPeer): void {
    if (!this.closed) this.handler?.(data, from);
  }

  close(): Promise<void> {
    this.closed = true;
    this.net.unbind(this.self);
    return Promise.resolve();
  }
}
