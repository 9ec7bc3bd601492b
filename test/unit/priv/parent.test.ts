/**
 * The root parent (issue 11 point 2): it refuses what the command line does not name,
 * and however its child ends (here: killed with SIGKILL) it removes the address it added.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { createSilentLogger } from '../../../src/log.js';
import type { Ipv4 } from '../../../src/net/ipv4.js';
import { PrivilegedParent, type ParentJobs } from '../../../src/priv/parent.js';
import type { JobPolicy } from '../../../src/priv/policy.js';

class FakeChild extends EventEmitter {
  readonly sent: unknown[] = [];
  readonly signals: string[] = [];
  pid = 4242;
  send(message: unknown): boolean {
    this.sent.push(message);
    return true;
  }
  kill(signal: string): boolean {
    this.signals.push(signal);
    return true;
  }
}

const policy: JobPolicy = {
  dhcpPorts: [67, 68],
  udpPorts: [69],
  tcpPorts: [],
  temporary: { interfaceName: 'eth1', address: '10.10.0.1', prefix: 24 },
  servedInterfaces: () => Promise.resolve(['eth1']),
  addressesOf: () => ['10.10.0.1'],
};

test('the parent refuses an unnamed job, adds the --address, and removes it when the child is killed', async () => {
  const child = new FakeChild();
  const removed: string[] = [];
  const bound: string[] = [];
  const jobs: ParentJobs = {
    bindDhcp: (name) => {
      bound.push(name);
      return Promise.reject(new Error('not in this test'));
    },
    bindUdp: () => Promise.reject(new Error('not in this test')),
    listenTcp: () => Promise.reject(new Error('not in this test')),
    addAddress: (ifname, address, prefix) =>
      Promise.resolve({ ifname, spec: { address: address as Ipv4, prefix }, added: true, remove: () => Promise.resolve(void removed.push(`${address}/${prefix} on ${ifname}`)) }),
  };
  const signals = new Map<string, () => void>();
  const parent = new PrivilegedParent(policy, jobs, { fork: () => child as unknown as ChildProcess, onSignal: (s, h) => (signals.set(s, h), () => signals.delete(s)) }, createSilentLogger());
  const running = parent.run();
  const ask = async (m: unknown): Promise<unknown> => {
    child.emit('message', m);
    await new Promise((r) => setImmediate(r));
    return child.sent.at(-1);
  };
  assert.deepEqual(await ask({ id: 1, job: 'bind-dhcp', interfaceName: 'wlan0', port: 67 }), { kind: 'job-failed', id: 1, message: 'the privileged parent refused: interface wlan0 is not served', refused: true });
  assert.deepEqual(bound, [], 'nothing was bound for a refused request');
  assert.equal(((await ask({ id: 2, job: 'run', command: 'id' })) as { refused: boolean }).refused, true);
  assert.deepEqual(await ask({ id: 3, job: 'add-address', interfaceName: 'eth1', address: '10.10.0.1', prefix: 24 }), { kind: 'job-done', id: 3, added: true });
  assert.deepEqual(parent.counts, { done: 1, refused: 2, failed: 0 });
  signals.get('SIGINT')?.();
  assert.deepEqual(child.signals, ['SIGINT'], 'a Ctrl-C is passed on once');
  child.emit('exit', null, 'SIGKILL');
  assert.equal(await running, 137);
  assert.deepEqual(removed, ['10.10.0.1/24 on eth1']);
  assert.equal(signals.size, 0, 'the signal handlers are gone');
});
