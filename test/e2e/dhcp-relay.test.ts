/**
 * Relayed DHCP and malformed traffic, in network namespaces.
 *
 *   srv a0: 10.77.0.1/24 + 10.88.0.1/24 ── relay b0: 10.77.0.5/24 + 10.88.0.254/24
 *   srv a1: 10.79.0.1/24 (scope "lan") ─── cli (udhcpc)
 *
 * The relay namespace acts as a BOOTP relay agent with benchboot's test client: a
 * DISCOVER to port 67 with giaddr 10.88.0.254 and option 82 must be answered to
 * giaddr:67 from the scope of giaddr's subnet, with option 82 echoed byte for byte
 * (RFC 3046 §2.2). A burst of malformed datagrams must leave the server answering.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DHCP_MESSAGE_TYPE } from '../../src/dhcp/constants.js';
import { openLab, e2eSkip, waitFor, type Netns } from './netns.js';
import { readDump, runUdhcpcOnce, startLabServer } from '../helpers/dhcp-e2e.js';
import type { ServerProcess } from '../helpers/server-process.js';

const skip = e2eSkip({ programs: ['udhcpc'] });
const PROBE = fileURLToPath(new URL('../helpers/dhcp-probe-main.js', import.meta.url));
/** Circuit ID "eth0/1" and remote ID 01020304, as a relay agent would add them. */
const OPTION_82 = '0106657468302f3102040102030a';

interface ProbeLine {
  type: number;
  yiaddr: string;
  giaddr: string;
  siaddr: string;
  serverId: string | null;
  option82: string | null;
}

async function relayExchange(relay: Netns, mac: string): Promise<ProbeLine[]> {
  const r = await relay.exec(process.execPath, [PROBE, 'relay', '--server', '10.77.0.1', '--giaddr', '10.88.0.254', '--mac', mac, '--option82', OPTION_82], 15_000);
  assert.equal(r.code, 0, `relay probe failed: ${r.stderr}${r.stdout}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ProbeLine);
}

test('relayed requests and a malformed burst, in network namespaces', { skip, timeout: 120_000 }, async (t) => {
  const { lab, work: dir } = await openLab(t);

  const srv = await lab.addNamespace('srv');
  const relay = await lab.addNamespace('rly');
  const cli = await lab.addNamespace('cli');
  const [toRelay, relayEnd] = await lab.link(srv, relay, { aAddress: '10.77.0.1/24', bAddress: '10.77.0.5/24' });
  await srv.execOk('ip', ['addr', 'add', '10.88.0.1/24', 'dev', toRelay.ifname]);
  await relay.execOk('ip', ['addr', 'add', '10.88.0.254/24', 'dev', relayEnd.ifname]);
  const [toCli, cliEnd] = await lab.link(srv, cli, { aAddress: '10.79.0.1/24' });

  const scopes = [
    { name: 'direct', interface: toRelay.ifname, subnet: '10.77.0.0/24', ranges: [['10.77.0.100', '10.77.0.120']] as [string, string][] },
    {
      name: 'remote',
      interface: toRelay.ifname,
      subnet: '10.88.0.0/24',
      ranges: [['10.88.0.100', '10.88.0.120']] as [string, string][],
      router: '10.88.0.254',
      boot: { nextServer: '10.77.0.1', tftpServers: ['10.77.0.1'], file: 'remote.cfg' },
    },
    { name: 'lan', interface: toCli.ifname, subnet: '10.79.0.0/24', ranges: [['10.79.0.100', '10.79.0.120']] as [string, string][] },
  ];
  const server: ServerProcess = await startLabServer(srv, dir, scopes);
  t.after(async () => {
    await server.kill();
  });

  await t.test('a relayed DISCOVER/REQUEST is answered to giaddr:67 with option 82 echoed', async () => {
    const [offer, ack] = await relayExchange(relay, '02:88:00:00:00:01');
    assert.ok(offer && ack, 'the relay got OFFER and ACK on port 67');
    assert.equal(offer.type, DHCP_MESSAGE_TYPE.OFFER);
    assert.equal(ack.type, DHCP_MESSAGE_TYPE.ACK);
    for (const reply of [offer, ack]) {
      assert.equal(reply.giaddr, '10.88.0.254');
      assert.match(reply.yiaddr, /^10\.88\.0\.1(0\d|1\d|20)$/, 'address from the scope of giaddr');
      assert.equal(reply.siaddr, '10.77.0.1');
      assert.equal(reply.option82, OPTION_82, 'option 82 echoed unchanged');
    }
    assert.ok(await waitFor(() => server.events.some((e) => e.kind === 'bound' && e.relay === '10.88.0.254' && e.scope === 'remote'), 5000));
  });

  await t.test('after a burst of malformed datagrams the server still answers relays and local clients', async () => {
    const g = await relay.exec(process.execPath, [PROBE, 'garbage', '--server', '10.77.0.1', '--count', '300'], 15_000);
    assert.equal(g.code, 0, g.stderr);
    const [offer, ack] = await relayExchange(relay, '02:88:00:00:00:02');
    assert.equal(offer?.type, DHCP_MESSAGE_TYPE.OFFER);
    assert.equal(ack?.type, DHCP_MESSAGE_TYPE.ACK);
    const r = await runUdhcpcOnce(cli, cliEnd.ifname, join(dir, 'cli'), 'udhcpc');
    assert.equal(r.code, 0, r.stderr);
    assert.match((await readDump(join(dir, 'cli'), 'udhcpc', 'bound'))?.ip ?? '', /^10\.79\.0\.1\d\d$/);
  });

  await t.test('the counters show the malformed datagrams and the relayed ACKs', async () => {
    const exit = await server.stop();
    assert.equal(exit.code, 0, server.stderr);
    const c = server.counters as { decodeErrors: number; scopes: Record<string, { acks: number }> } | undefined;
    assert.ok(c, 'the server printed its counters at stop');
    assert.ok(c.decodeErrors > 0 && c.decodeErrors <= 300, `decodeErrors ${c.decodeErrors}`);
    assert.equal(c.scopes.remote?.acks, 2);
    assert.equal(c.scopes.lan?.acks, 1);
  });
});
