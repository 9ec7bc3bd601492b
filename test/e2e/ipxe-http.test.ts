/**
 * iPXE over HTTP from benchboot (issue 14), by real firmware: QEMU with the iPXE ROM
 * of ipxe-qemu (qemu-ipxe.ts) gets its lease and boot.ipxe over TFTP (the iPXE class's
 * boot file), and the script then fetches a file of several MiB with `imgfetch` from
 * `http://${next-server}/` and, only if that download completed, chains a second
 * script over HTTP that prints a marker on the serial console. iPXE fails an
 * `imgfetch` whose body falls short of its Content-Length, so the marker on the console
 * means the whole file arrived; benchboot's device record of the VM must show that
 * HTTP transfer delivered with its exact byte count. Bounded in time; QEMU is killed
 * by its PID.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, waitFor } from './netns.js';
import { bridgedTap, ipxeSkip, startIpxeVm } from './qemu-ipxe.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = ipxeSkip();
const MAC = '52:54:00:83:00:01';
const LARGE_BYTES = 6 * 1024 * 1024 + 123;

/** A file event of a device's timeline, as `devices show --json` gives it. */
interface FileEventJson {
  readonly kind: string;
  readonly name?: string;
  readonly protocol?: string;
  readonly result?: string;
  readonly bytes?: number;
}

function bootScript(): string {
  return [
    '#!ipxe',
    'echo benchboot: script over TFTP on ${net0/mac}',
    'imgfetch http://${next-server}/large.bin || goto failed',
    'chain http://${next-server}/done.ipxe || goto failed',
    ':failed',
    'echo benchboot: fetching over HTTP failed',
    'sleep 60',
    '',
  ].join('\n');
}

test('QEMU iPXE: boot.ipxe over TFTP, then a large file and a second script over HTTP, whole, in the device record', { skip, timeout: 200_000 }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const pc = await lab.addNamespace('pc');
  const [s, c] = await lab.link(srv, pc, { aAddress: '10.83.0.1/24' });
  const tap = await bridgedTap(lab, pc, c.ifname);

  const scopes = join(work, 'scopes');
  const root = join(work, 'tftp');
  const state = join(work, 'state');
  await mkdir(scopes);
  await mkdir(root);
  const marker = `bb-http-${randomBytes(6).toString('hex')}`;
  await writeFile(join(root, 'boot.ipxe'), bootScript());
  await writeFile(join(root, 'large.bin'), randomBytes(LARGE_BYTES));
  await writeFile(join(root, 'done.ipxe'), `#!ipxe\necho ${marker}: large.bin fetched over HTTP\nsleep 60\n`);
  const scope = ['name: pxe', `interface: ${s.ifname}`, 'subnet: 10.83.0.0/24', 'range: 10.83.0.100-10.83.0.120', 'boot:', '  file: undionly.kpxe'];
  await writeFile(join(scopes, 'pxe.yaml'), [...scope, 'classes:', '  - name: ipxe', '    match:', '      userClass: iPXE', '    boot:', '      file: boot.ipxe', ''].join('\n'));
  const serve = srv.spawn(process.execPath, [BIN, 'serve', '--scopes', scopes, '--tftp-root', root, '--leases', state, '--json', '--no-live', '--probe-timeout', '1'], { maxMs: 190_000 });
  let log = '';
  serve.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  assert.ok(await waitFor(() => log.includes('benchboot is serving') || serve.exitCode !== null, 20_000), log);
  assert.match(log, /"http":\["10\.83\.0\.1:80"/, 'serve runs HTTP on port 80');

  const serial = join(work, 'serial.log');
  const qemu = startIpxeVm(t, pc, { tap, mac: MAC, serial, maxMs: 180_000 });
  const screen = async (): Promise<string> => readFile(serial, 'utf8').catch(() => '');
  const ended = async (): Promise<boolean> => {
    const text = await screen();
    // Whole lines only: the serial console arrives a few characters at a time.
    return text.includes(`${marker}: large.bin fetched over HTTP`) || text.includes('benchboot: fetching over HTTP failed') || qemu.exitCode !== null;
  };
  assert.ok(await waitFor(ended, 170_000, 500), `the script never ended; console:\n${(await screen()).slice(-2000)}\nserve log:\n${log.slice(-3000)}`);
  qemu.kill('SIGKILL');
  const text = await screen();
  assert.ok(text.includes('benchboot: script over TFTP on 52:54:00:83:00:01'), `boot.ipxe did not run:\n${text.slice(-2000)}`);
  assert.ok(text.includes(`${marker}: large.bin fetched over HTTP`), `the large file did not arrive whole:\n${text.slice(-2000)}\nserve log:\n${log.slice(-3000)}`);

  // What the technician reads: the VM's record, boot.ipxe over TFTP and large.bin over HTTP, whole.
  const shown = await srv.exec(process.execPath, [BIN, 'devices', 'show', MAC, '--json', '--leases', state], 15_000);
  assert.equal(shown.code, 0, shown.stderr);
  const files = (JSON.parse(shown.stdout) as { record: { timeline: FileEventJson[] } }).record.timeline.filter((e) => e.kind === 'file');
  const pick = (name: string): FileEventJson | undefined => files.find((e) => e.name === name && e.result === 'delivered');
  assert.equal(pick('boot.ipxe')?.protocol, 'tftp', JSON.stringify(files));
  assert.deepEqual(pick('large.bin'), { ...pick('large.bin'), protocol: 'http', bytes: LARGE_BYTES }, JSON.stringify(files));
  assert.equal(pick('done.ipxe')?.protocol, 'http', JSON.stringify(files));
  serve.kill('SIGTERM');
});
