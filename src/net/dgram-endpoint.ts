/**
 * A real UDP socket (`node:dgram`) behind the UdpEndpoint seam, with segmented sends
 * (Linux UDP GSO, `UDP_SEGMENT`) for TFTP bursts and a close that lets the last
 * datagrams leave.
 */
import type dgram from 'node:dgram';
import { errnoCode } from '../errno.js';
import { loadSockopt, withoutDep0112 } from './sockopt.js';
import type { UdpEndpoint, UdpPeer } from './udp-endpoint.js';

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
  const code = errnoCode(err);
  return code === 'EINVAL' || code === 'EIO' || code === 'EMSGSIZE' || code === 'ENOPROTOOPT' || code === 'EOPNOTSUPP';
}

/** A bound `dgram.Socket` as a UdpEndpoint (see {@link wrapDgramSocket}). */
class DgramEndpoint implements UdpEndpoint {
  private inFlight = 0;
  private drained: (() => void) | undefined;
  /** The UDP_SEGMENT value set on the socket (0 = none). */
  private segmentSize = 0;
  /** Set once a segmented send was refused: this socket sends one by one from then on. */
  private cannotSegment = false;
  /** Datagrams longer than segmentSize, waiting for the sends in flight to finish. */
  private readonly waiting: { data: Uint8Array; to: UdpPeer; done: (err: Error | null) => void }[] = [];

  constructor(private readonly socket: dgram.Socket) {}

  local(): UdpPeer {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  send(data: Uint8Array, to: UdpPeer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.single(data, to, (err) => {
        if (err) reject(err);
        else resolve();
      });
    });
  }

  post(data: Uint8Array, to: UdpPeer, done: (err: Error | null) => void): void {
    this.single(data, to, done);
  }

  postSegments(data: Uint8Array, segment: number, to: UdpPeer, done: (err: Error | null) => void): void {
    const count = Math.ceil(data.length / segment);
    if (count <= 1) {
      this.single(data, to, done);
      return;
    }
    const fits = count <= MAX_SEGMENTS && data.length <= MAX_SEGMENTED_BYTES && segment >= MIN_SEGMENT_BYTES;
    if (this.cannotSegment || !fits || (segment !== this.segmentSize && this.inFlight > 0)) {
      this.oneByOne(data, segment, to, done);
      return;
    }
    if (segment !== this.segmentSize) {
      if (!setSegmentSize(this.socket, segment)) {
        this.cannotSegment = true;
        this.oneByOne(data, segment, to, done);
        return;
      }
      this.segmentSize = segment;
    }
    this.raw(data, to, (err) => {
      if (err && isSegmentationRefusal(err)) {
        // The route's MTU is below the segment, or the kernel refuses: never again here.
        // The datagrams wait (in `single`) until the option can be cleared.
        this.cannotSegment = true;
        this.oneByOne(data, segment, to, done);
        return;
      }
      done(err);
    });
  }

  onMessage(handler: (data: Buffer, from: UdpPeer) => void): void {
    this.socket.on('message', (msg, rinfo) => handler(msg, { address: rinfo.address, port: rinfo.port }));
  }

  onError(handler: (err: Error) => void): void {
    this.socket.on('error', handler);
  }

  async close(): Promise<void> {
    if (this.inFlight > 0 || this.waiting.length > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch (err) {
        // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed, which is what close() wants.
        if (errnoCode(err) === 'ERR_SOCKET_DGRAM_NOT_RUNNING') resolve();
        else throw err;
      }
    });
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight > 0) return;
    if (this.waiting.length > 0) {
      this.clearSegmentSize();
      for (const w of this.waiting.splice(0)) this.raw(w.data, w.to, w.done);
      return;
    }
    if (this.drained) {
      const d = this.drained;
      this.drained = undefined;
      d();
    }
  }

  private clearSegmentSize(): void {
    if (this.segmentSize === 0) return;
    if (!setSegmentSize(this.socket, 0)) this.cannotSegment = true;
    this.segmentSize = 0;
  }

  private raw(data: Uint8Array, to: UdpPeer, done: (err: Error | null) => void): void {
    this.inFlight++;
    this.socket.send(data, to.port, to.address, (err) => {
      done(err);
      this.settle();
    });
  }

  /** Sends one datagram, first making sure UDP_SEGMENT cannot split it. */
  private single(data: Uint8Array, to: UdpPeer, done: (err: Error | null) => void): void {
    if (this.segmentSize !== 0 && (this.cannotSegment || data.length > this.segmentSize)) {
      if (this.inFlight > 0) {
        this.waiting.push({ data, to, done });
        return;
      }
      this.clearSegmentSize();
    }
    this.raw(data, to, done);
  }

  private oneByOne(data: Uint8Array, segment: number, to: UdpPeer, done: (err: Error | null) => void): void {
    let left = Math.ceil(data.length / segment);
    let first: Error | null = null;
    for (let at = 0; at < data.length; at += segment) {
      this.single(data.subarray(at, Math.min(at + segment, data.length)), to, (err) => {
        if (err && !first) first = err;
        if (--left === 0) done(first);
      });
    }
  }
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
  return new DgramEndpoint(socket);
}
