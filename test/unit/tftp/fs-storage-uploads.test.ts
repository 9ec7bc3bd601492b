/**
 * The upload inbox on real directories: atomic commit, kept versions (never a
 * collision), overwrite, abort leaves nothing, size limit up front and while
 * writing, disk full on a tiny tmpfs (root only), stale temp files, and names that
 * try to leave the inbox.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, readFile, readdir, symlink, rm, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FakeClock } from '../../../src/clock.js';
import { createFsStorage, type FsStorage, type FsStorageOptions } from '../../../src/tftp/fs-storage.js';
import { createUploadInbox, isTftpStorageError, versionedName, type UploadOptions } from '../../../src/tftp/uploads.js';
import type { UploadTarget } from '../../../src/tftp/storage.js';
import { TFTP_ERROR } from '../../../src/tftp/error-codes.js';
import { isTftpError } from '../../../src/tftp/tftp-error.js';

const CTX = { peer: { address: '10.77.0.1', port: 50123 } };
let base = '';
let counter = 0;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'bb-uploads-'));
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A fresh root with an `inbox` directory beside it (an inbox inside the root is refused). */
async function setup(uploads: Partial<UploadOptions> = {}, extra: Partial<FsStorageOptions> = {}): Promise<{ s: FsStorage; inbox: string; root: string; clock: FakeClock }> {
  const root = join(base, `case${counter}`, 'root');
  const inbox = join(base, `case${counter++}`, 'inbox');
  await mkdir(root, { recursive: true });
  await mkdir(inbox, { recursive: true });
  const clock = new FakeClock();
  const s = await createFsStorage({ root, uploads: { dir: inbox, ...uploads }, clock, ...extra });
  return { s, inbox, root, clock };
}

async function openUpload(s: FsStorage, name: string, tsize?: number): Promise<UploadTarget> {
  const r = await s.openWrite(name, tsize === undefined ? CTX : { ...CTX, tsize });
  assert.equal(r.kind, 'ok', r.kind === 'error' ? r.message : '');
  if (r.kind !== 'ok') throw new Error('unreachable');
  return r.value;
}

/** Sends `data` in 512-byte blocks like a TFTP transfer, then commits. */
async function upload(s: FsStorage, name: string, data: Uint8Array, blockSize = 512): Promise<string> {
  const t = await openUpload(s, name);
  for (let off = 0; off < data.length; off += blockSize) await t.write(off, data.subarray(off, off + blockSize));
  return (await t.commit()).savedAs;
}

test('an upload is invisible until commit, then appears whole under its own name', async () => {
  const { s, inbox } = await setup();
  const data = randomBytes(5000);
  const t = await openUpload(s, 'router1-confg');
  await t.write(0, data.subarray(0, 512));
  const during = await readdir(inbox);
  assert.ok(!during.includes('router1-confg'), 'no final file before commit');
  assert.equal(during.length, 1, 'one temp file while writing');
  assert.equal(s.stats().activeUploads, 1);
  for (let off = 512; off < data.length; off += 512) await t.write(off, data.subarray(off, off + 512));
  assert.deepEqual(await t.commit(), { savedAs: 'router1-confg' });
  assert.deepEqual(await readdir(inbox), ['router1-confg']);
  assert.ok((await readFile(join(inbox, 'router1-confg'))).equals(data));
  assert.equal(s.stats().activeUploads, 0);
});

test('a second upload of the same name keeps both versions, with a timestamp suffix', async () => {
  const { s, inbox } = await setup();
  assert.equal(await upload(s, 'router1-confg', Buffer.from('version 1')), 'router1-confg');
  assert.equal(await upload(s, '/router1-confg', Buffer.from('version 2')), 'router1-confg.2023-11-14T22-13-20.000Z');
  assert.equal(await upload(s, 'router1-confg', Buffer.from('version 3')), 'router1-confg.2023-11-14T22-13-20.000Z-2');
  assert.equal((await readFile(join(inbox, 'router1-confg'))).toString(), 'version 1');
  assert.equal((await readFile(join(inbox, 'router1-confg.2023-11-14T22-13-20.000Z'))).toString(), 'version 2');
  assert.equal((await readFile(join(inbox, 'router1-confg.2023-11-14T22-13-20.000Z-2'))).toString(), 'version 3');
});

