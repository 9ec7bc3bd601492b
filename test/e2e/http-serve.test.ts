/**
 * `benchboot serve` over HTTP with curl in namespaces (issue 14). The server
 * namespace has a bench link (served) and an "office" link (not served):
 *   - on the bench link, curl GETs checksum-equal files on ports 80 and 6970, HEAD
 *     gives the exact length, a Range gives the slice, PUT stores into the upload
 *     inbox (a second one kept as a new version), a template over HTTP is byte-equal
 *     to the same template fetched with tftp-hpa from the same client, and a
 *     traversal corpus sent as-is returns no file from outside the tree;
 *   - on the office address nothing answers HTTP (nor TFTP).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, waitFor } from './netns.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = e2eSkip({ programs: ['curl', 'tftp'] });
const BENCH = '10.85.0.1';
const OFFICE = '10.86.0.1';
const SECRET = 'outside the tree\n';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

test('serve over HTTP: curl GET/HEAD/Range/PUT on the bench link, templates equal to TFTP, nothing on the office link', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const bench = await lab.addNamespace('bench');
  const office = await lab.addNamespace('office');
  const [benchSrv] = await lab.link(srv, bench, { aAddress: `${BENCH}/24`, bAddress: '10.85.0.9/24' });
  await lab.link(srv, office, { aAddress: `${OFFICE}/24`, bAddress: '10.86.0.9/24' });
  const root = join(work, 'tftp');
  const uploads = join(work, 'uploads');
  const out = join(work, 'out');
  await mkdir(root);
  await mkdir(uploads);
  await mkdir(out);
  const big = randomBytes(5 * 1024 * 1024 + 17);
  await writeFile(join(root, 'big.bin'), big);
  await writeFile(join(root, 'hello.txt'), 'hello\n');
  await writeFile(join(root, 'network-confg.liquid'), 'ip host tftp {{ server.address }}\n! {{ scope.subnet }} mask {{ scope.mask }}\n');
  await writeFile(join(work, 'secret.txt'), SECRET);

  const serve: ChildProcess = srv.spawn(process.execPath, [BIN, 'serve', '--interface', benchSrv.ifname, '--tftp-root', root, '--upload-dir', uploads, '--leases', join(work, 'state'), '--json', '--no-live', '--probe-timeout', '1'], { maxMs: 120_000 });
  let log = '';
  serve.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  assert.ok(await waitFor(() => log.includes('benchboot is serving') || serve.exitCode !== null, 20_000), log);
  assert.match(log, new RegExp(`"http":\\["${BENCH.replace(/\./g, '\\.')}:80","${BENCH.replace(/\./g, '\\.')}:6970"\\]`), log);

  const curl = (args: string[]) => bench.exec('curl', ['--silent', '--show-error', '--max-time', '20', ...args], 30_000);

  await t.test('GET on ports 80 and 6970 is checksum-equal; HEAD has the exact length; a Range gives the slice', async () => {
    for (const port of [80, 6970]) {
      const file = join(out, `big-${port}.bin`);
      const r = await curl(['--fail', '-o', file, `http://${BENCH}:${port}/big.bin`]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sha(await readFile(file)), sha(big));
    }
    const head = await curl(['--fail', '-I', `http://${BENCH}/big.bin`]);
    assert.match(head.stdout, new RegExp(`content-length: ${big.length}\\r?\\n`, 'i'));
    assert.match(head.stdout, /etag: /i);
    const slice = join(out, 'slice.bin');
    const r = await curl(['--fail', '-r', '1000-1999', '-o', slice, `http://${BENCH}/big.bin`]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await readFile(slice)).equals(big.subarray(1000, 2000)));
  });

  await t.test('PUT stores into the upload inbox, a second upload as a new version', async () => {
    const src = join(out, 'router1-confg');
    await writeFile(src, 'hostname router1\n');
    for (let i = 0; i < 2; i++) {
      const r = await curl(['--fail', '-T', src, `http://${BENCH}/router1-confg`]);
      assert.equal(r.code, 0, r.stderr);
    }
    const stored = (await readdir(uploads)).sort();
    assert.equal(stored.length, 2, stored.join(' '));
    assert.equal(stored[0], 'router1-confg');
    for (const name of stored) assert.equal(await readFile(join(uploads, name), 'utf8'), 'hostname router1\n');
  });

  await t.test('a template over HTTP is byte-equal to the TFTP render for the same client', async () => {
    const viaHttp = join(out, 'confg-http');
    const viaTftp = join(out, 'confg-tftp');
    assert.equal((await curl(['--fail', '-o', viaHttp, `http://${BENCH}/network-confg`])).code, 0);
    const r = await bench.exec('tftp', ['-m', 'binary', BENCH, '-c', 'get', 'network-confg', viaTftp], 30_000);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const http = await readFile(viaHttp);
    assert.ok(http.equals(await readFile(viaTftp)));
    assert.equal(http.toString(), `ip host tftp ${BENCH}\n! 10.85.0.0/24 mask 255.255.255.0\n`);
  });

  await t.test('a traversal corpus sent as-is returns no file from outside the tree', async () => {
    const corpus = ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/..\\secret.txt', '/%252e%252e%252fsecret.txt', `/${work}/secret.txt`, '//etc/passwd', '/hello.txt%00', '/sub/..%2f..%2fsecret.txt'];
    for (const path of corpus) {
      const r = await curl(['--path-as-is', '-o', '-', '-w', '\n%{http_code}', `http://${BENCH}${path}`]);
      const code = r.stdout.trim().split('\n').pop();
      assert.ok(['400', '403', '404'].includes(code ?? ''), `${path}: ${r.stdout}`);
      assert.ok(!r.stdout.includes(SECRET.trim()) && !r.stdout.includes('root:x:0'), `${path} leaked a file`);
    }
  });

  await t.test('nothing answers HTTP (or TFTP) on the office address', async () => {
    for (const port of [80, 6970]) {
      const r = await office.exec('curl', ['--silent', '--max-time', '4', `http://${OFFICE}:${port}/hello.txt`], 10_000);
      assert.equal(r.code, 7, `port ${port}: curl exit ${r.code} (7 = connection refused): ${r.stdout}`);
    }
    const tftp = await office.exec('curl', ['--silent', '--max-time', '4', `tftp://${OFFICE}/hello.txt`], 10_000);
    assert.notEqual(tftp.code, 0);
  });
  serve.kill('SIGTERM');
});
