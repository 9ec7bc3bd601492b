/**
 * benchboot's DHCP server against real clients in network namespaces.
 *
 *   srv ─ bridge 10.77.0.1/24 (scope "bench") ─┬─ c1 (dhclient)
 *       │                                       ├─ c2 (udhcpc)
 *       │                                       ├─ c3 (dhcpcd)
 *       │                                       └─ c4 (udhcpc, reserved MAC)
 *       └─ 10.78.0.1/24, no scope ──────────────── iso (udhcpc: must get nothing)
 *
 * Each client must get a pool address and see siaddr, sname, option 66, option 150
 * and the boot file; a reserved MAC gets its address; renew keeps the address;
 * release then request works; a server restart (SIGKILL) keeps every client's
 * address; the interface without a scope gets no answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeDhcpPacket, getOption } from '../../src/dhcp/packet.js';
import { OPTION } from '../../src/dhcp/constants.js';
import { toHex } from '../../src/net/bytes.js';
import { cidrContains, ipv4ToInt, parseCidr, parseIpv4, type Ipv4 } from '../../src/net/ipv4.js';
import { openLab, e2eSkip, waitFor, type Netns } from './netns.js';
import {
  readDhcpcdLease,
  readDump,
  runDhcpcdOnce,
  runUdhcpcOnce,
  spawnDhclient,
  spawnUdhcpc,
  startLabServer,
  waitForDump,
} from '../helpers/dhcp-e2e.js';
import type { ServerProcess } from '../helpers/server-process.js';
import type { ScopeJson } from '../helpers/scope-json.js';

const skip = e2eSkip({ programs: ['dhclient', 'udhcpc', 'dhcpcd'] });

const RESERVED_MAC = '02:00:5e:77:00:20';
const RESERVED_IP = '10.77.0.20';
const POOL = { first: '10.77.0.100', last: '10.77.0.150' };

function benchScope(bridge: string): ScopeJson {
  return {
    name: 'bench',
    interface: bridge,
    subnet: '10.77.0.0/24',
    ranges: [[POOL.first, POOL.last]],
    router: '10.77.0.1',
    leaseSeconds: 600,
    boot: {
      nextServer: '10.77.0.1',
      serverName: 'bench-tftp',
      tftpServerName: '10.77.0.1',
      tftpServers: ['10.77.0.1', '10.77.0.2'],
      file: 'SEPDEFAULT.cnf.xml',
    },
    reservations: [{ mac: RESERVED_MAC, ip: RESERVED_IP }],
  };
}

function inPool(ip: string | undefined): boolean {
  if (!ip) return false;
  const n = ipv4ToInt(parseIpv4(ip));
  return n >= ipv4ToInt(POOL.first as Ipv4) && n <= ipv4ToInt(POOL.last as Ipv4);
}

async function macOf(ns: Netns, ifname: string): Promise<string> {
  const out = await ns.execOk('cat', [`/sys/class/net/${ifname}/address`]);
  return out.trim();
}

test('real DHCP clients against benchboot in network namespaces', { skip, timeout: 240_000 }, async (t) => {
  const { lab, work: dir } = await openLab(t);

  const srv = await lab.addNamespace('srv');
  const bridge = await lab.bridge(srv, '10.77.0.1/24');
  const clients: { ns: Netns; ifname: string }[] = [];
  for (const role of ['c1', 'c2', 'c3', 'c4']) {
    const ns = await lab.addNamespace(role);
    const [a, b] = await lab.link(srv, ns);
    await lab.enslave(srv, a.ifname, bridge);
    clients.push({ ns, ifname: b.ifname });
  }
  const [c1, c2, c3, c4] = clients as [(typeof clients)[0], (typeof clients)[0], (typeof clients)[0], (typeof clients)[0]];
  await c4.ns.execOk('ip', ['link', 'set', c4.ifname, 'address', RESERVED_MAC]);
  const iso = await lab.addNamespace('iso');
  const [, isoEnd] = await lab.link(srv, iso, { aAddress: '10.78.0.1/24' });

  let server: ServerProcess = await startLabServer(srv, dir, [benchScope(bridge)]);
  t.after(async () => {
    await server.kill();
  });
  /** mac → address each client holds, for the restart check. */
  const holds = new Map<string, string>();

  await t.test('dhclient gets a pool address with siaddr, sname, options 66, 150 and the boot file', async () => {
    const child = spawnDhclient(c1.ns, c1.ifname, join(dir, 'c1'), 'dhclient');
    const proc = await child;
    try {
      const env = await waitForDump(join(dir, 'c1'), 'dhclient', 'BOUND', 20_000);
      assert.ok(env, 'dhclient reached BOUND');
      assert.ok(inPool(env.new_ip_address), `address ${env.new_ip_address}`);
      assert.equal(env.new_next_server, '10.77.0.1', 'siaddr');
      assert.equal(env.new_server_name, 'bench-tftp', 'sname');
      assert.equal(env.new_tftp66, '10.77.0.1', 'option 66');
      assert.equal(env.new_tftp150, '10.77.0.1 10.77.0.2', 'option 150');
      assert.equal(env.new_filename, 'SEPDEFAULT.cnf.xml', 'file');
      assert.equal(env.new_bootfile_name, 'SEPDEFAULT.cnf.xml', 'option 67');
      assert.equal(env.new_dhcp_server_identifier, '10.77.0.1');
      holds.set(await macOf(c1.ns, c1.ifname), env.new_ip_address ?? '');
    } finally {
      proc.kill('SIGKILL');
    }
  });

  await t.test('udhcpc gets a pool address with siaddr, sname, options 66, 150 and the boot file', async () => {
    const r = await runUdhcpcOnce(c2.ns, c2.ifname, join(dir, 'c2'), 'udhcpc');
    assert.equal(r.code, 0, r.stderr);
    const env = await readDump(join(dir, 'c2'), 'udhcpc', 'bound');
    assert.ok(env, 'udhcpc ran its bound hook');
    assert.ok(inPool(env.ip), `address ${env.ip}`);
    assert.equal(env.siaddr, '10.77.0.1');
    assert.equal(env.sname, 'bench-tftp');
    assert.equal(env.boot_file, 'SEPDEFAULT.cnf.xml');
    assert.equal(env.tftp, '10.77.0.1', 'option 66');
    assert.equal(env.bootfile, 'SEPDEFAULT.cnf.xml', 'option 67');
    assert.equal(env.opt150, '0a4d00010a4d0002', 'option 150');
    holds.set(await macOf(c2.ns, c2.ifname), env.ip ?? '');
  });

  await t.test('dhcpcd gets a pool address with options 66, 150 and 67; its saved ACK has siaddr, sname and file', async () => {
    const r = await runDhcpcdOnce(c3.ns, c3.ifname, join(dir, 'c3'), 'dhcpcd');
    assert.equal(r.code, 0, r.stderr);
    const env = await readDump(join(dir, 'c3'), 'dhcpcd', 'BOUND');
    assert.ok(env, `dhcpcd ran its BOUND hook: ${r.stderr}`);
    assert.ok(inPool(env.new_ip_address), `address ${env.new_ip_address}`);
    assert.equal(env.new_tftp_server_name, '10.77.0.1', 'option 66');
    assert.equal(env.new_bootfile_name, 'SEPDEFAULT.cnf.xml', 'option 67');
    assert.equal(env.new_tftp_servers, '10.77.0.1 10.77.0.2', 'option 150');
    // dhcpcd keeps the ACK it accepted as its lease file; its fixed fields are what the device saw.
    const ack = decodeDhcpPacket(await readDhcpcdLease(join(dir, 'c3'), 'dhcpcd', c3.ifname)).value;
    assert.equal(ack.siaddr, '10.77.0.1');
    assert.equal(ack.sname, 'bench-tftp');
    assert.equal(ack.file, 'SEPDEFAULT.cnf.xml');
    assert.equal(toHex(getOption(ack, OPTION.TFTP_SERVERS) ?? new Uint8Array()), '0a4d00010a4d0002');
    holds.set(await macOf(c3.ns, c3.ifname), env.new_ip_address ?? '');
  });

  await t.test('a reserved MAC gets its reserved address', async () => {
    const r = await runUdhcpcOnce(c4.ns, c4.ifname, join(dir, 'c4'), 'udhcpc');
    assert.equal(r.code, 0, r.stderr);
    const env = await readDump(join(dir, 'c4'), 'udhcpc', 'bound');
    assert.equal(env?.ip, RESERVED_IP);
    holds.set(RESERVED_MAC, RESERVED_IP);
  });

  await t.test('renew (unicast to the server) keeps the address', async () => {
    const cdir = join(dir, 'c2-renew');
    const child = await spawnUdhcpc(c2.ns, c2.ifname, cdir, 'udhcpc');
    try {
      const bound = await waitForDump(cdir, 'udhcpc', 'bound', 15_000);
      assert.ok(bound?.ip);
      assert.equal(bound.ip, holds.get(await macOf(c2.ns, c2.ifname)), 'the client got its own address back');
      const acksBefore = server.events.filter((e) => e.kind === 'bound').length;
      child.kill('SIGUSR1'); // udhcpc: renew now (unicast REQUEST with ciaddr)
      const renewed = await waitForDump(cdir, 'udhcpc', 'renew', 15_000);
      assert.equal(renewed?.ip, bound.ip);
      assert.ok(await waitFor(() => server.events.filter((e) => e.kind === 'bound').length > acksBefore, 5000));
    } finally {
      child.kill('SIGKILL');
    }
  });

  await t.test('release, then a new request gets an address again', async () => {
    const cdir = join(dir, 'c2-release');
    const child = await spawnUdhcpc(c2.ns, c2.ifname, cdir, 'udhcpc', ['-R']);
    const mac = await macOf(c2.ns, c2.ifname);
    let ip: string | undefined;
    try {
      const bound = await waitForDump(cdir, 'udhcpc', 'bound', 15_000);
      ip = bound?.ip;
      assert.ok(ip);
      child.kill('SIGTERM'); // -R: send DHCPRELEASE on exit
      assert.ok(await waitFor(() => server.events.some((e) => e.kind === 'released' && e.mac === mac && e.ip === ip), 10_000), 'the server saw the RELEASE');
    } finally {
      child.kill('SIGKILL');
    }
    const r = await runUdhcpcOnce(c2.ns, c2.ifname, join(dir, 'c2-again'), 'udhcpc');
    assert.equal(r.code, 0, r.stderr);
    const again = await readDump(join(dir, 'c2-again'), 'udhcpc', 'bound');
    assert.ok(inPool(again?.ip));
    holds.set(mac, again?.ip ?? '');
  });

  await t.test('a client on an interface without a scope gets no answer', async () => {
    const received = server.events.length;
    const r = await runUdhcpcOnce(iso, isoEnd.ifname, join(dir, 'iso'), 'udhcpc');
    assert.notEqual(r.code, 0, 'udhcpc must fail to get a lease');
    assert.equal(await readDump(join(dir, 'iso'), 'udhcpc', 'bound'), undefined);
    assert.equal(server.events.length, received, 'the server emitted nothing for it');
  });

  await t.test('after SIGKILL and restart every client keeps its address (asked in reverse order)', async () => {
    await server.kill();
    server = await startLabServer(srv, dir, [benchScope(bridge)]);
    // Each client asks again with its own program and identity (dhcpcd sends a DUID
    // client identifier, the others go by MAC), newest client first, with no lease
    // file to fall back on, so each sends a fresh DISCOVER: a server that forgot would
    // hand out the pool from the start in this new order.
    const again = async (c: (typeof clients)[0]): Promise<string | undefined> => {
      if (c === c1) {
        const cdir = join(dir, 'c1-restart');
        const proc = await spawnDhclient(c.ns, c.ifname, cdir, 'dhclient');
        try {
          return (await waitForDump(cdir, 'dhclient', 'BOUND', 20_000))?.new_ip_address;
        } finally {
          proc.kill('SIGKILL');
        }
      }
      if (c === c3) {
        // Keep dhcpcd's DUID, drop its saved lease.
        await rm(join(dir, 'c3', 'dhcpcd-db', `${c.ifname}.lease`), { force: true });
        await rm(join(dir, 'c3', 'dhcpcd.BOUND'), { force: true });
        const r = await runDhcpcdOnce(c.ns, c.ifname, join(dir, 'c3'), 'dhcpcd');
        assert.equal(r.code, 0, r.stderr);
        return (await readDump(join(dir, 'c3'), 'dhcpcd', 'BOUND'))?.new_ip_address;
      }
      const tag = `restart-${c.ns.name}`;
      const r = await runUdhcpcOnce(c.ns, c.ifname, join(dir, tag), 'udhcpc');
      assert.equal(r.code, 0, r.stderr);
      return (await readDump(join(dir, tag), 'udhcpc', 'bound'))?.ip;
    };
    for (const c of [c4, c3, c2, c1]) {
      const mac = await macOf(c.ns, c.ifname);
      const ip = await again(c);
      assert.equal(ip, holds.get(mac), `${c.ns.name} (${mac}) got ${ip}, held ${holds.get(mac)}`);
    }
    const subnet = parseCidr('10.77.0.0/24');
    assert.ok([...holds.values()].every((ip) => cidrContains(subnet, parseIpv4(ip))));
    assert.equal(new Set(holds.values()).size, holds.size, 'no address held twice');
  });
});
