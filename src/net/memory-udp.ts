/**
 * An in-memory UDP network for tests: endpoints deliver to each other by address and
 * port on the microtask queue, like a lossless loopback, with a filter to simulate loss.
 */
import type { UdpEndpoint, UdpPeer } from './udp-endpoint.js';

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

/** One endpoint of a MemoryNetwork. */
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
