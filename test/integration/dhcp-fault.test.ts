/**
 * kill -9 fault test: a child process serves bursts of clients over loopback, the
 * parent records every ACK a client saw, SIGKILLs the child at random moments
 * (several rounds) and restarts it on the same state directory. Afterwards every
 * address a client saw ACKed must still be that client's (an INIT-REBOOT request
 * for it is ACKed with the same address) and no address may belong to two clients.
 *
 * Bounded: ROUNDS rounds of CLIENTS_PER_ROUND clients, short client timeouts, and
 * a test timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DHCP_MESSAGE_TYPE } from '../../src/dhcp/constants.js';
import { getMessageType } from '../../src/dhcp/packet.js';
import { openLeaseStore } from '../../src/store/lease-store.js';
import type { Ipv4, MacAddress } from '../../src/net/ipv4.js';
import { bindUdp } from '../../src/net/udp.js';
import { DhcpTestClient, DhcpTestPort, testMac } from '../helpers/dhcp-client.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import type { ScopeJson } from '../helpers/scope-json.js';

const ROUNDS = 6;
const CLIENTS_PER_ROUND = 40;
const SCOPE: ScopeJson = {
  name: 'fault',
  interface: 'bench0',
  subnet: '10.99.0.0/22',
  ranges: [['10.99.0.10', '10.99.3.250']],
  leaseSeconds: 3600,
  boot: { nextServer: '10.99.0.1', tftpServers: ['10.99.0.1'], file: 'boot.cfg' },
};

function serverArgs(scopesFile: string, stateDir: string): string[] {
  // Compact every 16 changes, so kills also land inside journal rotation and snapshot writes.
  return ['--scopes', scopesFile, '--state-dir', stateDir, '--loopback', '127.0.0.1:0', '--as-interface', 'bench0', '--server-address', '10.99.0.1', '--log-level', 'warn', '--compact-after', '16'];
}

function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

test('every ACKed lease survives SIGKILL at random points, and no address is given twice', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-fault-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const scopesFile = join(dir, 'scopes.json');
  const stateDir = join(dir, 'leases');
  await writeFile(scopesFile, JSON.stringify([SCOPE]));
  // One client socket per server life, so no listener outlives its round.
  const endpoints: Awaited<ReturnType<typeof bindUdp>>[] = [];
  t.after(() => Promise.all(endpoints.map((e) => e.close())));
  const clientPort = async (serverPort: number): Promise<DhcpTestPort> => {
    const endpoint = await bindUdp({ address: '127.0.0.1', port: 0 });
    endpoints.push(endpoint);
    return new DhcpTestPort(endpoint, { address: '127.0.0.1', port: serverPort });
  };

  /** mac → the address its last ACK gave. */
  const acked = new Map<MacAddress, Ipv4>();
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
  });
  let nextMac = 1;
  let kills = 0;

  for (let round = 0; round < ROUNDS; round++) {
    server = startServerProcess(serverArgs(scopesFile, stateDir));
    const ready = await server.ready;
    const port = await clientPort(ready.port);
    // A burst: new clients doing DORA, and clients from earlier rounds renewing.
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < CLIENTS_PER_ROUND; i++) {
      const mac = testMac(nextMac++);
      const client = new DhcpTestClient(port, { mac }, { timeoutMs: 400, attempts: 1 });
      jobs.push(
        client.obtain().then((got) => {
          if (got) acked.set(mac, got.ip);
        }),
      );
    }
    for (const [mac, ip] of [...acked].slice(0, 10)) {
      const client = new DhcpTestClient(port, { mac }, { timeoutMs: 400, attempts: 1 });
      jobs.push(
        client.renew(ip).then((reply) => {
          if (reply && getMessageType(reply) === DHCP_MESSAGE_TYPE.ACK) {
            assert.equal(reply.yiaddr, ip, `renewal of ${mac} moved it from ${ip} to ${reply.yiaddr}`);
          }
        }),
      );
    }
    // Kill at a random moment inside the burst (or, in the last round, let it finish first).
    if (round < ROUNDS - 1) {
      await new Promise((r) => setTimeout(r, randomInt(10, 500)));
      await server.kill();
      kills++;
    }
    await Promise.all(jobs);
    if (round === ROUNDS - 1) await server.kill();
  }
  assert.equal(kills, ROUNDS - 1, 'every round but the last was cut short by SIGKILL');
  t.diagnostic(`${acked.size} clients ACKed over ${ROUNDS} server lives, ${kills} SIGKILLs`);
  assert.ok(acked.size > 0, 'some clients were ACKed');

  // No address was ACKed to two clients.
  const owners = new Map<Ipv4, MacAddress>();
  for (const [mac, ip] of acked) {
    const other = owners.get(ip);
    assert.equal(other, undefined, `${ip} was ACKed to both ${other} and ${mac}`);
    owners.set(ip, mac);
  }

  // Restart once more on the same state dir: every ACKed client keeps its address.
  server = startServerProcess(serverArgs(scopesFile, stateDir));
  const ready = await server.ready;
  assert.ok(ready.leases >= acked.size, `the journal replayed ${ready.leases} leases for ${acked.size} ACKed clients`);
  const port = await clientPort(ready.port);
  for (const [mac, ip] of acked) {
    const reply = await new DhcpTestClient(port, { mac }, { timeoutMs: 1000, attempts: 3 }).reboot(ip);
    assert.ok(reply, `no answer for ${mac} asking for ${ip}`);
    assert.equal(getMessageType(reply), DHCP_MESSAGE_TYPE.ACK, `${mac} lost ${ip} (got a NAK)`);
    assert.equal(reply.yiaddr, ip, `${mac} was ACKed ${reply.yiaddr} instead of ${ip}`);
  }
  // A newcomer is never offered an address somebody holds.
  const newcomer = await new DhcpTestClient(port, { mac: testMac(nextMac) }, { timeoutMs: 1000, attempts: 3 }).discover();
  assert.ok(newcomer, 'a new client is still offered an address');
  assert.equal(owners.has(newcomer.yiaddr), false, `newcomer offered ${newcomer.yiaddr}, which is held`);
  await server.stop();

  // And on disk: one bound lease per ACKed client, no address twice (the map is keyed by address).
  const store = await openLeaseStore({ dir: stateDir, now: Date.now() });
  try {
    const bound = store.loaded.filter((l) => l.state === 'bound');
    for (const [mac, ip] of acked) {
      const lease = bound.find((l) => l.ip === ip);
      assert.equal(lease?.mac, mac, `on disk ${ip} belongs to ${lease?.mac}, not ${mac}`);
    }
    const clients = new Set(bound.map((l) => l.clientKey));
    assert.equal(clients.size, bound.length, 'a client holds two bound leases');
  } finally {
    await store.close();
  }
});