test('uploads of one name committed at the same moment never collide', async () => {
  const { s, inbox } = await setup({ maxVersions: 'all' });
  const targets = await Promise.all(Array.from({ length: 12 }, () => openUpload(s, 'switch-confg')));
  await Promise.all(targets.map((t, i) => t.write(0, Buffer.from(`copy ${i}`))));
  const names = await Promise.all(targets.map((t) => t.commit().then((r) => r.savedAs)));
  assert.equal(new Set(names).size, 12);
  const files = await readdir(inbox);
  assert.equal(files.length, 12);
  const contents = new Set(await Promise.all(files.map((f) => readFile(join(inbox, f), 'utf8'))));
  assert.equal(contents.size, 12, 'every copy kept');
});

test('overwrite: true replaces the existing file atomically', async () => {
  const { s, inbox } = await setup({ overwrite: true });
  await upload(s, 'phone.cfg', Buffer.from('old'));
  assert.equal(await upload(s, 'phone.cfg', Buffer.from('new')), 'phone.cfg');
  assert.deepEqual(await readdir(inbox), ['phone.cfg']);
  assert.equal(await readFile(join(inbox, 'phone.cfg'), 'utf8'), 'new');
});

test('abort removes the partial file; it is safe twice; writing afterwards fails', async () => {
  const { s, inbox } = await setup();
  const t = await openUpload(s, 'half-confg');
  await t.write(0, randomBytes(512));
  await t.write(512, randomBytes(512));
  await t.abort();
  await t.abort();
  assert.deepEqual(await readdir(inbox), []);
  await assert.rejects(t.write(1024, randomBytes(10)), (e: unknown) => isTftpStorageError(e) && e.tftpCode === TFTP_ERROR.illegalOperation);
  await assert.rejects(t.commit(), (e: unknown) => isTftpStorageError(e));
  assert.equal(s.stats().activeUploads, 0);
});

test('an announced tsize over the limit is refused up front with error 3', async () => {
  const { s, inbox } = await setup({ maxBytes: 1000 });
  const r = await s.openWrite('big.bin', { ...CTX, tsize: 1001 });
  assert.equal(r.kind === 'error' ? r.code : -1, TFTP_ERROR.diskFull);
  assert.equal(r.kind === 'error' ? r.message : '', 'Disk full or allocation exceeded: big.bin is larger than the upload limit of 1000 bytes');
  assert.equal((await s.openWrite('ok.bin', { ...CTX, tsize: 1000 })).kind, 'ok');
  assert.ok((await readdir(inbox)).every((f) => f.startsWith('.benchboot-upload-')));
});

test('writing past the size limit fails with error 3 and leaves nothing', async () => {
  const { s, inbox } = await setup({ maxBytes: 1000 });
  const t = await openUpload(s, 'big.bin');
  await t.write(0, randomBytes(512));
  await assert.rejects(t.write(512, randomBytes(512)), (e: unknown) => isTftpStorageError(e) && e.tftpCode === TFTP_ERROR.diskFull && !e.message.includes(base));
  assert.deepEqual(await readdir(inbox), []);
  await t.abort();
});

test('a file of exactly the limit is accepted', async () => {
  const { s, inbox } = await setup({ maxBytes: 1024 });
  assert.equal(await upload(s, 'exact.bin', randomBytes(1024)), 'exact.bin');
  assert.deepEqual(await readdir(inbox), ['exact.bin']);
});

test('uploads are saved owner-only (0600) by default, or with the mode asked, whatever the umask', async () => {
  const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o7777;
  const { s, inbox } = await setup();
  const saved = await upload(s, 'secret-confg', Buffer.from('enable secret 5 x\n'));
  assert.equal(await modeOf(join(inbox, saved)), 0o600);
  const before = process.umask(0o077);
  try {
    const { s: s2, inbox: inbox2 } = await setup({ fileMode: 0o640 });
    const t = await openUpload(s2, 'shared-confg');
    const [temp] = await readdir(inbox2);
    assert.equal(await modeOf(join(inbox2, temp ?? '')), 0o640, 'the temp file has the mode from the start');
    await t.write(0, Buffer.from('x'));
    assert.equal(await modeOf(join(inbox2, (await t.commit()).savedAs)), 0o640);
    const { s: s3, inbox: inbox3 } = await setup({ fileMode: 0o640, overwrite: true });
    assert.equal(await modeOf(join(inbox3, await upload(s3, 'shared-confg', Buffer.from('y')))), 0o640);
  } finally {
    process.umask(before);
  }
});

