/**
 * A DHCP test client built on benchboot's codec: it speaks DISCOVER / REQUEST /
 * RENEW / RELEASE / DECLINE / INFORM over any UdpEndpoint and matches answers by
 * xid, so many simulated clients can share one socket (a burst over loopback).
 *
 * It is deliberately simple: one request, wait for the answer with a timeout, a
 * bounded number of retransmissions. The integration tests, the fault test and
 * the benchmarks use it; real third-party clients are used in the e2e tests.
 */
import { randomBytes } from 'node:crypto';
import { DHCP_MESSAGE_TYPE, OPTION, BOOTP_OP } from '../../src/dhcp/constants.js';
import { decodeDhcpPacket, emptyDhcpPacket, encodeDhcpPacket, getMessageType, getOptionIpv4, type DhcpOption, type DhcpPacket } from '../../src/dhcp/packet.js';
import { IPV4_ZERO, ipv4ToBytes, macToBytes, type Ipv4, type MacAddress } from '../../src/net/ipv4.js';
import type { UdpEndpoint, UdpPeer } from '../../src/net/udp.js';

/** A received reply and where it came from. */
export interface Received {
  readonly packet: DhcpPacket;
  readonly from: UdpPeer;
}

interface Waiter {
  readonly types: readonly number[];
  resolve(r: Received): void;
}

/** One socket shared by many test clients; replies are routed by xid. */
export class DhcpTestPort {
  private readonly waiters = new Map<number, Waiter>();
  /** Replies nobody waited for (late duplicates, answers after a timeout). */
  unmatched = 0;
  /** Datagrams that did not decode. */
  undecodable = 0;

  constructor(
    readonly endpoint: UdpEndpoint,
    /** Where requests go: the server's address and port. */
    readonly server: UdpPeer,
  ) {
    endpoint.onMessage((data, from) => this.receive(data, from));
  }

  private receive(data: Buffer, from: UdpPeer): void {
    let packet: DhcpPacket;
    try {
      packet = decodeDhcpPacket(data).value;
    } catch {
      this.undecodable++;
      return;
    }
    const w = this.waiters.get(packet.xid);
    const type = getMessageType(packet);
    if (!w || packet.op !== BOOTP_OP.BOOTREPLY || type === undefined || !w.types.includes(type)) {
      this.unmatched++;
      return;
    }
    this.waiters.delete(packet.xid);
    w.resolve({ packet, from });
  }

  /**
   * Sends `packet` and waits for a reply with the same xid and one of `types`;
   * retransmits up to `attempts` times, each waiting `timeoutMs`. Resolves
   * undefined when nothing came.
   */
  async exchange(packet: DhcpPacket, types: readonly number[], opts: { timeoutMs?: number; attempts?: number; to?: UdpPeer } = {}): Promise<Received | undefined> {
    const bytes = encodeDhcpPacket(packet);
    const attempts = opts.attempts ?? 3;
    for (let i = 0; i < attempts; i++) {
      const got = new Promise<Received | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.waiters.delete(packet.xid);
          resolve(undefined);
        }, opts.timeoutMs ?? 1000);
        this.waiters.set(packet.xid, {
          types,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      });
      await this.endpoint.send(bytes, opts.to ?? this.server);
      const r = await got;
      if (r) return r;
    }
    return undefined;
  }

  /** Sends without waiting (RELEASE, DECLINE, garbage). */
  async fire(bytes: Uint8Array, to?: UdpPeer): Promise<void> {
    await this.endpoint.send(bytes, to ?? this.server);
  }
}

/** What a simulated client sends about itself. */
export interface TestClientIdentity {
  readonly mac: MacAddress;
  readonly hostname?: string;
  readonly vendorClass?: string;
  /** Option 61 bytes (type byte included). */
  readonly clientId?: Uint8Array;
  /** Set to act as a relay agent (RFC 2131 §4.1 giaddr). */
  readonly giaddr?: Ipv4;
  /** Option 82 sent as a relay agent would add it. */
  readonly relayAgentInfo?: Uint8Array;
  /** Option 55. */
  readonly parameterRequestList?: readonly number[];
}

/** A random 32-bit xid. */
export function randomXid(): number {
  return randomBytes(4).readUInt32BE(0);
}

const text = new TextEncoder();

/** Builds a BOOTREQUEST of `type` for `who` (extra options appended). */
export function buildRequest(type: number, who: TestClientIdentity, fields: Partial<DhcpPacket> = {}, extra: readonly DhcpOption[] = []): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set(macToBytes(who.mac));
  const options: DhcpOption[] = [{ code: OPTION.MESSAGE_TYPE, data: Uint8Array.of(type) }];
  if (who.clientId) options.push({ code: OPTION.CLIENT_ID, data: who.clientId });
  if (who.hostname) options.push({ code: OPTION.HOST_NAME, data: text.encode(who.hostname) });
  if (who.vendorClass) options.push({ code: OPTION.VENDOR_CLASS, data: text.encode(who.vendorClass) });
  options.push({
    code: OPTION.PARAMETER_REQUEST_LIST,
    data: Uint8Array.from(who.parameterRequestList ?? [OPTION.SUBNET_MASK, OPTION.ROUTER, OPTION.DNS_SERVERS, OPTION.TFTP_SERVER_NAME, OPTION.BOOTFILE_NAME, OPTION.TFTP_SERVERS]),
  });
  options.push(...extra);
  if (who.relayAgentInfo) options.push({ code: OPTION.RELAY_AGENT_INFO, data: who.relayAgentInfo });
  return {
    ...emptyDhcpPacket(),
    op: BOOTP_OP.BOOTREQUEST,
    xid: randomXid(),
    chaddr,
    giaddr: who.giaddr ?? IPV4_ZERO,
    hops: who.giaddr ? 1 : 0,
    options,
    ...fields,
  };
}

