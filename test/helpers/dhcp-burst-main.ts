/**
 * A burst of spoofed DHCP clients for the e2e pool-exhaustion test, run inside a lab
 * namespace with `ip netns exec`, as a pool-starvation tool does it: every client a
 * random MAC, half sending DISCOVER and then REQUESTing whatever is offered, half an
 * INIT-REBOOT REQUEST for a pool address straight away. Requests go to the server's
 * address on port 67; answers are broadcast to port 68, where this socket listens.
 *
 *   --server IP --count N --requested-from IP --requested-count N [--wait-ms N]
 *
 * Bounded: `count` clients, two phases of sending, each followed by `wait-ms` of
 * listening. Prints one JSON line: sent, offers, acks, naks.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DHCP_MESSAGE_TYPE, OPTION } from '../../src/dhcp/constants.js';
import { decodeDhcpPacket, encodeDhcpPacket, getMessageType, getOptionIpv4, type DhcpPacket } from '../../src/dhcp/packet.js';
import { intToIpv4, ipv4ToBytes, ipv4ToInt, parseIpv4, type Ipv4, type MacAddress } from '../../src/net/ipv4.js';
import { bindUdp } from '../../src/net/udp.js';
import { buildRequest } from './dhcp-client.js';

/** A random locally administered unicast MAC, as a spoofing tool makes them. */
export function randomMac(): MacAddress {
  const b = randomBytes(6);
  b[0] = ((b[0] ?? 0) & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':') as MacAddress;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { server: { type: 'string' }, count: { type: 'string' }, 'requested-from': { type: 'string' }, 'requested-count': { type: 'string' }, 'wait-ms': { type: 'string' } },
    strict: true,
  });
  const server = { address: parseIpv4(values.server ?? ''), port: 67 };
  const count = Math.min(Number(values.count ?? 300), 2000);
  const first = ipv4ToInt(parseIpv4(values['requested-from'] ?? ''));
  const span = Math.max(1, Number(values['requested-count'] ?? 1));
  const waitMs = Math.min(Number(values['wait-ms'] ?? 800), 5000);
  const endpoint = await bindUdp({ address: '0.0.0.0', port: 68, broadcast: true });
  const macs = new Map<number, MacAddress>();
  const tally = { sent: 0, offers: 0, acks: 0, naks: 0 };
  const offers: DhcpPacket[] = [];
  endpoint.onMessage((data) => {
    let p: DhcpPacket;
    try {
      p = decodeDhcpPacket(data).value;
    } catch {
      return;
    }
    if (!macs.has(p.xid)) return;
    const type = getMessageType(p);
    if (type === DHCP_MESSAGE_TYPE.OFFER) {
      tally.offers++;
      offers.push(p);
    } else if (type === DHCP_MESSAGE_TYPE.ACK) tally.acks++;
    else if (type === DHCP_MESSAGE_TYPE.NAK) tally.naks++;
  });
  const send = async (packet: DhcpPacket, mac: MacAddress): Promise<void> => {
    macs.set(packet.xid, mac);
    tally.sent++;
    await endpoint.send(encodeDhcpPacket(packet), server);
  };
  try {
    for (let i = 0; i < count; i++) {
      const mac = randomMac();
      if (i % 2 === 0) await send(buildRequest(DHCP_MESSAGE_TYPE.DISCOVER, { mac }), mac);
      else await send(buildRequest(DHCP_MESSAGE_TYPE.REQUEST, { mac }, {}, [{ code: OPTION.REQUESTED_IP, data: ipv4ToBytes(intToIpv4(first + (i % span))) }]), mac);
    }
    await sleep(waitMs);
    for (const offer of offers.splice(0)) {
      const mac = macs.get(offer.xid);
      const serverId: Ipv4 | undefined = getOptionIpv4(offer, OPTION.SERVER_ID);
      if (mac === undefined || serverId === undefined) continue;
      const extra = [
        { code: OPTION.REQUESTED_IP, data: ipv4ToBytes(offer.yiaddr) },
        { code: OPTION.SERVER_ID, data: ipv4ToBytes(serverId) },
      ];
      await send(buildRequest(DHCP_MESSAGE_TYPE.REQUEST, { mac }, { xid: offer.xid }, extra), mac);
    }
    await sleep(waitMs);
  } finally {
    await endpoint.close();
  }
  process.stdout.write(`${JSON.stringify(tally)}\n`);
  return 0;
}

if (process.argv[1]?.endsWith('dhcp-burst-main.js')) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`dhcp-burst-main: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
