/**
 * Real TFTP clients download from benchboot's TFTP server (test/helpers/tftp-server-main.ts
 * over createFsStorage) across a veth pair between two lab namespaces: tftp-hpa (no
 * options, 512-byte blocks), atftp (blksize + tsize), curl (blksize) and busybox tftp
 * (blksize). Files must arrive sha256-equal, including a 40 MiB file at 512-byte
 * blocks (block number wraps past 65535) and 100 concurrent downloads; traversal
 * requests must never return a file from outside the root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, startTftpServer } from './tftp-server-process.js';
import { openLab, e2eSkip, type Netns } from './netns.js';

const skip = e2eSkip({ programs: ['tftp', 'atftp', 'curl', 'busybox'] });
const SERVER_IP = '10.77.41.1';
const CLIENT_IP = '10.77.41.2';


async function fileSha(path: string): Promise<string> {
  return sha256(await readFile(path));
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Starts the TFTP server helper in `ns` on SERVER_IP. */
function startServer(ns: Netns, args: readonly string[]): Promise<{ events: string[] }> {
  return startTftpServer(ns, SERVER_IP, args, 600_000);
}

test('real TFTP clients download checksum-equal files and never get one from outside the root', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const root = join(work, 'root');
  const out = join(work, 'out');
  await mkdir(root);
  await mkdir(out);
  const files = {
    'small.bin': randomBytes(100 * 1024 + 3),
    'exact.bin': randomBytes(1468 * 8), // a multiple of blksize: ends with an empty DATA block
    'exact512.bin': randomBytes(512 * 16),
    'SEP001122334455.cnf.xml': Buffer.from('<device><mac>001122334455</mac></device>\n'),
  };
  for (const [name, data] of Object.entries(files)) await writeFile(join(root, name), data);
  const big = randomBytes(40 * 1024 * 1024);
  await writeFile(join(root, 'big.bin'), big);
  // A decoy next to the root: if traversal worked, this is what would come back.
  await writeFile(join(work, 'outside-secret'), 'outside the root\n');

  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('cli');
  await lab.link(srv, cli, { aAddress: `${SERVER_IP}/24`, bAddress: `${CLIENT_IP}/24` });
  const alternate = join(work, 'alternate');
  await mkdir(alternate);
  await writeFile(join(root, 'XMLDefault.cnf.xml'), '<default/>\n');
  await writeFile(join(alternate, 'cluster2.cnf.xml'), '<cluster2/>\n');
  const mapFile = join(work, 'tftp.map');
  await writeFile(mapFile, '# strip a path prefix some firmware sends\nri ^/?tftpboot/(.*)$ \\1\n');
  const { events } = await startServer(srv, [
    '--root', root,
    '--alternate', alternate,
    '--default', 'SEP*.cnf.xml=XMLDefault.cnf.xml',
    '--map-file', mapFile,
    // The 100 concurrent downloads below come from one client address (a real bench has one per device).
    '--max-per-client', '200',
  ]);
  const eventCounts = (): string =>
    ['started', 'finished', 'failed', 'busy', 'refused'].map((e) => `${e}=${events.filter((l) => l.includes(`"event":"${e}"`)).length}`).join(' ');

  const expectSame = async (local: string, name: keyof typeof files): Promise<void> => {
    assert.equal(await fileSha(local), sha256(files[name]), `${local} differs from ${name}`);
  };

  await t.test('tftp-hpa (octet, no options, 512-byte blocks)', async () => {
    for (const name of ['small.bin', 'exact512.bin', 'SEP001122334455.cnf.xml'] as const) {
      const local = join(out, `hpa-${name}`);
      const r = await cli.exec('tftp', ['-v', '-m', 'binary', SERVER_IP, '-c', 'get', name, local], 30_000);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      await expectSame(local, name);
    }
  });

  await t.test('default file for unknown phones, alternate location, remapped prefix (tftp-hpa)', async () => {
    const cases: [string, string][] = [
      ['SEPAABBCCDDEEFF.cnf.xml', '<default/>\n'],
      ['SEP001122334455.cnf.xml', files['SEP001122334455.cnf.xml'].toString()],
      ['cluster2.cnf.xml', '<cluster2/>\n'],
      ['/TFTPBOOT/SEP001122334455.cnf.xml', files['SEP001122334455.cnf.xml'].toString()],
    ];
    for (const [i, [name, want]] of cases.entries()) {
      const local = join(out, `hpa-special-${i}`);
      const r = await cli.exec('tftp', ['-m', 'binary', SERVER_IP, '-c', 'get', name, local], 30_000);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.equal(await readFile(local, 'utf8'), want, name);
    }
  });

  await t.test('atftp with blksize 1468 and tsize', async () => {
    for (const name of ['small.bin', 'exact.bin'] as const) {
      const local = join(out, `atftp-${name}`);
      const r = await cli.exec('atftp', ['--option', 'blksize 1468', '--option', 'tsize 0', '-g', '-r', name, '-l', local, SERVER_IP], 30_000);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      await expectSame(local, name);
    }
  });

  await t.test('curl with --tftp-blksize 1468', async () => {
    for (const name of ['small.bin', 'exact.bin'] as const) {
      const local = join(out, `curl-${name}`);
      const r = await cli.exec('curl', ['-sS', '--tftp-blksize', '1468', '-o', local, `tftp://${SERVER_IP}/${name}`], 30_000);
      assert.equal(r.code, 0, r.stderr);
      await expectSame(local, name);
    }
  });

  await t.test('busybox tftp with -b 1468', async () => {
    for (const name of ['small.bin', 'exact.bin'] as const) {
      const local = join(out, `bb-${name}`);
      const r = await cli.exec('busybox', ['tftp', '-b', '1468', '-g', '-r', name, '-l', local, SERVER_IP], 30_000);
      assert.equal(r.code, 0, r.stderr);
      await expectSame(local, name);
    }
  });

  await t.test('a 40 MiB file at 512-byte blocks (block number wraps past 65535) arrives intact', async () => {
    const local = join(out, 'hpa-big.bin');
    const r = await cli.exec('tftp', ['-m', 'binary', SERVER_IP, '-c', 'get', 'big.bin', local], 300_000);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await fileSha(local), sha256(big));
  });

  await t.test('100 concurrent downloads (curl and busybox) all arrive checksum-equal', async () => {
    const script = [
      'i=0',
      'while [ $i -lt 50 ]; do',
      `  curl -sS --max-time 120 --tftp-blksize 1468 -o ${out}/load-curl-$i tftp://${SERVER_IP}/small.bin &`,
      `  busybox tftp -b 1468 -g -r small.bin -l ${out}/load-bb-$i ${SERVER_IP} 2>/dev/null || echo "busybox $i failed" >&2 &`,
      '  i=$((i+1))',
      'done',
      'wait',
    ].join('\n');
    const before = eventCounts();
    const r = await cli.exec('sh', ['-c', script], 180_000);
    assert.ok(!r.timedOut, 'the load run finished in time');
    const want = sha256(files['small.bin']);
    const bad: string[] = [];
    for (let i = 0; i < 50; i++) {
      for (const kind of ['curl', 'bb']) {
        const p = join(out, `load-${kind}-${i}`);
        if (!(await exists(p)) || (await fileSha(p)) !== want) bad.push(p);
      }
    }
    assert.deepEqual(bad, [], `${bad.length} of 100 downloads missing or different; server events before ${before}, after ${eventCounts()}; clients: ${r.stderr.slice(0, 1500)}`);
  });

  await t.test('traversal requests never return a file from outside the root', async () => {
    const secret = await readFile('/etc/passwd');
    const decoy = await readFile(join(work, 'outside-secret'));
    for (const [i, name] of ['../../etc/passwd', '/etc/passwd', '..\\..\\etc\\passwd', '../outside-secret', 'C:\\..\\outside-secret'].entries()) {
      const viaCurl = join(out, `trav-curl-${i}`);
      const c = await cli.exec('curl', ['-sS', '--max-time', '15', '-o', viaCurl, `tftp://${SERVER_IP}/${encodeURIComponent(name)}`], 20_000);
      // curl: 68 = TFTP file not found, 69 = TFTP permission problem (the server answered with an error).
      assert.ok(c.code === 68 || c.code === 69, `curl ${name}: exit ${c.code} ${c.stderr}`);
      const viaHpa = join(out, `trav-hpa-${i}`);
      const h = await cli.exec('tftp', ['-m', 'binary', SERVER_IP, '-c', 'get', name, viaHpa], 40_000);
      assert.match(h.stdout + h.stderr, /Error code [12]/, `tftp-hpa ${name}: ${h.stdout}${h.stderr}`);
      for (const p of [viaCurl, viaHpa]) {
        if (!(await exists(p))) continue;
        const got = await readFile(p);
        assert.ok(got.length === 0 || (!got.equals(secret) && !got.equals(decoy)), `${name} returned a file from outside the root`);
      }
    }
  });
});
