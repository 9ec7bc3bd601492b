/**
 * Classless static routes, option 121 (RFC 3442 §3): each route is a width byte, the
 * significant octets of the destination, and the router. Written in a scope file as
 * "10.20.0.0/16 via 10.0.0.254" or { destination, router }.
 */
import { ByteReader, DecodeError } from '../../net/bytes.js';
import { ipv4FromBytes, ipv4ToBytes, ipv4ToInt, isIpv4, prefixToMaskInt, type Ipv4 } from '../../net/ipv4.js';
import { asItems, concat, fail, show, type OptionCodec } from './codec.js';
import { ROUTE_TEXT } from './ip.js';
import type { OptionDef } from './registry.js';

/** One classless route (RFC 3442) as the codec decodes it. */
export interface ClasslessRoute {
  /** `network/prefix`. */
  readonly destination: string;
  readonly router: Ipv4;
}

/** Routes of option 121. */
export const classlessRoutesCodec: OptionCodec<ClasslessRoute[]> = {
  encode: (def, value) => concat(asItems(value).map((v) => routeBytes(def, v))),
  decode: (_def, bytes) => decodeRoutes(bytes),
};

function parseRoute(def: OptionDef, value: unknown): { dest: Ipv4; prefix: number; router: Ipv4 } {
  let destText: unknown;
  let routerText: unknown;
  if (typeof value === 'string') {
    const m = ROUTE_TEXT.exec(value);
    if (!m) fail(def, `${show(value)} is not a route (expected "10.20.0.0/16 via 10.0.0.254")`);
    destText = m[1];
    routerText = m[2];
  } else if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    destText = o['destination'] ?? o['network'];
    routerText = o['router'] ?? o['gateway'];
  } else {
    fail(def, `${show(value)} is not a route`);
  }
  const dm = typeof destText === 'string' ? /^([^/]+)\/(\d{1,2})$/.exec(destText) : null;
  if (!dm || dm[1] === undefined || !isIpv4(dm[1]) || Number(dm[2]) > 32) {
    fail(def, `${show(destText)} is not a destination subnet (expected a.b.c.d/len)`);
  }
  const prefix = Number(dm[2]);
  const dest = dm[1] as Ipv4;
  if ((ipv4ToInt(dest) & ~prefixToMaskInt(prefix)) >>> 0 !== 0) {
    fail(def, `${show(destText)} has host bits set`);
  }
  if (typeof routerText !== 'string' || !isIpv4(routerText)) fail(def, `${show(routerText)} is not an IPv4 router address`);
  return { dest, prefix, router: routerText as Ipv4 };
}

/** RFC 3442 §3: width byte, significant octets of the destination, router. */
function routeBytes(def: OptionDef, value: unknown): Uint8Array {
  const { dest, prefix, router } = parseRoute(def, value);
  const significant = ipv4ToBytes(dest).subarray(0, Math.ceil(prefix / 8));
  return concat([Uint8Array.of(prefix), significant, ipv4ToBytes(router)]);
}

function decodeRoutes(bytes: Uint8Array): ClasslessRoute[] {
  const r = new ByteReader(bytes);
  const routes: ClasslessRoute[] = [];
  while (r.remaining > 0) {
    const width = r.u8('route width');
    if (width > 32) throw new DecodeError(r.offset - 1, `route width ${width} over 32`);
    const dest = new Uint8Array(4);
    dest.set(r.take(Math.ceil(width / 8), 'route destination'));
    const router = ipv4FromBytes(r.take(4, 'route router'));
    routes.push({ destination: `${ipv4FromBytes(dest)}/${width}`, router });
  }
  return routes;
}