test('names that would leave the inbox or make directories are refused', async () => {
  const { s, inbox } = await setup();
  const cases: [string, number][] = [
    ['../escape', TFTP_ERROR.accessViolation],
    ['..\\escape', TFTP_ERROR.accessViolation],
    ['sub/dir-confg', TFTP_ERROR.accessViolation],
    ['.benchboot-upload-x', TFTP_ERROR.fileNotFound],
    ['', TFTP_ERROR.accessViolation],
  ];
  for (const [name, code] of cases) {
    const r = await s.openWrite(name, CTX);
    assert.equal(r.kind === 'error' ? r.code : -1, code, name);
    assert.ok(r.kind === 'error' && !r.message.includes(base), name);
  }
  assert.deepEqual(await readdir(inbox), []);
});

test('an upload never writes through a symlink that sits in the inbox', async () => {
  const victim = join(base, `victim${counter}`);
  await writeFile(victim, 'precious');
  const { s, inbox } = await setup();
  await symlink(victim, join(inbox, 'router9-confg'));
  const saved = await upload(s, 'router9-confg', Buffer.from('attacker'));
  assert.notEqual(saved, 'router9-confg');
  assert.equal(await readFile(victim, 'utf8'), 'precious');
  const { s: s2, inbox: inbox2 } = await setup({ overwrite: true });
  await symlink(victim, join(inbox2, 'router9-confg'));
  assert.equal(await upload(s2, 'router9-confg', Buffer.from('attacker')), 'router9-confg');
  assert.equal(await readFile(victim, 'utf8'), 'precious', 'rename replaces the link, not its target');
});

test('an inbox that is, or lies inside, the root or an alternate is refused: uploads would be downloadable', async () => {
  const dir = join(base, `served${counter++}`);
  const [root, alt, outside] = [join(dir, 'root'), join(dir, 'alt'), join(dir, 'outside')];
  for (const d of [join(root, 'backups'), join(alt, 'sub', 'up'), outside]) await mkdir(d, { recursive: true });
  await symlink(join(root, 'backups'), join(outside, 'looks-outside'));
  const cases: [string, RegExp][] = [
    [root, /^upload directory .*root is inside the TFTP root .*root: every device could download the uploads/],
    [join(root, 'backups'), /^upload directory .*backups is inside the TFTP root .*root:/],
    [join(outside, 'looks-outside'), /^upload directory .*looks-outside is inside the TFTP root .*root:/],
    [join(alt, 'sub', 'up'), /^upload directory .*up is inside alternate TFTP location 1 .*alt:/],
  ];
  for (const [up, message] of cases) {
    await assert.rejects(createFsStorage({ root, alternates: [alt], uploads: { dir: up } }), (e: unknown) => isTftpError(e, 'config') && message.test(e.message), up);
  }
  // Beside the root is fine.
  const s = await createFsStorage({ root, alternates: [alt], uploads: { dir: outside } });
  assert.equal(s.uploadDir, outside);
});

test('temp files of uploads in progress are never served', async () => {
  const { s, inbox, root } = await setup();
  const t = await openUpload(s, 'in-progress');
  await t.write(0, Buffer.from('partial'));
  const [temp] = await readdir(inbox);
  assert.ok(temp);
  await writeFile(join(root, temp), 'a file of that name in the root');
  const r = await s.openRead(temp, CTX);
  assert.equal(r.kind === 'error' ? r.code : -1, TFTP_ERROR.fileNotFound);
  await t.abort();
});

test('temp files left by a crash are removed at start', async () => {
  const root = join(base, `crash${counter}`, 'root');
  const inbox = join(base, `crash${counter++}`, 'inbox');
  await mkdir(root, { recursive: true });
  await mkdir(inbox, { recursive: true });
  await writeFile(join(inbox, '.benchboot-upload-deadbeef'), 'torn');
  await mkdir(join(inbox, '.benchboot-upload-cafe'));
  await writeFile(join(inbox, '.benchboot-upload-cafe', 'x'), 'torn');
  await writeFile(join(inbox, 'router1-confg'), 'kept');
  const s = await createFsStorage({ root, uploads: { dir: inbox } });
  assert.equal(s.stats().cleanedTempFiles, 2);
  assert.deepEqual(await readdir(inbox), ['router1-confg']);
});

test('a missing or bad upload directory is a configuration error', async () => {
  const root = join(base, `cfg${counter++}`);
  await mkdir(root);
  await assert.rejects(createFsStorage({ root, uploads: { dir: join(root, 'nope') } }), (e: unknown) => isTftpError(e, 'root'));
  const inbox = join(base, `cfg-inbox${counter++}`);
  await mkdir(inbox);
  await assert.rejects(createFsStorage({ root, uploads: { dir: inbox, maxBytes: 0 } }), (e: unknown) => isTftpError(e, 'config'));
  await assert.rejects(createFsStorage({ root, uploads: { dir: inbox, fileMode: 0o4755 } }), (e: unknown) => isTftpError(e, 'config') && /file mode must be octal 0 to 0777, not 4755/.test(e.message));
});

