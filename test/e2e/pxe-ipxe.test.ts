/**
 * PXE by real firmware: QEMU (TCG, no KVM needed) with the iPXE option ROM from
 * ipxe-qemu boots from the network in a client namespace. Its tap is bridged to the
 * link to the server namespace, where `benchboot serve --scopes` runs. The ROM gets
 * a lease, matches the iPXE user-class class and downloads boot.ipxe, and the
 * script fetches second.bin: the test sees that second transfer finish in serve's
 * JSON log. Bounded in time; QEMU is killed by its PID.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, waitFor } from './netns.js';
import { bridgedTap, ipxeSkip, startIpxeVm } from './qemu-ipxe.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/pxe/', import.meta.url));
const skip = ipxeSkip();

interface LogLine {
  message?: string;
  component?: string;
  file?: string;
  peer?: string;
  mac?: string;
}

test('QEMU iPXE boots from benchboot: lease, boot script by user class, then the second file', { skip, timeout: 180_000 }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const pc = await lab.addNamespace('pc');
  const [s, c] = await lab.link(srv, pc, { aAddress: '10.82.0.1/24' });
  // In the client namespace: a bridge joining the veth end and QEMU's tap.
  const tap = await bridgedTap(lab, pc, c.ifname);

  const scopes = join(work, 'scopes');
  const root = join(work, 'tftp');
  await mkdir(scopes);
  await mkdir(root);
  await copyFile(join(FIXTURES, 'boot.ipxe'), join(root, 'boot.ipxe'));
  await writeFile(join(root, 'second.bin'), Buffer.alloc(100_000, 1));
  await writeFile(
    join(scopes, 'pxe.yaml'),
    [
      'name: pxe',
      `interface: ${s.ifname}`,
      'subnet: 10.82.0.0/24',
      'range: 10.82.0.100-10.82.0.120',
      'boot:',
      '  file: undionly.kpxe',
      'classes:',
      '  - name: ipxe',
      '    match:',
      '      userClass: iPXE',
      '    boot:',
      '      file: boot.ipxe',
      '',
    ].join('\n'),
  );
  const serve = srv.spawn(process.execPath, [BIN, 'serve', '--scopes', scopes, '--tftp-root', root, '--leases', join(work, 'state'), '--json', '--no-live', '--probe-timeout', '1'], { maxMs: 170_000 });
  let log = '';
  serve.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  serve.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  assert.ok(await waitFor(() => log.includes('benchboot is serving') || serve.exitCode !== null, 20_000), log);
  const lines = (): LogLine[] =>
    log.split('\n').flatMap((l) => {
      try {
        return [JSON.parse(l) as LogLine];
      } catch {
        return [];
      }
    });

  const serial = join(work, 'serial.log');
  const qemu = startIpxeVm(t, pc, { tap, mac: '52:54:00:82:00:01', serial, maxMs: 150_000 });

  const finished = (file: string): boolean => lines().some((l) => l.component === 'tftp' && l.message === 'transfer finished' && l.file === file);
  const done = await waitFor(() => finished('second.bin') || qemu.exitCode !== null, 140_000, 250);
  qemu.kill('SIGKILL');
  assert.ok(done && finished('second.bin'), `second.bin never arrived; serve log:\n${log.slice(-4000)}`);
  assert.ok(finished('boot.ipxe'), 'the boot script was not sent');
  assert.ok(lines().some((l) => l.component === 'dhcp' && JSON.stringify(l).includes('52:54:00:82:00:01')), 'no DHCP line for the VM');
  assert.ok(!lines().some((l) => l.file === 'undionly.kpxe'), 'iPXE should have matched the iPXE class, not the default file');
  serve.kill('SIGTERM');
});
