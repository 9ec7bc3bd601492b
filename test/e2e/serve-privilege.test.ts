/**
 * serve started with sudo never parses a packet or touches a file as root (issue 11
 * point 2). This machine's tests run as root without a sudo binary, so the test sets
 * what sudo sets (SUDO_UID/SUDO_GID of the ordinary user `nobody`) in serve's
 * environment, in a network namespace of its own, and checks what a user would:
 *
 * - the serving process's uid is not 0 (its parent, root, only binds and adds addresses),
 *   a real client (udhcpc) gets a lease, and an upload directory an earlier version left
 *   root-owned is taken over;
 * - the `--address` is removed after Ctrl-C (SIGINT) and after `kill -9` of the serving
 *   process;
 * - `benchboot reload` with a scope file for a new interface serves DHCP there (the
 *   root parent binds it; udhcpc gets a lease);
 * - the upload directory swapped for a symlink mid-run writes nothing at the link's target,
 *   and the refusal is logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUdhcpcOnce } from '../helpers/dhcp-e2e.js';
import { collectOutput, e2eSkip, exitOf, openLab, run, waitFor, type Netns } from './netns.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = e2eSkip({ programs: ['udhcpc', 'tftp', 'pgrep'] });
const NOBODY = 65534;

interface Served {
  readonly child: ChildProcess;
  readonly log: () => string;
}

async function startServe(ns: Netns, cwd: string, args: readonly string[]): Promise<Served> {
  const child = ns.spawn(process.execPath, [BIN, 'serve', '--json', '--no-live', '--no-web', '--probe-timeout', '1', ...args], {
    cwd,
    maxMs: 120_000,
    env: { ...process.env, SUDO_UID: String(NOBODY), SUDO_GID: String(NOBODY), SUDO_USER: 'nobody' },
  });
  const log = collectOutput(child);
  const up = await waitFor(() => log().includes('benchboot is serving') || child.exitCode !== null, 30_000);
  assert.ok(up && child.exitCode === null, `serve did not start:\n${log()}`);
  return { child, log };
}

/** The uid of a process, from /proc/PID/status (real uid). */
async function uidOf(pid: number): Promise<number> {
  const m = /^Uid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1]);
}

/** The one child of `pid` (the serving process). */
async function servingPid(pid: number): Promise<number> {
  const r = await run('pgrep', ['-P', String(pid)]);
  const pids = r.stdout.trim().split('\n').filter(Boolean).map(Number);
  assert.equal(pids.length, 1, `serve (${pid}) has one child: ${r.stdout}`);
  return pids[0] ?? 0;
}

async function hasAddress(ns: Netns, ifname: string, cidr: string): Promise<boolean> {
  return (await ns.execOk('ip', ['-4', '-o', 'addr', 'show', 'dev', ifname])).includes(` ${cidr} `);
}

