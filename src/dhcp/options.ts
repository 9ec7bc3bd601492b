/**
 * The DHCP option registry: every option benchboot knows by name, its value type and
 * the RFC section that defines it, plus the value codecs that turn a scope file's
 * value (YAML: strings, numbers, lists, maps) into option bytes and back for display.
 *
 * Any code 1..254 that is not listed is still usable as raw hex (`option-200`, or the
 * number). Pad (0) and End (255) are framing, not options, and are not in the registry.
 *
 * Example (scope file):
 * ```yaml
 * options:
 *   tftp-servers: [10.0.0.1, 10.0.0.2]      # 150, RFC 5859
 *   domain-search: [lab.example, example]   # 119, RFC 3397
 *   classless-static-routes:                # 121, RFC 3442
 *     - 10.20.0.0/16 via 10.0.0.254
 *   vendor-specific:                        # 43, RFC 2132 §8.4
 *     - { code: 1, hex: "0a000001" }
 *   200: "deadbeef"                         # any code as raw hex
 * ```
 */
import { DecodeError, ByteReader, fromHex, toHex } from '../net/bytes.js';
import { ipv4FromBytes, ipv4ToBytes, ipv4ToInt, isIpv4, isMac, macToBytes, parseMac, prefixToMaskInt } from '../net/ipv4.js';
import type { Ipv4 } from '../net/ipv4.js';

/** How an option's value bytes are laid out. */
export type OptionType =
  /** One IPv4 address (4 bytes). */
  | 'ip'
  /** One or more IPv4 addresses (4·n bytes). */
  | 'ip-list'
  /** Pairs of addresses, destination then router (RFC 2132 §5.8). */
  | 'ip-pairs'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'i32'
  /** A list of one-byte values (e.g. option 55). */
  | 'u8-list'
  /** A list of two-byte values (e.g. option 93). */
  | 'u16-list'
  /** One byte, 0 or 1. */
  | 'bool'
  /** NVT ASCII text, sent without a trailing NUL (RFC 2132 §2). */
  | 'string'
  /** Raw bytes, written as hex. */
  | 'hex'
  /** RFC 1035 names, as option 119 carries them (RFC 3397 §2). */
  | 'domain-list'
  /** Classless static routes (RFC 3442 §3). */
  | 'classless-routes'
  /** Encapsulated sub-options code/length/value (RFC 2132 §8.4, RFC 3046 §2.0). */
  | 'sub-options'
  /** Client identifier: type byte + bytes (RFC 2132 §9.14). */
  | 'client-id'
  /** User class: RFC 3004 length-prefixed list, or iPXE's plain text. */
  | 'user-class';

/** One entry of the option registry. */
export interface OptionDef {
  /** Option code, 1..254. */
  readonly code: number;
  /** kebab-case name used in scope files and logs. */
  readonly name: string;
  readonly type: OptionType;
  /** Where it is defined, e.g. "RFC 2132 §9.4". */
  readonly rfc: string;
  /** False when benchboot's engine sets it itself (a scope file may not). */
  readonly configurable: boolean;
  /** Other names accepted by `findOption`. */
  readonly aliases?: readonly string[];
}

/** One sub-option of option 43 or 82, as written in a scope file. */
export type SubOptionValue = { readonly code: number; readonly hex: string } | { readonly code: number; readonly string: string };

/** One classless route (RFC 3442) as `decodeOptionValue` returns it. */
export interface ClasslessRoute {
  /** `network/prefix`. */
  readonly destination: string;
  readonly router: Ipv4;
}

/** What `decodeOptionValue` returns: a value `encodeOptionValue` accepts again. */
export type OptionValue =
  | string
  | number
  | boolean
  | readonly string[]
  | readonly number[]
  | readonly ClasslessRoute[]
  | readonly SubOptionValue[]
  | { readonly type: number; readonly hex: string };

type Def = [code: number, name: string, type: OptionType, rfc: string, configurable?: boolean, aliases?: readonly string[]];

