/**
 * Real TFTP clients upload to benchboot's upload inbox (the config-backup use case)
 * across a veth pair between two lab namespaces: tftp-hpa, atftp, curl and busybox
 * puts arrive sha256-equal; a second upload of the same name keeps both versions; an
 * upload whose client is killed halfway leaves nothing in the inbox; uploads outside
 * the inbox or with uploads off are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, startTftpServer } from './tftp-server-process.js';
import { openLab, e2eSkip, waitFor, type Netns } from './netns.js';

const skip = e2eSkip({ programs: ['tftp', 'atftp', 'curl', 'busybox'] });
const SERVER_IP = '10.77.42.1';
const CLIENT_IP = '10.77.42.2';


/** Starts the TFTP server helper in `ns` on SERVER_IP. */
function startServer(ns: Netns, args: readonly string[]): Promise<{ events: string[] }> {
  return startTftpServer(ns, SERVER_IP, args, 300_000);
}

test('real TFTP clients upload into the inbox: intact, versioned, nothing left by an aborted upload', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const root = join(work, 'root');
  const inbox = join(work, 'backups');
  const local = join(work, 'client');
  for (const d of [root, inbox, local]) await mkdir(d, { recursive: true });
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('cli');
  await lab.link(srv, cli, { aAddress: `${SERVER_IP}/24`, bAddress: `${CLIENT_IP}/24` });
  // Short retransmission timeout so an abandoned upload is given up quickly.
  const { events } = await startServer(srv, ['--root', root, '--uploads', inbox, '--timeout-ms', '300', '--max-upload-bytes', String(256 * 1024 * 1024)]);

  const makeLocal = async (name: string, size: number): Promise<{ path: string; sha: string }> => {
    const data = randomBytes(size);
    const path = join(local, name);
    await writeFile(path, data);
    return { path, sha: sha256(data) };
  };
  const inboxSha = async (name: string): Promise<string> => sha256(await readFile(join(inbox, name)));

  await t.test('tftp-hpa, atftp, curl and busybox uploads arrive checksum-equal', async () => {
    const a = await makeLocal('r1-confg', 20_000);
    let r = await cli.exec('tftp', ['-m', 'binary', SERVER_IP, '-c', 'put', a.path, 'hpa-confg'], 30_000);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await inboxSha('hpa-confg'), a.sha);

    const b = await makeLocal('r2-confg', 1468 * 6);
    r = await cli.exec('atftp', ['--option', 'blksize 1468', '-p', '-l', b.path, '-r', 'atftp-confg', SERVER_IP], 30_000);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await inboxSha('atftp-confg'), b.sha);

    const c = await makeLocal('r3-confg', 70_001);
    r = await cli.exec('curl', ['-sS', '--tftp-blksize', '1468', '-T', c.path, `tftp://${SERVER_IP}/curl-confg`], 30_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await inboxSha('curl-confg'), c.sha);

    const d = await makeLocal('r4-confg', 512 * 4);
    r = await cli.exec('busybox', ['tftp', '-b', '1468', '-p', '-l', d.path, '-r', 'bb-confg', SERVER_IP], 30_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await inboxSha('bb-confg'), d.sha);
  });

  await t.test('a second upload of the same name keeps both versions', async () => {
    const first = await makeLocal('v1', 3000);
    const second = await makeLocal('v2', 4000);
    for (const f of [first, second]) {
      const r = await cli.exec('tftp', ['-m', 'binary', SERVER_IP, '-c', 'put', f.path, 'router1-confg'], 30_000);
      assert.equal(r.code, 0, r.stderr + r.stdout);
    }
    const versions = (await readdir(inbox)).filter((n) => n.startsWith('router1-confg')).sort();
    assert.equal(versions.length, 2, versions.join(', '));
    assert.equal(versions[0], 'router1-confg');
    assert.match(versions[1] ?? '', /^router1-confg\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
    assert.equal(await inboxSha('router1-confg'), first.sha, 'the first upload is untouched');
    assert.equal(await inboxSha(versions[1] ?? ''), second.sha);
  });

  await t.test('an upload whose client is killed halfway leaves nothing in the inbox', async () => {
    const big = await makeLocal('huge.bin', 48 * 1024 * 1024);
    const before = new Set(await readdir(inbox));
    const client = cli.spawn('busybox', ['tftp', '-p', '-l', big.path, '-r', 'killed-confg', SERVER_IP], { maxMs: 120_000 });
    const exited = new Promise<void>((resolve) => client.once('exit', () => resolve()));
    // Wait until the temp file has real data in it, then kill the client by its PID.
    const growing = await waitFor(async () => {
      for (const name of await readdir(inbox)) {
        if (before.has(name)) continue;
        const s = await stat(join(inbox, name)).catch(() => undefined);
        if (s && s.size > 512 * 1024) return true;
      }
      return false;
    }, 30_000);
    assert.ok(growing, 'the upload started writing');
    assert.ok(client.pid !== undefined && client.exitCode === null, 'the client is still uploading when killed');
    if (client.pid !== undefined) process.kill(client.pid, 'SIGKILL');
    await exited;
    const failed = await waitFor(() => events.some((l) => l.includes('"event":"failed"') && l.includes('killed-confg')), 30_000);
    assert.ok(failed, `the server gave up on the upload; events: ${events.slice(-3).join('\n')}`);
    const left = (await readdir(inbox)).filter((n) => !before.has(n));
    assert.deepEqual(left, [], 'neither a partial file nor a temp file is left');
  });

  await t.test('uploads outside the inbox are refused and write nothing', async () => {
    const f = await makeLocal('evil', 100);
    const before = (await readdir(root)).sort();
    for (const name of ['../evil-confg', '..\\evil-confg', 'sub/evil-confg']) {
      const r = await cli.exec('curl', ['-sS', '--max-time', '15', '-T', f.path, `tftp://${SERVER_IP}/${encodeURIComponent(name)}`], 20_000);
      // curl 69: the server answered with an access violation.
      assert.equal(r.code, 69, `${name}: exit ${r.code} ${r.stderr}`);
    }
    assert.deepEqual((await readdir(root)).sort(), before);
    assert.ok(!(await readdir(work)).includes('evil-confg'));
  });
});

test('with uploads off, a put is refused with an access violation', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('cli');
  await lab.link(srv, cli, { aAddress: `${SERVER_IP}/24`, bAddress: `${CLIENT_IP}/24` });
  const { events } = await startServer(srv, ['--root', work]);
  const file = join(work, 'local-confg');
  await writeFile(file, 'hostname r1\n');
  const r = await cli.exec('tftp', ['-m', 'binary', SERVER_IP, '-c', 'put', file, 'router1-confg'], 40_000);
  assert.match(r.stdout + r.stderr, /Error code 2: Access violation: uploads are not accepted \(router1-confg\)/, `server events: ${events.join('\n')}`);
  assert.deepEqual((await readdir(work)).sort(), ['local-confg']);
});
