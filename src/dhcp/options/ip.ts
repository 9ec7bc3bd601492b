/**
 * Address families: one IPv4 address (e.g. option 1, RFC 2132 §3.3), a list of them
 * (options 3, 6, 150; RFC 2132 §3.5, RFC 5859), and destination/router pairs
 * (option 33, RFC 2132 §5.8).
 */
import { ipv4FromBytes, ipv4ToBytes, isIpv4, type Ipv4 } from '../../net/ipv4.js';
import { asList, concat, exact, fail, fixed, show, type OptionCodec } from './codec.js';
import type { OptionDef } from './registry.js';

/** A route as text: "destination router" or "destination via router". */
export const ROUTE_TEXT = /^\s*(\S+)\s+(?:via\s+)?(\S+)\s*$/;

function ipBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value !== 'string' || !isIpv4(value)) fail(def, `${show(value)} is not an IPv4 address`);
  return ipv4ToBytes(value as Ipv4);
}

/** One address, 4 bytes. */
export const ipCodec: OptionCodec<Ipv4> = {
  encode: ipBytes,
  decode(def, bytes) {
    exact(def, bytes, 4);
    return ipv4FromBytes(bytes);
  },
};

/** Addresses, 4·n bytes. */
export const ipListCodec: OptionCodec<Ipv4[]> = {
  encode: (def, value) => concat(asList(value).map((v) => ipBytes(def, v))),
  decode(def, bytes) {
    fixed(def, bytes, 4);
    return Array.from({ length: bytes.length / 4 }, (_, i) => ipv4FromBytes(bytes, i * 4));
  },
};

/** Destination/router pairs, 8·n bytes, written "destination router". */
export const ipPairsCodec: OptionCodec<string[]> = {
  encode(def, value) {
    return concat(
      asList(value).map((v) => {
        const route = typeof v === 'string' ? ROUTE_TEXT.exec(v) : null;
        if (!route) fail(def, `${show(v)} is not "destination router"`);
        return concat([ipBytes(def, route[1]), ipBytes(def, route[2])]);
      }),
    );
  },
  decode(def, bytes) {
    fixed(def, bytes, 8);
    return Array.from({ length: bytes.length / 8 }, (_, i) => `${ipv4FromBytes(bytes, i * 8)} ${ipv4FromBytes(bytes, i * 8 + 4)}`);
  },
};