const DEFS: readonly Def[] = [
  [1, 'subnet-mask', 'ip', 'RFC 2132 §3.3', false],
  [2, 'time-offset', 'i32', 'RFC 2132 §3.4'],
  [3, 'routers', 'ip-list', 'RFC 2132 §3.5', true, ['router']],
  [4, 'time-servers', 'ip-list', 'RFC 2132 §3.6'],
  [5, 'ien116-name-servers', 'ip-list', 'RFC 2132 §3.7'],
  [6, 'domain-name-servers', 'ip-list', 'RFC 2132 §3.8', true, ['dns-servers', 'dns']],
  [7, 'log-servers', 'ip-list', 'RFC 2132 §3.9'],
  [12, 'host-name', 'string', 'RFC 2132 §3.14', true, ['hostname']],
  [13, 'boot-file-size', 'u16', 'RFC 2132 §3.15'],
  [15, 'domain-name', 'string', 'RFC 2132 §3.17'],
  [17, 'root-path', 'string', 'RFC 2132 §3.19'],
  [19, 'ip-forwarding', 'bool', 'RFC 2132 §4.1'],
  [23, 'default-ip-ttl', 'u8', 'RFC 2132 §4.5'],
  [26, 'interface-mtu', 'u16', 'RFC 2132 §5.1'],
  [28, 'broadcast-address', 'ip', 'RFC 2132 §5.3'],
  [33, 'static-routes', 'ip-pairs', 'RFC 2132 §5.8'],
  [35, 'arp-cache-timeout', 'u32', 'RFC 2132 §6.2'],
  [40, 'nis-domain', 'string', 'RFC 2132 §8.1'],
  [41, 'nis-servers', 'ip-list', 'RFC 2132 §8.2'],
  [42, 'ntp-servers', 'ip-list', 'RFC 2132 §8.3'],
  [43, 'vendor-specific', 'sub-options', 'RFC 2132 §8.4', true, ['vendor-encapsulated-options']],
  [44, 'netbios-name-servers', 'ip-list', 'RFC 2132 §8.5'],
  [46, 'netbios-node-type', 'u8', 'RFC 2132 §8.7'],
  [50, 'requested-address', 'ip', 'RFC 2132 §9.1', false],
  [51, 'lease-time', 'u32', 'RFC 2132 §9.2', false],
  [52, 'option-overload', 'u8', 'RFC 2132 §9.3', false],
  [53, 'message-type', 'u8', 'RFC 2132 §9.6', false],
  [54, 'server-identifier', 'ip', 'RFC 2132 §9.7', false],
  [55, 'parameter-request-list', 'u8-list', 'RFC 2132 §9.8', false],
  [56, 'message', 'string', 'RFC 2132 §9.9', false],
  [57, 'max-message-size', 'u16', 'RFC 2132 §9.10', false],
  [58, 'renewal-time', 'u32', 'RFC 2132 §9.11', true, ['t1']],
  [59, 'rebinding-time', 'u32', 'RFC 2132 §9.12', true, ['t2']],
  [60, 'vendor-class-identifier', 'string', 'RFC 2132 §9.13', true, ['vendor-class']],
  [61, 'client-identifier', 'client-id', 'RFC 2132 §9.14', false, ['client-id']],
  [66, 'tftp-server-name', 'string', 'RFC 2132 §9.4'],
  [67, 'bootfile-name', 'string', 'RFC 2132 §9.5', true, ['boot-file']],
  [69, 'smtp-servers', 'ip-list', 'RFC 2132 §8.14'],
  [72, 'www-servers', 'ip-list', 'RFC 2132 §8.17'],
  [77, 'user-class', 'user-class', 'RFC 3004 §4'],
  [81, 'client-fqdn', 'hex', 'RFC 4702 §2', false],
  [82, 'relay-agent-information', 'sub-options', 'RFC 3046 §2.0', false, ['relay-agent-info']],
  [90, 'authentication', 'hex', 'RFC 3118 §2'],
  [93, 'client-arch', 'u16-list', 'RFC 4578 §2.1', false],
  [94, 'client-ndi', 'hex', 'RFC 4578 §2.2', false],
  [97, 'client-machine-id', 'hex', 'RFC 4578 §2.3', false, ['uuid-guid']],
  [100, 'posix-timezone', 'string', 'RFC 4833 §2'],
  [101, 'tzdb-timezone', 'string', 'RFC 4833 §2'],
  [114, 'captive-portal', 'string', 'RFC 8910 §2.1'],
  [116, 'auto-configure', 'u8', 'RFC 2563 §2'],
  [118, 'subnet-selection', 'ip', 'RFC 3011 §3', false],
  [119, 'domain-search', 'domain-list', 'RFC 3397 §2'],
  [120, 'sip-servers', 'hex', 'RFC 3361 §3'],
  [121, 'classless-static-routes', 'classless-routes', 'RFC 3442 §3'],
  [125, 'vivso', 'hex', 'RFC 3925 §4'],
  [150, 'tftp-servers', 'ip-list', 'RFC 5859 §3', true, ['tftp-server-address']],
  // 160 was the captive-portal code of RFC 7710; RFC 8910 §2.1 moved it to 114 because
  // Polycom phones already used 160 for their provisioning server URL.
  [160, 'polycom-provisioning-server', 'string', 'RFC 8910 §2.1 (vendor use)'],
  [209, 'pxelinux-configfile', 'string', 'RFC 5071 §5'],
  [210, 'pxelinux-pathprefix', 'string', 'RFC 5071 §6'],
  [211, 'pxelinux-reboottime', 'u32', 'RFC 5071 §7'],
  // 224..254 are site-specific (RFC 3942 §4); these two are the ones phone benches meet.
  [242, 'avaya-ip-phone', 'string', 'RFC 3942 §4 (site-specific; Avaya IP phones)'],
  [252, 'wpad', 'string', 'RFC 3942 §4 (site-specific; WPAD draft)'],
];

