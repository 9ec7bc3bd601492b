/**
 * The first step of the receive loop: a datagram becomes a packet or a DecodeError
 * (malformed input is normal traffic, not an exception), and the bounded set of
 * sources already logged, so a noisy sender costs one debug line; then the packets
 * that are not this server's to answer, and how an unexpected failure is recorded.
 */
import { errorMessage } from '../errno.js';
import type { Logger } from '../log.js';
import { DecodeError } from '../net/bytes.js';
import { BOOTP_OP } from './constants.js';
import type { DhcpCounters } from './counters.js';
import { decodeDhcpPacket, type DhcpPacket } from './packet.js';

/** A datagram read: the packet, or why it is not one. */
export type DecodedDatagram = { readonly kind: 'packet'; readonly packet: DhcpPacket } | { readonly kind: 'malformed'; readonly error: DecodeError };

/** Decodes one datagram; only a DecodeError becomes `malformed`, anything else is thrown. */
export function decodeDatagram(data: Uint8Array): DecodedDatagram {
  try {
    return { kind: 'packet', packet: decodeDhcpPacket(data).value };
  } catch (err) {
    if (err instanceof DecodeError) return { kind: 'malformed', error: err };
    throw err;
  }
}

/** Sources seen so far, forgotten all at once when `limit` is reached (memory stays bounded). */
export class SeenSources {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  /** True the first time `source` is seen (since the last reset). */
  isNew(source: string): boolean {
    if (this.seen.has(source)) return false;
    if (this.seen.size >= this.limit) this.seen.clear();
    this.seen.add(source);
    return true;
  }
}

/**
 * Step 1 of the receive loop: bytes → packet. Malformed input is normal traffic: counted,
 * logged at debug level once per source (interface and peer), dropped (undefined).
 */
export function readDatagram(data: Uint8Array, interfaceName: string, from: { readonly address: string; readonly port: number }, counters: DhcpCounters, seen: SeenSources, log: Logger): DhcpPacket | undefined {
  const decoded = decodeDatagram(data);
  if (decoded.kind === 'packet') return decoded.packet;
  counters.decodeErrors++;
  const peer = `${from.address}:${from.port}`;
  if (seen.isNew(`${interfaceName}/${peer}`)) {
    log.debug('dropping a malformed datagram (logged once per source)', { interface: interfaceName, peer, bytes: data.length, offset: decoded.error.offset, reason: decoded.error.reason });
  }
  return undefined;
}

/** Step 2: only BOOTREQUESTs, only on interfaces some scope serves; anything else is counted and dropped. */
export function isServedRequest(packet: DhcpPacket, interfaceName: string, scopes: readonly { readonly interface: string }[], counters: DhcpCounters, log: Logger): boolean {
  if (packet.op !== BOOTP_OP.BOOTREQUEST) {
    counters.countDrop(undefined, 'not-a-request');
    log.debug('dropping a datagram that is not a BOOTREQUEST', { interface: interfaceName, xid: packet.xid, op: packet.op });
    return false;
  }
  if (!scopes.some((s) => s.interface === interfaceName)) {
    // Reachable after a reload removed the last scope of a socket that is still closing.
    counters.countDrop(undefined, 'no-scope-on-interface');
    return false;
  }
  return true;
}

/** An unexpected failure inside one datagram's handling: counted and logged with its stack; it ends only that exchange. */
export function noteInternalError(err: unknown, interfaceName: string, from: { readonly address: string; readonly port: number }, counters: DhcpCounters, log: Logger): void {
  counters.internalErrors++;
  log.error('unexpected failure while handling a DHCP datagram', {
    code: 'BB_INTERNAL',
    interface: interfaceName,
    peer: `${from.address}:${from.port}`,
    err: errorMessage(err),
    stack: err instanceof Error ? err.stack : undefined,
  });
}
