/**
 * The doctor's checks on tables of facts: privileges from uid/CapEff/kernel, port
 * owners named with a fix, interfaces with the exact `ip addr add`, scope files,
 * directories, alternates and the map file (on real temp files), and the report lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInterface, checkPort, checkPrivileges, kernelBefore, parseCapEff, runDoctorChecks, systemDoctorEnv, type DoctorEnv } from '../../../src/appliance/index.js';
import { formatDoctorReport } from '../../../src/cli/doctor.js';
import type { ScopeDir } from '../../../src/config/load.js';
import type { NetworkInterface } from '../../../src/net/interfaces.js';
import { parseIpv4 } from '../../../src/net/ipv4.js';

const BIND = 1n << 10n;
const ADMIN = 1n << 12n;
const RAW = 1n << 13n;

test('CapEff parses from /proc/self/status', () => {
  assert.equal(parseCapEff('Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t0000000000003400\n'), 0x3400n);
  assert.equal(parseCapEff('Name:\tnode\n'), undefined);
});

test('privileges: root passes; capabilities pass; missing ones fail with the setcap fix', () => {
  const cases: [string, number, bigint, number | undefined, string, string, RegExp][] = [
    ['root', 0, 0n, 1024, '6.8.0', 'ok', /root/],
    ['caps granted', 1000, BIND | ADMIN | RAW, 1024, '6.8.0', 'ok', /capabilities/],
    ['no bind cap', 1000, 0n, 1024, '6.8.0', 'fail', /CAP_NET_BIND_SERVICE/],
    ['low ports opened by sysctl', 1000, ADMIN, 0, '6.8.0', 'ok', /capabilities/],
    ['old kernel needs NET_RAW', 1000, BIND | ADMIN, 1024, '5.4.0-150', 'fail', /CAP_NET_RAW/],
    ['no NET_ADMIN: serve works, --address does not', 1000, BIND, 1024, '6.1.0', 'warn', /--address/],
  ];
  for (const [what, uid, caps, start, kernel, status, detail] of cases) {
    const r = checkPrivileges(uid, caps, start, kernel);
    assert.equal(r.status, status, what);
    assert.match(r.detail, detail, what);
    if (status === 'fail') assert.match(r.fix ?? '', /setcap/, what);
  }
  assert.ok(kernelBefore('5.6.19', 5, 7));
  assert.ok(!kernelBefore('5.7.0', 5, 7));
  assert.ok(!kernelBefore('6.1.0', 5, 7));
});

test('a held port names the program and how to stop it', () => {
  const r = checkPort(67, 'DHCP', [{ localAddress: '0.0.0.0', port: 67, uid: 0, inode: 1, processes: [{ pid: 812, command: 'dnsmasq', cmdline: 'dnsmasq' }] }]);
  assert.equal(r.status, 'fail');
  assert.equal(r.detail, 'UDP 67 (DHCP) is taken by dnsmasq (pid 812) on 0.0.0.0:67');
  assert.match(r.fix ?? '', /systemctl stop dnsmasq.*kill 812/);
  assert.equal(checkPort(69, 'TFTP', []).status, 'ok');
});

const ETH1: NetworkInterface = { name: 'eth1', ifindex: 3, addresses: [], isLoopback: false };

test('an interface without an address gets the exact command', () => {
  const r = checkInterface('eth1', ETH1, ['eth0', 'eth1']);
  assert.equal(r.status, 'fail');
  assert.match(r.fix ?? '', /sudo ip addr add 10\.10\.0\.1\/24 dev eth1/);
  assert.match(checkInterface('eth9', undefined, ['eth0', 'eth1']).fix ?? '', /eth0, eth1/);
  assert.equal(checkInterface('eth1', { ...ETH1, addresses: [{ address: parseIpv4('10.10.0.1'), prefix: 24 }] }, []).status, 'ok');
});

function env(over: Partial<DoctorEnv> = {}): DoctorEnv {
  return {
    uid: () => 0,
    procStatus: async () => 'CapEff:\t000001ffffffffff\n',
    unprivilegedPortStart: async () => 1024,
    kernelRelease: () => '6.8.0',
    portOwners: async () => [],
    findInterface: async (name) => (name === 'eth1' ? ETH1 : undefined),
    listInterfaces: async () => [ETH1],
    checkDirectory: async (path) => {
      if (path.includes('missing')) throw new Error('ENOENT');
    },
    readScopeDir: async (): Promise<ScopeDir> => ({ entries: [], issues: [], onlyOverlaps: false }),
    requireInterfaceForSubnet: async () => undefined,
    readMapFile: async () => 0,
    ...over,
  };
}

test('the whole run: every problem is one failed line with a fix, and the summary counts them', async () => {
  const results = await runDoctorChecks(
    { interfaces: ['eth1'], tftpRoot: '/srv/tftp', uploadDir: '/srv/missing', dhcpPort: 67, tftpPort: 69, scopes: '/etc/bb/scopes' },
    env({
      readScopeDir: async () => ({
        entries: [],
        issues: [{ file: '/etc/bb/scopes/lab.yaml', line: 4, field: 'subnet', message: 'is not a subnet' }],
        onlyOverlaps: false,
      }),
    }),
  );
  const failed = results.filter((r) => r.status === 'fail').map((r) => r.name);
  assert.deepEqual(failed, ['interface eth1', 'scopes', 'scopes', 'upload dir']);
  const lines = formatDoctorReport(results);
  assert.match(lines.join('\n'), /FAIL {2}scopes +\/etc\/bb\/scopes\/lab\.yaml:4/);
  assert.match(lines.join('\n'), /fix: mkdir -p \/srv\/missing/);
  assert.equal(lines.at(-1), '4 check(s) failed.');
});

test('all good: the last line says serve can run', async () => {
  const results = await runDoctorChecks({ interfaces: [], tftpRoot: '/srv/tftp', dhcpPort: 67, tftpPort: 69 }, env({ listInterfaces: async () => [{ ...ETH1, addresses: [{ address: parseIpv4('10.10.0.1'), prefix: 24 }] }] }));
  assert.ok(results.every((r) => r.status === 'ok'), JSON.stringify(results));
  assert.equal(formatDoctorReport(results).at(-1), 'All checks passed: benchboot serve can run here.');
});

test('alternates must be readable directories and the map file must parse; a bad rule is named by file and line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-doctor-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'alt1'));
  await writeFile(join(dir, 'good.map'), '# phones\nr ^SEP(.*)$ phones/SEP\\1\n');
  await writeFile(join(dir, 'bad.map'), 'r ^a$ b\nrx ^c$ d\n');
  const real = env({ checkDirectory: systemDoctorEnv.checkDirectory, readMapFile: systemDoctorEnv.readMapFile });
  const base = { interfaces: [], tftpRoot: dir, dhcpPort: 67, tftpPort: 69 };
  const good = await runDoctorChecks({ ...base, alternates: [join(dir, 'alt1')], mapFile: join(dir, 'good.map') }, real);
  assert.deepEqual(
    good.filter((r) => r.name === 'alternate 1' || r.name === 'map file').map((r) => [r.name, r.status, r.detail]),
    [
      ['alternate 1', 'ok', `${join(dir, 'alt1')} is a readable directory`],
      ['map file', 'ok', `${join(dir, 'good.map')}: 1 rule(s)`],
    ],
  );
  const bad = await runDoctorChecks({ ...base, alternates: [join(dir, 'alt1'), join(dir, 'alt2')], mapFile: join(dir, 'bad.map') }, real);
  const failed = bad.filter((r) => r.status === 'fail');
  assert.deepEqual(failed.map((r) => r.name), ['alternate 2', 'map file']);
  assert.match(failed[0]?.fix ?? '', /mkdir -p .*alt2/);
  assert.match(failed[1]?.detail ?? '', /bad\.map:2: unknown flag "x"/);
  const missing = await runDoctorChecks({ ...base, mapFile: join(dir, 'nope.map') }, real);
  assert.match(missing.find((r) => r.name === 'map file')?.detail ?? '', /cannot read the TFTP map file .*nope\.map/);
  const tooMany = await runDoctorChecks({ ...base, alternates: Array.from({ length: 11 }, () => join(dir, 'alt1')) }, real);
  assert.equal(tooMany.find((r) => r.name === 'alternates')?.status, 'fail');
});