const BY_CODE = new Map<number, OptionDef>();
const BY_NAME = new Map<string, OptionDef>();
for (const [code, name, type, rfc, configurable = true, aliases] of DEFS) {
  const def: OptionDef = Object.freeze({ code, name, type, rfc, configurable, ...(aliases ? { aliases } : {}) });
  BY_CODE.set(code, def);
  BY_NAME.set(name, def);
  for (const alias of aliases ?? []) BY_NAME.set(alias, def);
}

/** Every named option, by code. */
export function listOptions(): readonly OptionDef[] {
  return [...BY_CODE.values()];
}

function rawDef(code: number): OptionDef {
  return { code, name: `option-${code}`, type: 'hex', rfc: code >= 224 ? 'RFC 3942 §4 (site-specific)' : 'RFC 2132 §2', configurable: true };
}

/**
 * The definition of an option by code (1..254), numeric text ("150"), name
 * ("tftp-servers"), alias, or `option-N`; undefined for anything else (incl. 0 and 255).
 */
export function findOption(nameOrCode: string | number): OptionDef | undefined {
  let code: number | undefined;
  if (typeof nameOrCode === 'number') code = nameOrCode;
  else if (/^\d{1,3}$/.test(nameOrCode)) code = Number(nameOrCode);
  else {
    const named = BY_NAME.get(nameOrCode.toLowerCase());
    if (named) return named;
    const m = /^option-(\d{1,3})$/.exec(nameOrCode.toLowerCase());
    if (!m) return undefined;
    code = Number(m[1]);
  }
  if (!Number.isInteger(code) || code < 1 || code > 254) return undefined;
  return BY_CODE.get(code) ?? rawDef(code);
}

/** `option 150 (tftp-servers)`, the prefix of every message about an option. */
export function describeOption(def: OptionDef): string {
  return `option ${def.code} (${def.name})`;
}

// ---------------------------------------------------------------- encoding

class ValueError extends RangeError {}

function fail(def: OptionDef, what: string): never {
  throw new ValueError(`${describeOption(def)}: ${what}`);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (err) {
    return `${String(value)} (${err instanceof Error ? err.message : 'unprintable'})`;
  }
}

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((s) => s.length > 0);
  return [value];
}

function ipBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value !== 'string' || !isIpv4(value)) fail(def, `${show(value)} is not an IPv4 address`);
  return ipv4ToBytes(value as Ipv4);
}

function integer(def: OptionDef, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    fail(def, `${show(value)} is not an integer from ${min} to ${max}`);
  }
  return n;
}

function textBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value !== 'string' && typeof value !== 'number') fail(def, `${show(value)} is not text`);
  const text = String(value);
  if (text.length === 0) fail(def, 'empty text (RFC 2132 §2: minimum length is 1)');
  return new TextEncoder().encode(text);
}

function hexBytes(def: OptionDef, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value !== 'string') fail(def, `${show(value)} is not a hex string`);
  try {
    return fromHex(value);
  } catch (err) {
    return fail(def, `${show(value)} is not a hex string (${err instanceof Error ? err.message : 'bad digits'})`);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** RFC 1035 §3.1 name: labels of 1..63 bytes, whole name at most 255 bytes. */
function domainBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value !== 'string') fail(def, `${show(value)} is not a domain name`);
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0) fail(def, 'empty domain name');
  const parts: Uint8Array[] = [];
  for (const label of name.split('.')) {
    if (!/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(label) || label.length > 63) {
      fail(def, `${show(value)} is not a domain name (label ${show(label)})`);
    }
    parts.push(Uint8Array.of(label.length), new TextEncoder().encode(label));
  }
  parts.push(Uint8Array.of(0));
  const out = concat(parts);
  if (out.length > 255) fail(def, `${show(value)} is longer than 255 bytes`);
  return out;
}

/** A route as text: "destination router" or "destination via router". */
const ROUTE_TEXT = /^\s*(\S+)\s+(?:via\s+)?(\S+)\s*$/;

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

/** PXE's End sub-option: one byte, no length (PXE 2.1 §2.4). */
const SUB_OPTION_END = 255;

function subOptionBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(def, `${show(value)} is not a sub-option {code, hex|string}`);
  const o = value as Record<string, unknown>;
  const code = integer(def, o['code'], 1, 255);
  if (code === SUB_OPTION_END) {
    if ((o['hex'] ?? '') !== '' || o['string'] !== undefined) fail(def, 'sub-option 255 is End and carries no value');
    return Uint8Array.of(SUB_OPTION_END);
  }
  let data: Uint8Array;
  if (o['hex'] !== undefined) data = hexBytes(def, o['hex']);
  else if (o['string'] !== undefined) data = textBytes(def, o['string']);
  else return fail(def, `sub-option ${code} needs "hex" or "string"`);
  if (data.length > 255) fail(def, `sub-option ${code} is longer than 255 bytes`);
  return concat([Uint8Array.of(code, data.length), data]);
}

function clientIdBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value === 'string' && isMac(value)) return concat([Uint8Array.of(1), macToBytes(parseMac(value))]);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const o = value as Record<string, unknown>;
    const type = integer(def, o['type'], 0, 255);
    const rest = o['hex'] !== undefined ? hexBytes(def, o['hex']) : textBytes(def, o['string']);
    return concat([Uint8Array.of(type), rest]);
  }
  const b = hexBytes(def, value);
  if (b.length < 2) fail(def, 'a client identifier needs a type byte and at least one more byte (RFC 2132 §9.14)');
  return b;
}

/** RFC 3004 §4: a list of length-prefixed opaque class names; one plain string is iPXE's form. */
function userClassBytes(def: OptionDef, value: unknown): Uint8Array {
  if (!Array.isArray(value)) return textBytes(def, value);
  if (value.length === 0) fail(def, 'empty user class list');
  return concat(
    value.map((v: unknown) => {
      const b = textBytes(def, v);
      if (b.length > 255) fail(def, `user class ${show(v)} is longer than 255 bytes`);
      return concat([Uint8Array.of(b.length), b]);
    }),
  );
}

