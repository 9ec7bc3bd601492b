/**
 * The UDP seam shared by the DHCP and TFTP servers: what a bound socket offers, so a
 * real `node:dgram` socket (dgram-endpoint.ts) and an in-memory one (memory-udp.ts)
 * are interchangeable and servers are tested without the network.
 */

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
