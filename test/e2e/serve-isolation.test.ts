/**
 * The laptop's other networks get nothing: the server namespace has a bench link
 * (served) and an "office" link (not served). A dhclient on the office link gets no
 * answer and TFTP is not reachable at the office address, while a dhclient on the
 * bench link gets its lease.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, waitFor } from './netns.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = e2eSkip({ programs: ['dhclient', 'curl'] });

test('only the served interface is answered: no DHCP and no TFTP on the office link', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const bench = await lab.addNamespace('bench');
  const office = await lab.addNamespace('office');
  const [benchSrv, benchCli] = await lab.link(srv, bench, { aAddress: '10.83.0.1/24' });
  const [, officeCli] = await lab.link(srv, office, { aAddress: '10.84.0.1/24', bAddress: '10.84.0.9/24' });
  const root = join(work, 'tftp');
  await mkdir(root);
  await writeFile(join(root, 'hello.txt'), 'hello\n');
  const serve: ChildProcess = srv.spawn(process.execPath, [BIN, 'serve', '--interface', benchSrv.ifname, '--tftp-root', root, '--leases', join(work, 'state'), '--json', '--no-live', '--probe-timeout', '1'], { maxMs: 90_000 });
  let log = '';
  serve.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  assert.ok(await waitFor(() => log.includes('benchboot is serving') || serve.exitCode !== null, 20_000), log);

  const conf = join(work, 'dhclient.conf');
  await writeFile(conf, 'timeout 6;\nretry 60;\n');
  const dh = (ns: typeof bench, ifname: string, name: string): Promise<{ code: number | null }> =>
    ns.exec('dhclient', ['-1', '-cf', conf, '-sf', '/bin/true', '-lf', join(work, `${name}.leases`), '-pf', join(work, `${name}.pid`), ifname], 30_000);

  const fromOffice = await dh(office, officeCli.ifname, 'office');
  assert.notEqual(fromOffice.code, 0, 'a client on the office link got a DHCP answer');
  const tftpOffice = await office.exec('curl', ['--silent', '--max-time', '4', 'tftp://10.84.0.1/hello.txt'], 10_000);
  assert.notEqual(tftpOffice.code, 0, 'TFTP answered on the office address');
  assert.doesNotMatch(log, /10\.84\.0\./);

  const fromBench = await dh(bench, benchCli.ifname, 'bench');
  assert.equal(fromBench.code, 0, 'the bench client got no lease');
  serve.kill('SIGTERM');
});
