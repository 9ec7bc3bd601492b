/**
 * Safety before the first lease (ports held, another DHCP server answering, --force),
 * the serve option rules, and the administrative DHCPRELEASE.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseStateOf, preflight, type PreflightOptions } from '../../../src/appliance/index.js';
import { FakeClock } from '../../../src/clock.js';
import { noAddressMessage } from '../../../src/appliance/index.js';
import { serveNewClientRate, validateServeArgs } from '../../../src/cli/serve-args.js';
import type { ServeArgs } from '../../../src/cli/serve-options.js';
import type { ProbeAnswer } from '../../../src/dhcp/probe.js';
import { BenchbootError, isBenchbootError } from '../../../src/errors.js';
import type { PortOwner } from '../../../src/net/port-owner.js';
import { createSilentLogger } from '../../../src/log.js';
import { parseIpv4 } from '../../../src/net/ipv4.js';

const ROGUE: ProbeAnswer = {
  from: { address: '10.10.0.254', port: 67 },
  messageType: 'OFFER',
  serverId: parseIpv4('10.10.0.254'),
  offeredIp: parseIpv4('10.10.0.77'),
  prefix: 24,
  subnet: '10.10.0.0/24',
  siaddr: parseIpv4('0.0.0.0'),
  sname: '',
  file: '',
  tftpServers: [],
};

function options(over: Partial<PreflightOptions> = {}): PreflightOptions {
  return {
    probeInterfaces: ['eth1'],
    ownAddresses: [parseIpv4('10.10.0.1')],
    dhcpPort: 67,
    tftpPort: 69,
    force: false,
    probeTimeoutMs: 10,
    clock: new FakeClock(),
    logger: createSilentLogger(),
    findOwners: async () => [],
    probe: async () => [],
    ...over,
  };
}

test('a quiet wire and free ports: preflight passes and reports nothing', async () => {
  assert.deepEqual(await preflight(options()), []);
});

test('a held port is refused with the program named, before any probe', async () => {
  let probed = false;
  await assert.rejects(
    preflight(
      options({
        findOwners: async (port) => (port === 69 ? [{ localAddress: '0.0.0.0', port: 69, uid: 0, inode: 9, processes: [{ pid: 77, command: 'in.tftpd', cmdline: '' }] }] : []),
        probe: async () => {
          probed = true;
          return [];
        },
      }),
    ),
    (err) => isBenchbootError(err, 'BB_PORT_IN_USE') && /UDP port 69 \(TFTP\) is already taken by in\.tftpd \(pid 77\)/.test(err.message),
  );
  assert.equal(probed, false);
});

test('another DHCP server answering is refused, named with its server id and subnet', async () => {
  await assert.rejects(preflight(options({ probe: async () => [ROGUE] })), (err) =>
    isBenchbootError(err, 'BB_ROGUE_DHCP') && /on eth1: DHCP server at 10\.10\.0\.254 offers 10\.10\.0\.77 in 10\.10\.0\.0\/24/.test(err.message) && /--force/.test(err.message),
  );
});

test('--force starts anyway and returns what it found; our own answers never count', async () => {
  const found = await preflight(options({ force: true, probe: async () => [ROGUE] }));
  assert.equal(found.length, 1);
  const own = { ...ROGUE, serverId: parseIpv4('10.10.0.1'), from: { address: '10.10.0.1', port: 67 } };
  assert.deepEqual(await preflight(options({ probe: async () => [own] })), []);
});

function args(over: Partial<ServeArgs>): ServeArgs {
  return {
    json: false, 'log-level': 'info', 'log-file': undefined,
    interface: ['eth1'], scopes: undefined, address: undefined, user: undefined, 'tftp-root': './tftp', 'upload-dir': undefined,
    'tftp-port': 69, 'http-port': undefined, http: true, 'dhcp-port': 67, inventory: undefined, syslog: true, 'syslog-port': undefined,
    leases: './leases', 'max-transfers': 30, force: false, live: true, 'new-client-rate': undefined, 'new-client-burst': undefined, 'probe-timeout': 4, grace: 5,
    alternate: undefined, 'default-file': undefined, 'map-file': undefined, 'case-insensitive': false, 'overwrite-uploads': false,
    'max-upload-size': undefined, 'upload-mode': undefined, 'upload-quota': undefined, 'max-versions': undefined, 'min-free': undefined, 'max-blksize': undefined, mtu: undefined, 'max-windowsize': undefined, 'max-window-bytes': 'auto', 'port-range': undefined,
    'max-per-client': undefined, 'transfers-ceiling': undefined, 'tftp-timeout': undefined, 'max-tftp-timeout': undefined, 'min-transfer-rate': undefined, 'tftp-retries': undefined, 'queue-wait': undefined, 'busy-poll': 200, 'tftp-workers': 0,
    ...over,
  };
}

test('serve option rules: something to serve, --address with one interface, ranges', () => {
  validateServeArgs(args({}));
  validateServeArgs(args({ interface: undefined, scopes: './scopes' }));
  const bad: [Partial<ServeArgs>, RegExp][] = [
    [{ interface: undefined }, /--interface IF .* or --scopes DIR/],
    [{ interface: ['eth1', 'eth2'], address: '10.10.0.1/24' }, /--address needs exactly one --interface/],
    [{ interface: ['eth1', 'eth1'] }, /same interface twice/],
    [{ 'tftp-port': 70000 }, /--tftp-port 70000/],
    [{ 'max-transfers': 0 }, /--max-transfers 0/],
    [{ grace: -1 }, /--grace -1/],
    [{ 'probe-timeout': 0 }, /--probe-timeout 0/],
    [{ 'new-client-rate': -1 }, /--new-client-rate -1/],
    [{ 'new-client-rate': 20, 'new-client-burst': 0 }, /--new-client-burst 0/],
    [{ 'new-client-rate': 20, 'new-client-burst': 2.5 }, /--new-client-burst 2\.5/],
    [{ 'new-client-burst': 64 }, /--new-client-burst needs --new-client-rate/],
    [{ 'new-client-rate': 0, 'new-client-burst': 64 }, /--new-client-burst with --new-client-rate 0/],
    [{ 'syslog-port': 0 }, /--syslog-port 0/],
    [{ 'syslog-port': 5514, syslog: false }, /--syslog-port and --no-syslog/],
  ];
  for (const [over, message] of bad) assert.throws(() => validateServeArgs(args(over)), (err) => isBenchbootError(err, 'BB_USAGE') && message.test(err.message), message.source);
});

test('the new-client rate: sized from each pool by default, off with 0, or the rate given (burst at least 64)', () => {
  assert.equal(serveNewClientRate(args({})), 'pool');
  assert.equal(serveNewClientRate(args({ 'new-client-rate': 0 })), undefined);
  assert.deepEqual(serveNewClientRate(args({ 'new-client-rate': 10 })), { perSecond: 10, burst: 64 });
  assert.deepEqual(serveNewClientRate(args({ 'new-client-rate': 500, 'new-client-burst': 50 })), { perSecond: 500, burst: 50 });
});

test('the no-address message gives both ways out', () => {
  const text = noAddressMessage('eth1');
  assert.match(text, /^ {2}sudo ip addr add 10\.10\.0\.1\/24 dev eth1$/m);
  assert.match(text, /^ {2}sudo benchboot serve --interface eth1 --address 10\.10\.0\.1\/24$/m);
});

test('lease events map to view states; NAK and INFORM change no lease', () => {
  assert.equal(leaseStateOf('bound'), 'bound');
  assert.equal(leaseStateOf('offered'), 'offered');
  assert.equal(leaseStateOf('refused'), undefined);
  assert.equal(leaseStateOf('informed'), undefined);
});

test('a probe that cannot bind UDP 68 names the holder and refuses; --force skips the check', async () => {
  const held = async (): Promise<never> => {
    throw new BenchbootError('BB_PORT_IN_USE', 'UDP port 68 (0.0.0.0 on eth1) is already taken by another program');
  };
  const owners = async (port: number): Promise<PortOwner[]> =>
    port === 68 ? [{ localAddress: '0.0.0.0', port: 68, uid: 0, inode: 5, processes: [{ pid: 400, command: 'dhclient', cmdline: '' }] }] : [];
  await assert.rejects(preflight(options({ probe: held, findOwners: owners })), (err) =>
    isBenchbootError(err, 'BB_PORT_IN_USE') && /cannot probe eth1 .*held by dhclient \(pid 400\).*--force to skip/.test(err.message),
  );
  assert.deepEqual(await preflight(options({ probe: held, findOwners: owners, force: true })), []);
});
