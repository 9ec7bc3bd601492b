/**
 * Shared builders for the DHCP engine tests: a phone-bench scope and client
 * requests built field by field, plus a driver that feeds the engine and applies its
 * changes to a LeaseTable as the server does.
 */
import { readRequestFacts } from '../../../src/dhcp/request-facts.js';
import { formatDropReason } from '../../../src/dhcp/drop-reason.js';
import type { ClientClass, Scope } from '../../../src/config/scope.js';
import { ipv4ToBytes, macToBytes, parseCidr } from '../../../src/net/ipv4.js';
import type { Ipv4, MacAddress } from '../../../src/net/ipv4.js';
import { emptyDhcpPacket } from '../../../src/dhcp/packet.js';
import type { DhcpOption, DhcpPacket } from '../../../src/dhcp/packet.js';
import { respond } from '../../../src/dhcp/engine.js';
import type { EngineResult } from '../../../src/dhcp/engine.js';
import { LeaseTable } from '../../../src/dhcp/lease-table.js';
import type { DhcpPolicy } from '../../../src/dhcp/request-policy.js';

/** A typed IPv4 literal for tests. */
export const ip = (s: string): Ipv4 => s as Ipv4;
/** A typed MAC literal for tests. */
export const mac = (s: string): MacAddress => s as MacAddress;

/** Our address on eth-bench. */
export const SERVER = ip('10.9.0.1');
/** Start of the fake clock. */
export const T0 = 1_700_000_000_000;

/** A bench scope on eth-bench: 10.9.0.0/24, pool .100-.109, phones' boot data. */
export function benchScope(over: Partial<Scope> = {}): Scope {
  return {
    name: 'bench',
    interface: 'eth-bench',
    subnet: parseCidr('10.9.0.0/24'),
    ranges: [{ start: ip('10.9.0.100'), end: ip('10.9.0.109') }],
    router: ip('10.9.0.1'),
    dns: [ip('10.9.0.1')],
    domain: 'bench.lab',
    leaseSeconds: 3600,
    boot: {
      nextServer: ip('10.9.0.1'),
      serverName: 'benchboot',
      tftpServerName: '10.9.0.1',
      tftpServers: [ip('10.9.0.1')],
      file: 'SEPDefault.cnf.xml',
    },
    reservations: [],
    options: [],
    classes: [],
    authoritative: true,
    declineSeconds: 600,
    ...over,
  };
}

/** PXE classes: UEFI → ipxe.efi, BIOS → undionly.kpxe, iPXE → boot.ipxe (first match wins). */
export const PXE_CLASSES: readonly ClientClass[] = [
  { name: 'ipxe', match: { userClass: 'iPXE' }, boot: { file: 'boot.ipxe' }, options: [] },
  { name: 'uefi', match: { vendorClass: 'PXEClient', arch: [7, 9] }, boot: { file: 'ipxe.efi' }, options: [] },
  { name: 'bios', match: { vendorClass: 'PXEClient', arch: [0] }, boot: { file: 'undionly.kpxe' }, options: [] },
];

/** What a test request looks like. */
export interface RequestSpec {
  readonly type: number;
  readonly mac?: string;
  readonly xid?: number;
  readonly ciaddr?: string;
  readonly giaddr?: string;
  readonly flags?: number;
  readonly requested?: string;
  readonly serverId?: string;
  readonly clientId?: Uint8Array;
  readonly prl?: readonly number[];
  readonly extra?: readonly DhcpOption[];
}

/** A client request (BOOTREQUEST) as a real client would send it. */
export function request(spec: RequestSpec): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set(macToBytes(mac(spec.mac ?? '00:1b:d4:00:00:01')));
  const options: DhcpOption[] = [{ code: 53, data: Uint8Array.of(spec.type) }];
  if (spec.clientId) options.push({ code: 61, data: spec.clientId });
  if (spec.requested) options.push({ code: 50, data: ipv4ToBytes(ip(spec.requested)) });
  if (spec.serverId) options.push({ code: 54, data: ipv4ToBytes(ip(spec.serverId)) });
  if (spec.prl) options.push({ code: 55, data: Uint8Array.from(spec.prl) });
  options.push(...(spec.extra ?? []));
  return {
    ...emptyDhcpPacket(),
    op: 1,
    xid: spec.xid ?? 0x1000,
    flags: spec.flags ?? 0,
    ciaddr: ip(spec.ciaddr ?? '0.0.0.0'),
    giaddr: ip(spec.giaddr ?? '0.0.0.0'),
    chaddr,
    options,
  };
}

/** Feeds requests to the engine and applies its changes, as the server does. */
export class Bench {
  readonly table: LeaseTable;
  now = T0;
  /** The product's per-request policy, when a test sets one. */
  policy: DhcpPolicy | undefined;

  constructor(
    readonly scopes: readonly Scope[] = [benchScope()],
    readonly interfaceName = 'eth-bench',
    readonly serverAddress: Ipv4 = SERVER,
  ) {
    this.table = new LeaseTable(scopes);
  }

  send(spec: RequestSpec | DhcpPacket): EngineResult {
    const packet = 'op' in spec ? spec : request(spec);
    const policy = this.policy;
    const ctx = { facts: readRequestFacts(packet), interfaceName: this.interfaceName, serverAddress: this.serverAddress, now: this.now, ...(policy ? { policy } : {}) };
    const result = respond(ctx, this.scopes, this.table);
    this.table.apply(result.changes);
    return result;
  }

  /** DISCOVER then REQUEST (SELECTING) for one MAC; returns the bound address. */
  bind(macText: string, extra: Partial<RequestSpec> = {}): Ipv4 {
    const offer = this.send({ type: 1, mac: macText, ...extra });
    if (offer.kind !== 'reply') throw new Error(`no offer: ${formatDropReason(offer.reason)}`);
    const ack = this.send({ type: 3, mac: macText, requested: offer.reply.yiaddr, serverId: SERVER, ...extra });
    if (ack.kind !== 'reply') throw new Error(`no ack: ${formatDropReason(ack.reason)}`);
    return ack.reply.yiaddr;
  }
}