test('versionedName shortens long names to stay within the file-name limit', () => {
  const long = 'x'.repeat(255);
  const v = versionedName(long, 0, 3);
  assert.equal(v.length, 255);
  assert.ok(v.endsWith('.1970-01-01T00-00-00.000Z-3'));
  assert.equal(versionedName('a', 0, 0), 'a');
  // Counted in bytes of UTF-8, never splitting a character.
  const wide = versionedName('\u00e9'.repeat(127), 0, 1);
  assert.ok(Buffer.byteLength(wide) <= 255 && wide.startsWith('\u00e9') && !wide.includes('\ufffd'), wide);
});

test('a second upload of a 254-byte UTF-8 name is kept as a version the file system accepts', async () => {
  const { s, inbox } = await setup();
  const name = '\u00e9'.repeat(127);
  assert.equal(await upload(s, name, Buffer.from('one')), name);
  const second = await upload(s, name, Buffer.from('two'));
  assert.notEqual(second, name);
  assert.equal(await readFile(join(inbox, second), 'utf8'), 'two');
});

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

test('disk full (ENOSPC on a 1 MiB tmpfs): error 3, partial file removed', { skip: isRoot ? false : 'needs root to mount a tmpfs' }, async (t) => {
  const mnt = await mkdtemp(join(tmpdir(), 'bb-enospc-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
  const opened: { storage?: { release(): void } } = {};
  t.after(async () => {
    opened.storage?.release(); // the upload directory is held open until released
    execFileSync('umount', [mnt]);
    await rm(mnt, { recursive: true, force: true });
  });
  const root = join(mnt, 'up');
  await mkdir(root);
  await mkdir(join(mnt, 'srv'));
  const s = await createFsStorage({ root: join(mnt, 'srv'), uploads: { dir: root } });
  opened.storage = s;
  // tsize over the free space is refused before any byte is written.
  const upFront = await s.openWrite('firmware.bin', { ...CTX, tsize: 2 * 1024 * 1024 });
  assert.equal(upFront.kind === 'error' ? upFront.code : -1, TFTP_ERROR.diskFull);
  // Without tsize the disk runs full while writing.
  const target = await openUpload(s, 'firmware.bin');
  const block = randomBytes(1468);
  let failure: unknown;
  for (let off = 0; off < 2 * 1024 * 1024; off += block.length) {
    try {
      await target.write(off, block);
    } catch (err) {
      failure = err;
      break;
    }
  }
  assert.ok(isTftpStorageError(failure), `expected a storage error, got ${String(failure)}`);
  assert.equal(failure.tftpCode, TFTP_ERROR.diskFull);
  // ENOSPC, or the free-space check just before it: either way error 3 naming only the file.
  assert.match(failure.message, /^Disk full or allocation exceeded: no room for firmware\.bin(: |$)/);
  assert.deepEqual(await readdir(root), []);
  // The space is free again: a small upload works.
  assert.equal(await upload(s, 'router1-confg', Buffer.from('hostname r1\n')), 'router1-confg');
});

test('without hard links (FAT, some network shares) versions are still kept, by check-then-rename', async () => {
  const dir = join(base, `nolink${counter++}`);
  await mkdir(dir);
  let linkCalls = 0;
  const noLink = (): Promise<void> => {
    linkCalls++;
    return Promise.reject(Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }));
  };
  const inbox = await createUploadInbox(dir, { dir }, new FakeClock(), { link: noLink });
  const targets: UploadTarget[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await inbox.open('router1-confg', 'router1-confg');
    assert.ok(r.kind === 'ok');
    targets.push(r.value);
  }
  await Promise.all(targets.map((u, i) => u.write(0, Buffer.from(`copy ${i}`))));
  const names = await Promise.all(targets.map((u) => u.commit().then((r) => r.savedAs)));
  assert.ok(linkCalls >= 4, 'link was tried first');
  assert.deepEqual([...names].sort(), [
    'router1-confg',
    'router1-confg.2023-11-14T22-13-20.000Z',
    'router1-confg.2023-11-14T22-13-20.000Z-2',
    'router1-confg.2023-11-14T22-13-20.000Z-3',
  ]);
  const contents = await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
  assert.equal(new Set(contents).size, 4, 'every copy kept');
  assert.equal((await readdir(dir)).length, 4, 'no temp file left');
});
