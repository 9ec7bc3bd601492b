/**
 * `--address`: parsing, the hint command, and add/remove through a recording runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addAddressHint, addTemporaryAddress, parseAddressSpec, type CommandRunner } from '../../../src/net/address.js';
import { isNetError } from '../../../src/net/net-error.js';

test('a host address with prefix parses; network, broadcast, bad prefix and junk are refused', () => {
  assert.deepEqual(parseAddressSpec('10.10.0.1/24'), { address: '10.10.0.1', prefix: 24 });
  for (const bad of ['10.10.0.0/24', '10.10.0.255/24', '10.10.0.1/31', '10.10.0.1', '10.10.0.300/24', 'eth1']) {
    assert.throws(() => parseAddressSpec(bad), (err) => isNetError(err, 'usage'), bad);
  }
});

test('the hint is the exact command to run', () => {
  assert.equal(addAddressHint('eth1'), 'sudo ip addr add 10.10.0.1/24 dev eth1');
  assert.equal(addAddressHint('enp3s0', parseAddressSpec('192.168.50.1/24')), 'sudo ip addr add 192.168.50.1/24 dev enp3s0');
});

function recorder(codes: number[] = []): { calls: string[]; run: CommandRunner } {
  const calls: string[] = [];
  return {
    calls,
    run: async (program, args) => {
      calls.push([program, ...args].join(' '));
      const code = codes.shift() ?? 0;
      return { code, stderr: code ? 'RTNETLINK answers: Operation not permitted' : '' };
    },
  };
}

test('an added address is removed once, with the same command shape', async () => {
  const r = recorder();
  const tmp = await addTemporaryAddress('eth1', parseAddressSpec('10.10.0.1/24'), false, r.run);
  assert.equal(tmp.added, true);
  await tmp.remove();
  await tmp.remove();
  assert.deepEqual(r.calls, ['ip addr add 10.10.0.1/24 dev eth1', 'ip addr del 10.10.0.1/24 dev eth1']);
});

test('an address already present is neither added nor removed', async () => {
  const r = recorder();
  const tmp = await addTemporaryAddress('eth1', parseAddressSpec('10.10.0.1/24'), true, r.run);
  await tmp.remove();
  assert.equal(tmp.added, false);
  assert.deepEqual(r.calls, []);
});

test('a refusal by the kernel is a BB_INTERFACE error carrying ip\'s message', async () => {
  const r = recorder([2]);
  await assert.rejects(addTemporaryAddress('eth1', parseAddressSpec('10.10.0.1/24'), false, r.run), (err) => isNetError(err, 'interface') && /Operation not permitted/.test(err.message));
});
