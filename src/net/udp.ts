/**
 * Real UDP sockets for the DHCP and TFTP servers: binding one (with buffer sizes, and
 * an address lookup that answers IPv4 literals at once) behind the UdpEndpoint seam.
 * The seam, the socket wrapper and the in-memory network live beside this file and
 * are re-exported here.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIPv4 } from 'node:net';
import { wrapDgramSocket } from './dgram-endpoint.js';
import type { UdpEndpoint } from './udp-endpoint.js';

export type { UdpEndpoint, UdpPeer } from './udp-endpoint.js';
export { MAX_SEGMENTED_BYTES, MAX_SEGMENTS, MIN_SEGMENT_BYTES, wrapDgramSocket } from './dgram-endpoint.js';
export { MemoryNetwork } from './memory-udp.js';

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

/** Binds a real UDP socket and returns it as an endpoint. */
export async function bindUdp(options: UdpBindOptions): Promise<UdpEndpoint> {
  return wrapDgramSocket(await bindDgram(options));
}

/** Binds a real UDP socket (what {@link bindUdp} wraps; the root parent of a privilege split hands it over as it is). */
export function bindDgram(options: UdpBindOptions): Promise<dgram.Socket> {
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
      resolve(socket);
    });
  });
}