function encodeByType(def: OptionDef, value: unknown): Uint8Array {
  switch (def.type) {
    case 'ip':
      return ipBytes(def, value);
    case 'ip-list':
      return concat(asList(value).map((v) => ipBytes(def, v)));
    case 'ip-pairs': {
      return concat(
        asList(value).map((v) => {
          const route = typeof v === 'string' ? ROUTE_TEXT.exec(v) : null;
          if (!route) fail(def, `${show(v)} is not "destination router"`);
          return concat([ipBytes(def, route[1]), ipBytes(def, route[2])]);
        }),
      );
    }
    case 'u8':
      return Uint8Array.of(integer(def, value, 0, 0xff));
    case 'u16': {
      const n = integer(def, value, 0, 0xffff);
      return Uint8Array.of(n >>> 8, n & 0xff);
    }
    case 'u32':
    case 'i32': {
      const n = def.type === 'u32' ? integer(def, value, 0, 0xffffffff) : integer(def, value, -0x80000000, 0x7fffffff);
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, n >>> 0);
      return b;
    }
    case 'u8-list':
      return Uint8Array.from(asList(value).map((v) => integer(def, v, 0, 0xff)));
    case 'u16-list':
      return concat(asList(value).map((v) => encodeByType({ ...def, type: 'u16' }, v)));
    case 'bool':
      if (value === true || value === 1) return Uint8Array.of(1);
      if (value === false || value === 0) return Uint8Array.of(0);
      return fail(def, `${show(value)} is not true or false`);
    case 'string':
      return textBytes(def, value);
    case 'hex':
      return hexBytes(def, value);
    case 'domain-list':
      return concat(asList(value).map((v) => domainBytes(def, v)));
    case 'classless-routes':
      return concat((Array.isArray(value) ? (value as unknown[]) : [value]).map((v) => routeBytes(def, v)));
    case 'sub-options':
      if (typeof value === 'string') return hexBytes(def, value);
      return concat((Array.isArray(value) ? (value as unknown[]) : [value]).map((v) => subOptionBytes(def, v)));
    case 'client-id':
      return clientIdBytes(def, value);
    case 'user-class':
      return userClassBytes(def, value);
  }
}

/**
 * Encodes a scope-file value into option value bytes (without code and length).
 * Throws RangeError with a readable message, e.g.
 * `option 150 (tftp-servers): "10.0.0.300" is not an IPv4 address`.
 */
export function encodeOptionValue(def: OptionDef, value: unknown): Uint8Array {
  if (value === undefined || value === null) fail(def, 'no value');
  const bytes = encodeByType(def, value);
  if (bytes.length === 0) fail(def, 'empty value');
  return bytes;
}

// ---------------------------------------------------------------- decoding

function fixed(bytes: Uint8Array, unit: number, what: string): void {
  if (bytes.length === 0 || bytes.length % unit !== 0) {
    throw new DecodeError(0, `${what}: length ${bytes.length} is not a multiple of ${unit}`);
  }
}

function exact(bytes: Uint8Array, n: number, what: string): void {
  if (bytes.length !== n) throw new DecodeError(0, `${what}: length ${bytes.length}, expected ${n}`);
}

/** Text as sent; a trailing NUL (sent by some firmware against RFC 2132 §2) is dropped. */
function decodeText(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, end));
}

