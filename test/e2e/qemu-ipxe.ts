/**
 * A QEMU VM booting from the network with the iPXE option ROM of Debian's ipxe-qemu
 * (TCG, no KVM needed), for the e2e tests where real firmware meets benchboot: its
 * tap is bridged, in the client namespace, with that namespace's end of the link to
 * the server. The serial console goes to a file the test reads. The VM is killed by
 * its PID when the test ends.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { e2eSkip, type Lab, type Netns } from './netns.js';

/** The iPXE ROM for QEMU's e1000 (package ipxe-qemu, installed by test/e2e/install-deps.sh). */
export const IPXE_ROM = '/usr/lib/ipxe/qemu/pxe-e1000.rom';

/** Why an iPXE VM cannot run here, or false. */
export function ipxeSkip(): string | false {
  return e2eSkip({ programs: ['qemu-system-x86_64'] }) || (existsSync(IPXE_ROM) ? false : `missing ${IPXE_ROM} (ipxe-qemu)`);
}

/** Bridges a new tap with `ifname` (the client end of the link) in `pc`; returns the tap's name. */
export async function bridgedTap(lab: Lab, pc: Netns, ifname: string): Promise<string> {
  const br = await lab.bridge(pc);
  await lab.enslave(pc, ifname, br);
  const tap = `${lab.prefix}t0`;
  await pc.execOk('ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  await lab.enslave(pc, tap, br);
  await pc.execOk('ip', ['link', 'set', tap, 'up']);
  return tap;
}

/** Starts the VM on `tap` with `mac`, its serial console written to `serial`; killed at the end of test `t`. */
export function startIpxeVm(t: { after(fn: () => void): void }, pc: Netns, o: { tap: string; mac: string; serial: string; maxMs: number }): ChildProcess {
  const qemu = pc.spawn(
    'qemu-system-x86_64',
    [
      '-accel', 'tcg', '-nographic', '-nodefaults', '-display', 'none', '-m', '128', '-boot', 'n',
      '-serial', `file:${o.serial}`,
      '-netdev', `tap,id=n0,ifname=${o.tap},script=no,downscript=no`,
      '-device', `e1000,netdev=n0,mac=${o.mac},romfile=${IPXE_ROM}`,
    ],
    { maxMs: o.maxMs },
  );
  t.after(() => {
    if (qemu.exitCode === null) qemu.kill('SIGKILL');
  });
  return qemu;
}
