/**
 * Issue 11 point 1, end to end without a socket: the one packet of the report — a
 * DHCPREQUEST in INIT-REBOOT (option 50 = a free pool address) with hlen 7 — goes
 * through the server and the real lease store, the server is "killed" (the state
 * directory is copied as a crash leaves it, lock included), and a restart over that
 * directory starts and still holds the ACKed lease. Also hlen 0 with option 61 and a
 * 16-byte chaddr of another htype.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../src/clock.js';
import { BOOTP_OP, DHCP_MESSAGE_TYPE, OPTION } from '../../../src/dhcp/constants.js';
import { emptyDhcpPacket, type DhcpPacket } from '../../../src/dhcp/packet.js';
import { createDhcpServer, type DhcpBindingFactory } from '../../../src/dhcp/server.js';
import { createSilentLogger } from '../../../src/log.js';
import { ipv4ToBytes, parseIpv4, type Ipv4 } from '../../../src/net/ipv4.js';
import { MemoryNetwork } from '../../../src/net/udp.js';
import { openLeaseStore } from '../../../src/store/lease-store.js';
import { DhcpTestPort } from '../../helpers/dhcp-client.js';
import { scopeFromJson } from '../../helpers/scope-json.js';

const BENCH = scopeFromJson({ name: 'bench', interface: 'bench0', subnet: '10.9.0.0/24', ranges: [['10.9.0.100', '10.9.0.109']] });

function bindings(net: MemoryNetwork): DhcpBindingFactory {
  return () => Promise.resolve([{ interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1'), endpoint: net.bind('10.9.0.1', 67) }]);
}

/** An INIT-REBOOT REQUEST (option 50, no ciaddr, no option 54) with the given hardware fields. */
function initReboot(xid: number, ip: Ipv4, hw: { readonly htype: number; readonly hlen: number; readonly chaddr: readonly number[]; readonly clientId?: Uint8Array }): DhcpPacket {
  const chaddr = new Uint8Array(16);
  chaddr.set(hw.chaddr);
  return {
    ...emptyDhcpPacket(),
    op: BOOTP_OP.BOOTREQUEST,
    htype: hw.htype,
    hlen: hw.hlen,
    xid,
    chaddr,
    options: [
      { code: OPTION.MESSAGE_TYPE, data: Uint8Array.of(DHCP_MESSAGE_TYPE.REQUEST) },
      { code: OPTION.REQUESTED_IP, data: ipv4ToBytes(ip) },
      ...(hw.clientId ? [{ code: OPTION.CLIENT_ID, data: hw.clientId }] : []),
    ],
  };
}

const CLIENTS = [
  { name: 'hlen 7 (the report)', ip: '10.9.0.105', hw: { htype: 1, hlen: 7, chaddr: [1, 2, 3, 4, 5, 6, 7] } },
  { name: 'hlen 0 with option 61 (RFC 4390)', ip: '10.9.0.106', hw: { htype: 32, hlen: 0, chaddr: [], clientId: Uint8Array.of(0xff, 0, 0, 0, 1, 0, 2) } },
  { name: 'hlen 16, htype 6', ip: '10.9.0.107', hw: { htype: 6, hlen: 16, chaddr: Array.from({ length: 16 }, (_, i) => 0xf0 + (i % 16)) } },
] as const;

test('an ACKed lease of an odd hardware address survives kill -9 and the restart starts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-odd-hw-'));
  const crash = await mkdtemp(join(tmpdir(), 'bb-odd-hw-crash-'));
  t.after(() => Promise.all([rm(dir, { recursive: true, force: true }), rm(crash, { recursive: true, force: true })]));
  const clock = new FakeClock();
  const store = await openLeaseStore({ dir, now: clock.now() });
  const net = new MemoryNetwork();
  const server = createDhcpServer({ scopes: [BENCH], journal: store, initialLeases: store.loaded, logger: createSilentLogger(), clock, bindings: bindings(net) });
  await server.start();
  const port = new DhcpTestPort(net.bind('255.255.255.255', 68), { address: '10.9.0.1', port: 67 });
  for (const [i, c] of CLIENTS.entries()) {
    const got = await port.exchange(initReboot(0x700 + i, parseIpv4(c.ip), c.hw), [DHCP_MESSAGE_TYPE.ACK], { timeoutMs: 2000, attempts: 1 });
    assert.equal(got?.packet.yiaddr, c.ip, `${c.name}: ACKed`);
  }
  // kill -9: the directory as it is now (journal written before each ACK, lock left behind by a dead pid).
  await cp(dir, crash, { recursive: true });
  await server.stop();
  await store.close();

  // The copied lock names this process, alive; after a real kill -9 its pid is gone (the takeover has its own test).
  await rm(join(crash, 'lock'));
  const reopened = await openLeaseStore({ dir: crash, now: clock.now() });
  t.after(() => reopened.close());
  assert.equal(reopened.stats().damagedRecordsSkipped, 0);
  assert.equal(reopened.stats().tornLinesSkipped, 0);
  const held = new Map(reopened.loaded.map((l) => [l.ip, l]));
  for (const c of CLIENTS) assert.equal(held.get(parseIpv4(c.ip))?.state, 'bound', `${c.name}: the lease is there after the restart`);
  assert.equal(held.get(parseIpv4('10.9.0.105'))?.mac, '01:02:03:04:05:06:07');
  assert.equal(held.get(parseIpv4('10.9.0.106'))?.clientKey, 'id:ff000000010002');
});