/** RFC 1035 §4.1.4 names, compression pointers into the option value allowed (RFC 3397 §2). */
function decodeDomainList(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const r = new ByteReader(bytes);
  while (r.remaining > 0) {
    const labels: string[] = [];
    let pos = r.offset;
    let jumped = false;
    let jumps = 0;
    for (;;) {
      const len = bytes[pos];
      if (len === undefined) throw new DecodeError(pos, 'domain name runs past the end');
      if (len === 0) {
        pos += 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        const low = bytes[pos + 1];
        if (low === undefined) throw new DecodeError(pos, 'truncated compression pointer');
        const target = ((len & 0x3f) << 8) | low;
        if (target >= pos || ++jumps > 64) throw new DecodeError(pos, 'compression pointer does not point backwards');
        if (!jumped) r.skip(pos + 2 - r.offset, 'name');
        jumped = true;
        pos = target;
        continue;
      }
      if (len > 63) throw new DecodeError(pos, `label length ${len} over 63`);
      const end = pos + 1 + len;
      if (end > bytes.length) throw new DecodeError(pos, 'label runs past the end');
      labels.push(new TextDecoder().decode(bytes.subarray(pos + 1, end)));
      pos = end;
    }
    if (!jumped) r.skip(pos - r.offset, 'name');
    names.push(labels.join('.'));
  }
  return names;
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

/**
 * Sub-options as a list; PXE's End (255, no length; PXE 2.1 §2.4) is kept as
 * `{ code: 255, hex: "" }` so the list encodes back to the same bytes. Bytes that are
 * not a well-formed list (Aruba APs put plain text in option 43) come back as one hex
 * string, which `encodeOptionValue` also accepts.
 */
function decodeSubOptions(bytes: Uint8Array): SubOptionValue[] | string {
  const r = new ByteReader(bytes);
  const subs: SubOptionValue[] = [];
  try {
    while (r.remaining > 0) {
      const code = r.u8('sub-option code');
      if (code === SUB_OPTION_END) {
        subs.push({ code, hex: '' });
        if (r.remaining > 0) return toHex(bytes);
        break;
      }
      const len = r.u8('sub-option length');
      subs.push({ code, hex: toHex(r.take(len, `sub-option ${code}`)) });
    }
  } catch (err) {
    if (err instanceof DecodeError) return toHex(bytes);
    throw err;
  }
  return subs;
}

/** Splits an RFC 3004 user class list; undefined when the bytes are not in that form. */
export function splitUserClass(bytes: Uint8Array): string[] | undefined {
  const out: string[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const len = bytes[pos] ?? 0;
    if (len === 0 || pos + 1 + len > bytes.length) return undefined;
    out.push(new TextDecoder().decode(bytes.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  return out.length > 0 ? out : undefined;
}

/** True when the text looks like a name or label rather than arbitrary bytes. */
function isPrintable(text: string): boolean {
  return /^[\x20-\x7e]+$/.test(text);
}

function readUints(bytes: Uint8Array, unit: 2 | 4): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += unit) out.push(unit === 2 ? view.getUint16(i) : view.getUint32(i));
  return out;
}

/**
 * Decodes option value bytes to a displayable value that `encodeOptionValue`
 * accepts again. Throws DecodeError when the bytes do not fit the option's type.
 */
export function decodeOptionValue(def: OptionDef, bytes: Uint8Array): OptionValue {
  const what = describeOption(def);
  switch (def.type) {
    case 'ip':
      exact(bytes, 4, what);
      return ipv4FromBytes(bytes);
    case 'ip-list':
      fixed(bytes, 4, what);
      return Array.from({ length: bytes.length / 4 }, (_, i) => ipv4FromBytes(bytes, i * 4));
    case 'ip-pairs':
      fixed(bytes, 8, what);
      return Array.from({ length: bytes.length / 8 }, (_, i) => `${ipv4FromBytes(bytes, i * 8)} ${ipv4FromBytes(bytes, i * 8 + 4)}`);
    case 'u8':
      exact(bytes, 1, what);
      return bytes[0] ?? 0;
    case 'u16':
      exact(bytes, 2, what);
      return readUints(bytes, 2)[0] ?? 0;
    case 'u32':
      exact(bytes, 4, what);
      return readUints(bytes, 4)[0] ?? 0;
    case 'i32':
      exact(bytes, 4, what);
      return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
    case 'u8-list':
      fixed(bytes, 1, what);
      return Array.from(bytes);
    case 'u16-list':
      fixed(bytes, 2, what);
      return readUints(bytes, 2);
    case 'bool':
      exact(bytes, 1, what);
      return bytes[0] !== 0;
    case 'string':
      fixed(bytes, 1, what);
      return decodeText(bytes);
    case 'hex':
      return toHex(bytes);
    case 'domain-list':
      return decodeDomainList(bytes);
    case 'classless-routes':
      return decodeRoutes(bytes);
    case 'sub-options':
      return decodeSubOptions(bytes);
    case 'client-id':
      if (bytes.length < 2) throw new DecodeError(0, `${what}: length ${bytes.length} is under 2`);
      return { type: bytes[0] ?? 0, hex: toHex(bytes.subarray(1)) };
    case 'user-class': {
      fixed(bytes, 1, what);
      const list = splitUserClass(bytes);
      if (list && list.every(isPrintable)) return list;
      return decodeText(bytes);
    }
  }
}

/** One-line display of an option value; falls back to hex when the bytes do not fit the type. */
export function formatOptionValue(def: OptionDef, bytes: Uint8Array): string {
  try {
    const v = decodeOptionValue(def, bytes);
    return typeof v === 'string' ? v : JSON.stringify(v);
  } catch (err) {
    if (err instanceof DecodeError) return `0x${toHex(bytes)} (${err.reason})`;
    throw err;
  }
}
