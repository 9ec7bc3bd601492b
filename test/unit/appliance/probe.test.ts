/**
 * The rogue-server probe: the DISCOVER it sends, how real OFFERs read as answers,
 * and a whole probe against an in-memory server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeClock } from '../../../src/clock.js';
import { BOOTP_OP, DHCP_MESSAGE_TYPE, OPTION } from '../../../src/dhcp/constants.js';
import { clientMac, decodeDhcpPacket, encodeDhcpPacket, getMessageType, getOptionText, isBroadcastFlag, type DhcpPacket } from '../../../src/dhcp/packet.js';
import { buildProbeDiscover, describeProbeAnswer, isOwnAnswer, probeDhcpServers, readProbeAnswer, PROBE_VENDOR_CLASS } from '../../../src/dhcp/probe.js';
import { fromHex } from '../../../src/net/bytes.js';
import { parseIpv4, parseMac } from '../../../src/net/ipv4.js';
import { MemoryNetwork } from '../../../src/net/udp.js';

interface Vector {
  id: string;
  hex: string;
}
const VECTORS = JSON.parse(readFileSync(new URL('../../../../test/fixtures/vectors/dhcp.json', import.meta.url), 'utf8')) as Vector[];
function vector(id: string): DhcpPacket {
  const v = VECTORS.find((x) => x.id === id);
  assert.ok(v, id);
  return decodeDhcpPacket(fromHex(v.hex)).value;
}

const MAC = parseMac('52:54:00:12:34:56');

test('the DISCOVER is a broadcast-flagged BOOTREQUEST from our MAC, saying who it is', () => {
  const p = decodeDhcpPacket(encodeDhcpPacket(buildProbeDiscover(MAC, 0xdeadbeef))).value;
  assert.equal(p.op, BOOTP_OP.BOOTREQUEST);
  assert.equal(p.xid, 0xdeadbeef);
  assert.equal(clientMac(p), MAC);
  assert.ok(isBroadcastFlag(p));
  assert.equal(getMessageType(p), DHCP_MESSAGE_TYPE.DISCOVER);
  assert.equal(getOptionText(p, OPTION.VENDOR_CLASS), PROBE_VENDOR_CLASS);
  assert.equal(p.ciaddr, '0.0.0.0');
});

test('a real Cisco-style OFFER reads as an answer with option 150 and subnet', () => {
  const offer = vector('offer-tftp-server-150');
  const a = readProbeAnswer(offer, { address: '10.0.0.1', port: 67 }, clientMac(offer), offer.xid);
  assert.ok(a);
  assert.equal(a.messageType, 'OFFER');
  assert.ok(a.tftpServers.length > 0, JSON.stringify(a));
  assert.equal(a.offeredIp, offer.yiaddr);
  assert.match(describeProbeAnswer(a), /^DHCP server at .* offers /);
});

test('a real PXE OFFER gives siaddr and the boot file', () => {
  const offer = vector('offer-undionly-kpxe');
  const a = readProbeAnswer(offer, { address: offer.siaddr, port: 67 }, clientMac(offer), offer.xid);
  assert.ok(a);
  assert.equal(a.file, 'undionly.kpxe');
  assert.notEqual(a.siaddr, '0.0.0.0');
});

test('replies for another xid or another MAC are not answers to us', () => {
  const offer = vector('offer-tftp-server-150');
  const from = { address: '10.0.0.1', port: 67 };
  assert.equal(readProbeAnswer(offer, from, clientMac(offer), (offer.xid + 1) >>> 0), undefined);
  assert.equal(readProbeAnswer(offer, from, MAC, offer.xid), undefined);
});

test('a probe collects one answer per server, ignores garbage, and recognises our own address', async () => {
  const net = new MemoryNetwork();
  const clock = new FakeClock();
  const client = net.bind('0.0.0.0', 68);
  const server = net.bind('10.9.0.1', 67);
  const requests: DhcpPacket[] = [];
  server.onMessage((data) => {
    const req = decodeDhcpPacket(data).value;
    requests.push(req);
    const offer: DhcpPacket = {
      ...req,
      op: BOOTP_OP.BOOTREPLY,
      yiaddr: parseIpv4('10.9.0.57'),
      siaddr: parseIpv4('10.9.0.1'),
      options: [
        { code: OPTION.MESSAGE_TYPE, data: Uint8Array.of(DHCP_MESSAGE_TYPE.OFFER) },
        { code: OPTION.SERVER_ID, data: Uint8Array.of(10, 9, 0, 1) },
        { code: OPTION.SUBNET_MASK, data: Uint8Array.of(255, 255, 255, 0) },
        { code: OPTION.TFTP_SERVER_NAME, data: new TextEncoder().encode('10.9.0.1') },
      ],
    };
    // Twice: a server retransmitting must still count once.
    void server.send(encodeDhcpPacket(offer), { address: '0.0.0.0', port: 68 });
    void server.send(encodeDhcpPacket(offer), { address: '0.0.0.0', port: 68 });
    void server.send(Uint8Array.of(1, 2, 3), { address: '0.0.0.0', port: 68 });
  });
  let malformed = 0;
  const done = probeDhcpServers({ endpoint: client, mac: MAC, timeoutMs: 2000, clock, target: { address: '10.9.0.1', port: 67 }, onMalformed: () => malformed++ });
  await new Promise((r) => setImmediate(r));
  clock.advance(2000);
  const answers = await done;
  assert.equal(requests.length, 1);
  assert.equal(answers.length, 1);
  const a = answers[0];
  assert.ok(a);
  assert.equal(a.serverId, '10.9.0.1');
  assert.equal(a.subnet, '10.9.0.0/24');
  assert.equal(a.tftpServerName, '10.9.0.1');
  assert.equal(malformed, 1);
  assert.ok(isOwnAnswer(a, [parseIpv4('10.9.0.1')]));
  assert.ok(!isOwnAnswer(a, [parseIpv4('10.9.0.2')]));
});
