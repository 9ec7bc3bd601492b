/**
 * The root parent does only its named jobs (issue 11 point 2): a request of any other
 * shape is not a request, and each job is checked against the command line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusalOf, type JobPolicy } from '../../../src/priv/policy.js';
import { parseJobRequest, parseJobReply, type JobRequest } from '../../../src/priv/protocol.js';
import { chooseServeUser } from '../../../src/priv/user.js';
import { interfaceNamesIn } from '../../../src/priv/scope-interfaces.js';

const policy: JobPolicy = {
  dhcpPorts: [67, 68],
  udpPorts: [69, 514],
  tcpPorts: [80, 6970],
  web: { address: '127.0.0.1', port: 8067 },
  temporary: { interfaceName: 'eth1', address: '10.10.0.1', prefix: 24 },
  servedInterfaces: () => Promise.resolve(['eth1']),
  addressesOf: (name) => (name === 'eth1' ? ['10.10.0.1'] : name === 'wlan0' ? ['192.168.1.20'] : []),
};

test('only the five job shapes are requests: unknown jobs, extra keys and bad values are not', () => {
  assert.deepEqual(parseJobRequest({ id: 1, job: 'bind-dhcp', interfaceName: 'eth1', port: 67 }), { id: 1, job: 'bind-dhcp', interfaceName: 'eth1', port: 67 });
  const notRequests: unknown[] = [
    null,
    'bind-dhcp',
    { id: 1, job: 'exec', command: 'sh' }, // a job the parent has no name for
    { id: 1, job: 'bind-dhcp', interfaceName: 'eth1', port: 67, path: '/etc/shadow' }, // an extra key
    { id: 1, job: 'bind-udp', address: '10.10.0.1', port: 70000 }, // not a port
    { id: 1, job: 'bind-udp', address: '10.10.0.1', port: 69, recvBufferBytes: 1 << 30 }, // an absurd buffer
    { id: 1.5, job: 'listen-tcp', address: '10.10.0.1', port: 80 }, // not an id
    { id: 1, job: 'bind-dhcp', interfaceName: 'x'.repeat(16), port: 67 }, // longer than an interface name
    { id: 1, job: 'add-address', interfaceName: 'eth1', address: '10.10.0.1' }, // no prefix
  ];
  for (const m of notRequests) assert.equal(parseJobRequest(m), undefined, JSON.stringify(m));
  assert.equal(parseJobReply({ kind: 'job-failed', id: 3, message: 'no', netKind: 'nonsense', refused: true })?.kind, 'job-failed');
});

test('each job is checked against the command line: served interfaces, configured ports, their addresses, the one --address', async () => {
  const cases: [JobRequest, RegExp | undefined][] = [
    [{ id: 1, job: 'bind-dhcp', interfaceName: 'eth1', port: 67 }, undefined],
    [{ id: 1, job: 'bind-dhcp', interfaceName: 'eth1', port: 68 }, undefined], // the start-up probe
    [{ id: 1, job: 'bind-dhcp', interfaceName: 'wlan0', port: 67 }, /wlan0 is not served/], // the office network: never a rogue DHCP server there
    [{ id: 1, job: 'bind-dhcp', interfaceName: 'eth1', port: 53 }, /not a DHCP port/],
    [{ id: 1, job: 'bind-udp', address: '10.10.0.1', port: 69 }, undefined],
    [{ id: 1, job: 'bind-udp', address: '10.10.0.1', port: 514 }, undefined],
    [{ id: 1, job: 'bind-udp', address: '192.168.1.20', port: 69 }, /not an address of a served interface/],
    [{ id: 1, job: 'bind-udp', address: '0.0.0.0', port: 69 }, /not an address of a served interface/],
    [{ id: 1, job: 'bind-udp', address: '10.10.0.1', port: 53 }, /UDP port 53/],
    [{ id: 1, job: 'listen-tcp', address: '10.10.0.1', port: 80 }, undefined],
    [{ id: 1, job: 'listen-tcp', address: '127.0.0.1', port: 8067 }, undefined], // the dashboard
    [{ id: 1, job: 'listen-tcp', address: '127.0.0.1', port: 80 }, /not an address of a served interface/],
    [{ id: 1, job: 'listen-tcp', address: '10.10.0.1', port: 22 }, /TCP port 22/],
    [{ id: 1, job: 'add-address', interfaceName: 'eth1', address: '10.10.0.1', prefix: 24 }, undefined],
    [{ id: 1, job: 'add-address', interfaceName: 'wlan0', address: '10.10.0.1', prefix: 24 }, /only the --address/],
    [{ id: 1, job: 'add-address', interfaceName: 'eth1', address: '10.10.0.9', prefix: 24 }, /only the --address/],
    [{ id: 1, job: 'remove-address', interfaceName: 'wlan0', address: '192.168.1.20', prefix: 24 }, /only an address this run added/],
  ];
  for (const [request, refused] of cases) {
    const why = await refusalOf(request, policy, (i, a, p) => i === 'eth1' && a === '10.10.0.1' && p === 24);
    if (refused === undefined) assert.equal(why, undefined, JSON.stringify(request));
    else assert.match(why ?? '', refused, JSON.stringify(request));
  }
  assert.equal(await refusalOf({ id: 1, job: 'remove-address', interfaceName: 'eth1', address: '10.10.0.1', prefix: 24 }, policy, () => false), 'only an address this run added may be removed');
});

test('the serving user: --user, else the sudo user, else nobody; never root; an unknown user is an error naming the fix', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\ntech:x:1000:1000::/home/tech:/bin/bash\n';
  assert.deepEqual(chooseServeUser(undefined, { SUDO_UID: '1000', SUDO_GID: '1000', SUDO_USER: 'tech' }, passwd), { name: 'tech', uid: 1000, gid: 1000, from: 'sudo' });
  assert.deepEqual(chooseServeUser(undefined, {}, passwd), { name: 'nobody', uid: 65534, gid: 65534, from: 'default' });
  assert.deepEqual(chooseServeUser(undefined, { SUDO_UID: '0', SUDO_GID: '0' }, passwd).name, 'nobody'); // sudo from root: still not root
  assert.deepEqual(chooseServeUser('tech', { SUDO_UID: '1001' }, passwd), { name: 'tech', uid: 1000, gid: 1000, from: '--user' });
  assert.equal(chooseServeUser('1000', {}, passwd).name, 'tech');
  assert.throws(() => chooseServeUser('root', {}, passwd), /never runs its packet and file code as root/);
  assert.throws(() => chooseServeUser('0', {}, passwd), /never runs/);
  assert.throws(() => chooseServeUser('benchboot', {}, passwd), /no such user; create one \(e\.g\. "sudo useradd --system/);
  assert.throws(() => chooseServeUser(undefined, {}, 'root:x:0:0::/root:/bin/sh\n'), /does not have; pass --user NAME/);
});

test('the parent reads only interface names from scope files', () => {
  assert.deepEqual(interfaceNamesIn('name: bench\ninterface: eth1\nsubnet: 10.0.0.0/24\n'), ['eth1']);
  assert.deepEqual(interfaceNamesIn("interface: 'veth-b' # the bench\n"), ['veth-b']);
  assert.deepEqual(interfaceNamesIn('interface: ../../etc\n  interface: "x y"\n'), []);
});