test('sudo serve: the serving process is not root; --address is removed after Ctrl-C and after kill -9 of the serving process', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('cli');
  const [a, b] = await lab.link(srv, cli);
  await mkdir(join(work, 'tftp'));
  await writeFile(join(work, 'tftp', 'hello.txt'), 'hello\n');
  // An upload directory an earlier version (all root) left root-owned.
  await mkdir(join(work, 'backups'));
  await writeFile(join(work, 'backups', 'old-confg'), 'old\n', { mode: 0o600 });
  const args = ['--interface', a.ifname, '--address', '10.61.0.1/24', '--upload-dir', 'backups'];

  const first = await startServe(srv, work, args);
  const serving = await servingPid(first.child.pid ?? 0);
  assert.equal(await uidOf(first.child.pid ?? 0), 0, 'the parent is root');
  assert.equal(await uidOf(serving), NOBODY, 'the serving process runs as the sudo user');
  assert.equal((await stat(join(work, 'backups'))).uid, NOBODY, 'the root-owned upload directory was taken over');
  assert.equal((await stat(join(work, 'backups', 'old-confg'))).uid, NOBODY);
  const lease = await runUdhcpcOnce(cli, b.ifname, join(work, 'c1'), 'udhcpc');
  assert.match(lease.stderr + lease.stdout, /lease of 10\.61\.0\.\d+ obtained/, first.log());
  assert.ok(await hasAddress(srv, a.ifname, '10.61.0.1/24'));
  first.child.kill('SIGINT');
  assert.equal(await exitOf(first.child, 30_000), 0, first.log());
  assert.equal(await hasAddress(srv, a.ifname, '10.61.0.1/24'), false, `removed after Ctrl-C:\n${first.log()}`);

  const second = await startServe(srv, work, args);
  assert.ok(await hasAddress(srv, a.ifname, '10.61.0.1/24'));
  process.kill(await servingPid(second.child.pid ?? 0), 'SIGKILL');
  assert.equal(await exitOf(second.child, 30_000), 137, second.log());
  assert.equal(await hasAddress(srv, a.ifname, '10.61.0.1/24'), false, `removed after kill -9 of the serving process:\n${second.log()}`);
  assert.match(second.log(), /the serving process was killed/);
});

test('sudo serve: a reload with a scope on a new interface serves DHCP there; an upload directory swapped for a symlink writes nothing at its target', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const c1 = await lab.addNamespace('c1');
  const c2 = await lab.addNamespace('c2');
  const [a] = await lab.link(srv, c1, { aAddress: '10.62.0.1/24', bAddress: '10.62.0.50/24' });
  await mkdir(join(work, 'tftp'));
  await mkdir(join(work, 'backups'));
  await mkdir(join(work, 'outside'));
  const scope = async (name: string, ifname: string, subnet: string): Promise<void> => {
    const r = await run(process.execPath, [BIN, 'scope', 'add', name, '--scopes', join(work, 'scopes'), '--interface', ifname, '--subnet', subnet]);
    assert.equal(r.code, 0, r.stderr);
  };
  await scope('first', a.ifname, '10.62.0.0/24');
  const served = await startServe(srv, work, ['--scopes', 'scopes', '--upload-dir', 'backups', '--syslog-port', '5514']);
  assert.equal(await uidOf(await servingPid(served.child.pid ?? 0)), NOBODY);

  // A new interface, and a scope file for it: `benchboot reload` serves it.
  const [n, m] = await lab.link(srv, c2, { aAddress: '10.63.0.1/24' });
  await scope('second', n.ifname, '10.63.0.0/24');
  const reload = await run(process.execPath, [BIN, 'reload', '--leases', join(work, 'leases'), '--json']);
  assert.equal(reload.code, 0, `${reload.stderr}\n${served.log()}`);
  const lease = await runUdhcpcOnce(c2, m.ifname, join(work, 'c2'), 'udhcpc');
  assert.match(lease.stderr + lease.stdout, /lease of 10\.63\.0\.\d+ obtained from 10\.63\.0\.1/, served.log());

  // The upload directory swapped for a symlink mid-run: nothing lands at the target.
  await writeFile(join(work, 'put.txt'), 'hostname router1\n');
  await rename(join(work, 'backups'), join(work, 'backups.moved'));
  await symlink(join(work, 'outside'), join(work, 'backups'));
  const put = await c1.exec('tftp', ['10.62.0.1', '-c', 'put', join(work, 'put.txt'), 'router1-confg'], 20_000);
  assert.match(put.stdout + put.stderr, /Error code 2/, 'the upload is refused');
  assert.deepEqual(await readdir(join(work, 'outside')), [], 'nothing was written at the symlink target');
  assert.ok(await waitFor(() => served.log().includes('was replaced since start'), 5000), `the refusal is logged:\n${served.log()}`);
  served.child.kill('SIGINT');
  assert.equal(await exitOf(served.child, 30_000), 0, served.log());
});