/** Result of a full DISCOVER → OFFER → REQUEST → ACK exchange. */
export interface Obtained {
  readonly ip: Ipv4;
  readonly offer: DhcpPacket;
  readonly ack: DhcpPacket;
  readonly serverId: Ipv4;
}

/** A simulated DHCP client on a shared port. */
export class DhcpTestClient {
  constructor(
    readonly port: DhcpTestPort,
    readonly who: TestClientIdentity,
    private readonly timing: { timeoutMs?: number; attempts?: number } = {},
  ) {}

  /** DISCOVER (optionally asking for `requested`), returns the OFFER or undefined. */
  async discover(requested?: Ipv4): Promise<DhcpPacket | undefined> {
    const extra = requested ? [{ code: OPTION.REQUESTED_IP, data: ipv4ToBytes(requested) }] : [];
    const r = await this.port.exchange(buildRequest(DHCP_MESSAGE_TYPE.DISCOVER, this.who, {}, extra), [DHCP_MESSAGE_TYPE.OFFER], this.timing);
    return r?.packet;
  }

  /** REQUEST in SELECTING state for an offer; returns the ACK/NAK or undefined. */
  async select(offer: DhcpPacket): Promise<DhcpPacket | undefined> {
    const serverId = getOptionIpv4(offer, OPTION.SERVER_ID);
    const extra: DhcpOption[] = [{ code: OPTION.REQUESTED_IP, data: ipv4ToBytes(offer.yiaddr) }];
    if (serverId) extra.push({ code: OPTION.SERVER_ID, data: ipv4ToBytes(serverId) });
    const r = await this.port.exchange(buildRequest(DHCP_MESSAGE_TYPE.REQUEST, this.who, { xid: offer.xid }, extra), [DHCP_MESSAGE_TYPE.ACK, DHCP_MESSAGE_TYPE.NAK], this.timing);
    return r?.packet;
  }

  /** DISCOVER + REQUEST; undefined when no OFFER or no ACK came. */
  async obtain(requested?: Ipv4): Promise<Obtained | undefined> {
    const offer = await this.discover(requested);
    if (!offer) return undefined;
    const ack = await this.select(offer);
    if (!ack || getMessageType(ack) !== DHCP_MESSAGE_TYPE.ACK) return undefined;
    const serverId = getOptionIpv4(ack, OPTION.SERVER_ID) ?? IPV4_ZERO;
    return { ip: ack.yiaddr, offer, ack, serverId };
  }

  /** REQUEST in INIT-REBOOT state (option 50, no server id): "may I keep this address?" */
  async reboot(ip: Ipv4): Promise<DhcpPacket | undefined> {
    const extra = [{ code: OPTION.REQUESTED_IP, data: ipv4ToBytes(ip) }];
    const r = await this.port.exchange(buildRequest(DHCP_MESSAGE_TYPE.REQUEST, this.who, {}, extra), [DHCP_MESSAGE_TYPE.ACK, DHCP_MESSAGE_TYPE.NAK], this.timing);
    return r?.packet;
  }

  /** REQUEST in RENEWING state (ciaddr set, unicast to the server). */
  async renew(ip: Ipv4, to?: UdpPeer): Promise<DhcpPacket | undefined> {
    const packet = buildRequest(DHCP_MESSAGE_TYPE.REQUEST, this.who, { ciaddr: ip });
    const r = await this.port.exchange(packet, [DHCP_MESSAGE_TYPE.ACK, DHCP_MESSAGE_TYPE.NAK], { ...this.timing, ...(to ? { to } : {}) });
    return r?.packet;
  }

  /** DHCPRELEASE of `ip` to `serverId` (no answer expected). */
  async release(ip: Ipv4, serverId: Ipv4): Promise<void> {
    const packet = buildRequest(DHCP_MESSAGE_TYPE.RELEASE, this.who, { ciaddr: ip }, [{ code: OPTION.SERVER_ID, data: ipv4ToBytes(serverId) }]);
    await this.port.fire(encodeDhcpPacket(packet));
  }

  /** DHCPDECLINE of `ip` (no answer expected). */
  async decline(ip: Ipv4, serverId: Ipv4): Promise<void> {
    const packet = buildRequest(DHCP_MESSAGE_TYPE.DECLINE, this.who, {}, [
      { code: OPTION.REQUESTED_IP, data: ipv4ToBytes(ip) },
      { code: OPTION.SERVER_ID, data: ipv4ToBytes(serverId) },
    ]);
    await this.port.fire(encodeDhcpPacket(packet));
  }

  /** DHCPINFORM from `ip`; returns the ACK or undefined. */
  async inform(ip: Ipv4): Promise<DhcpPacket | undefined> {
    const r = await this.port.exchange(buildRequest(DHCP_MESSAGE_TYPE.INFORM, this.who, { ciaddr: ip }), [DHCP_MESSAGE_TYPE.ACK], this.timing);
    return r?.packet;
  }
}

/** A MAC made from a number (locally administered, unicast): 02:bb:xx:xx:xx:xx. */
export function testMac(n: number): MacAddress {
  const b = [0x02, 0xbb, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':') as MacAddress;
}
