/**
 * /proc/net/udp parsing and socket-to-process matching on a table of /proc facts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProcAddress, describePortOwner, findTcpPortOwners, findUdpPortOwners, parseProcNetUdp, type ProcSource } from '../../../src/net/port-owner.js';

// Shape of a real /proc/net/udp (kernel 6.x): dnsmasq on 0.0.0.0:67, a resolver on 127.0.0.53:53.
const PROC_NET_UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  118: 00000000:0043 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 41337 2 0000000000000000 0
  229: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 20010 2 0000000000000000 0
  300: 0100000A:0045 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 55555 2 0000000000000000 0
garbage line
`;

test('addresses are little-endian hex, ports big-endian hex', () => {
  assert.equal(decodeProcAddress('0100007F'), '127.0.0.1');
  assert.equal(decodeProcAddress('0100000A'), '10.0.0.1');
  assert.deepEqual(parseProcNetUdp(PROC_NET_UDP), [
    { localAddress: '0.0.0.0', port: 67, uid: 0, inode: 41337 },
    { localAddress: '127.0.0.53', port: 53, uid: 101, inode: 20010 },
    { localAddress: '10.0.0.1', port: 69, uid: 1000, inode: 55555 },
  ]);
});

function fakeProc(files: Record<string, string>, links: Record<string, string>, dirs: Record<string, string[] | 'EACCES'>): ProcSource {
  const fail = (code: string): never => {
    throw Object.assign(new Error(code), { code });
  };
  return {
    readText: async (p) => files[p] ?? fail('ENOENT'),
    readLink: async (p) => links[p] ?? fail('ENOENT'),
    listDir: async (p) => {
      const d = dirs[p];
      if (d === 'EACCES') return fail('EACCES');
      return d ?? fail('ENOENT');
    },
  };
}

const PROC = fakeProc(
  {
    '/proc/net/udp': PROC_NET_UDP,
    '/proc/812/comm': 'dnsmasq\n',
    '/proc/812/cmdline': 'dnsmasq\0--no-daemon\0',
    '/proc/900/comm': 'node\n',
  },
  { '/proc/812/fd/3': 'socket:[41337]', '/proc/812/fd/0': '/dev/null', '/proc/900/fd/7': 'socket:[55555]' },
  { '/proc': ['812', '900', '901', 'self', 'net'], '/proc/812/fd': ['0', '3'], '/proc/900/fd': ['7'], '/proc/901/fd': 'EACCES' },
);

test('the process holding port 67 is named', async () => {
  const owners = await findUdpPortOwners(67, { proc: PROC });
  assert.equal(owners.length, 1);
  assert.deepEqual(owners[0]?.processes, [{ pid: 812, command: 'dnsmasq', cmdline: 'dnsmasq --no-daemon' }]);
  assert.equal(describePortOwner(owners[0] ?? assert.fail()), 'dnsmasq (pid 812) on 0.0.0.0:67');
});

test('a socket whose owner cannot be read is still reported, with its uid', async () => {
  const owners = await findUdpPortOwners(53, { proc: PROC });
  assert.equal(owners.length, 1);
  assert.match(describePortOwner(owners[0] ?? assert.fail()), /uid 101 .* on 127\.0\.0\.53:53/);
});

test('a socket held only by an ignored pid (ourselves) is not reported; a free port gives nothing', async () => {
  assert.deepEqual(await findUdpPortOwners(69, { proc: PROC, ignorePids: [900] }), []);
  assert.equal((await findUdpPortOwners(69, { proc: PROC })).length, 1);
  assert.deepEqual(await findUdpPortOwners(4011, { proc: PROC }), []);
});

// Shape of a real /proc/net/tcp: nginx listening on 0.0.0.0:80 (st 0A), a connection from port 80 (st 01), a listener on 10.0.0.1:6970.
const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0050 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 7002 1 0000000000000000 20 4 30 10 -1
   2: 0100000A:1B3A 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 7003 1 0000000000000000 100 0 0 10 0
`;

test('TCP: only listening sockets hold a port; the program is named', async () => {
  const proc = fakeProc(
    { '/proc/net/tcp': PROC_NET_TCP, '/proc/40/comm': 'nginx\n', '/proc/40/cmdline': 'nginx: master process\0' },
    { '/proc/40/fd/6': 'socket:[7001]', '/proc/40/fd/7': 'socket:[7002]' },
    { '/proc': ['40'], '/proc/40/fd': ['6', '7'] },
  );
  const owners = await findTcpPortOwners(80, { proc });
  assert.equal(owners.length, 1, 'the established connection (st 01) is not a holder');
  assert.equal(owners[0] && describePortOwner(owners[0]), 'nginx (pid 40) on 0.0.0.0:80');
  const other = await findTcpPortOwners(6970, { proc });
  assert.equal(other[0]?.localAddress, '10.0.0.1');
  assert.deepEqual(await findTcpPortOwners(8080, { proc }), []);
});

test('a Node 24 holder (comm "MainThread") is named by its program, not its thread', async () => {
  const proc = fakeProc(
    { '/proc/net/tcp': PROC_NET_TCP, '/proc/41/comm': 'MainThread\n', '/proc/41/cmdline': '/usr/local/bin/node\0server.js\0' },
    { '/proc/41/fd/6': 'socket:[7001]' },
    { '/proc': ['41'], '/proc/41/fd': ['6'] },
  );
  const owners = await findTcpPortOwners(80, { proc });
  assert.equal(owners[0] && describePortOwner(owners[0]), 'node (pid 41) on 0.0.0.0:80');
  assert.equal(owners[0]?.processes[0]?.cmdline, '/usr/local/bin/node server.js');
});
