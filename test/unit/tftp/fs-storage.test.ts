/**
 * File-system storage reads on real temp directories: root and alternates in order,
 * default files, traversal and symlinks that try to leave the root, case-insensitive
 * matching, remaps, the small-file cache, streamed large files, and that no error
 * message ever carries a server path.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtemp, mkdir, writeFile, symlink, rm, truncate, appendFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createFsStorage, loadRemapFile, type FsStorage } from '../../../src/tftp/fs-storage.js';
import { parseRemapRules } from '../../../src/tftp/remap.js';
import { displayName } from '../../../src/tftp/resolve-path.js';
import type { OpenResult, ReadSource } from '../../../src/tftp/storage.js';
import { TFTP_ERROR } from '../../../src/tftp/error-codes.js';
import { isTftpError } from '../../../src/tftp/tftp-error.js';

const CTX = { peer: { address: '10.77.0.23', port: 2070 } };
let base = '';
let root = '';
let alt1 = '';
let alt2 = '';
let outside = '';

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'bb-fs-storage-'));
  root = join(base, 'root');
  alt1 = join(base, 'alt1');
  alt2 = join(base, 'alt2');
  outside = join(base, 'outside');
  for (const d of [root, alt1, alt2, outside, join(root, 'phones'), join(root, 'Firmware', 'CP8800')]) await mkdir(d, { recursive: true });
  await writeFile(join(root, 'only-root.txt'), 'root copy');
  await writeFile(join(root, 'both.txt'), 'root wins');
  await writeFile(join(alt1, 'both.txt'), 'alt1 loses');
  await writeFile(join(alt1, 'in-alt1.txt'), 'alt1 copy');
  await writeFile(join(alt2, 'in-alt1.txt'), 'alt2 loses');
  await writeFile(join(alt2, 'in-alt2.txt'), 'alt2 copy');
  await writeFile(join(root, 'XMLDefault.cnf.xml'), '<default/>');
  await writeFile(join(root, 'SEP001122334455.cnf.xml'), '<device mac="001122334455"/>');
  await writeFile(join(root, 'Firmware', 'CP8800', 'Sip88xx.LOADS'), 'loads');
  await writeFile(join(outside, 'secret'), 'must never be served');
  await symlink(join(outside, 'secret'), join(root, 'escape-link'));
  await symlink(outside, join(root, 'escape-dir'));
  await symlink('only-root.txt', join(root, 'inside-link'));
  execFileSync('mkfifo', [join(root, 'a-fifo')]);
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function text(result: OpenResult<ReadSource>): Promise<string> {
  assert.equal(result.kind, 'ok', result.kind === 'error' ? result.message : '');
  if (result.kind !== 'ok') return '';
  const data = await result.value.read(0, result.value.size + 10);
  await result.value.close();
  return Buffer.from(data).toString();
}

function assertError(result: OpenResult<ReadSource>, code: number, requested: string): void {
  assert.equal(result.kind, 'error');
  if (result.kind !== 'error') return;
  assert.equal(result.code, code, result.message);
  assert.ok(!result.message.includes(base), `message leaks a server path: ${result.message}`);
  assert.ok(!/\/tmp\b/.test(result.message), `message leaks a server path: ${result.message}`);
  assert.ok(result.message.includes(requested) || requested === '', `message should name ${requested}: ${result.message}`);
}

async function storage(extra: Partial<Parameters<typeof createFsStorage>[0]> = {}): Promise<FsStorage> {
  return createFsStorage({ root, alternates: [alt1, alt2], ...extra });
}

test('the root is searched first, then the alternates in order', async () => {
  const s = await storage();
  assert.equal(await text(await s.openRead('both.txt', CTX)), 'root wins');
  assert.equal(await text(await s.openRead('in-alt1.txt', CTX)), 'alt1 copy');
  assert.equal(await text(await s.openRead('in-alt2.txt', CTX)), 'alt2 copy');
  const r = await s.openRead('in-alt2.txt', CTX);
  assert.equal(r.kind === 'ok' ? r.value.origin : '', 'alternate 2');
  if (r.kind === 'ok') await r.value.close();
});

test('a missing file is error 1 naming only the requested file', async () => {
  const s = await storage();
  const r = await s.openRead('nope.bin', CTX);
  assertError(r, TFTP_ERROR.fileNotFound, 'nope.bin');
  assert.equal(r.kind === 'error' ? r.message : '', 'File not found: nope.bin');
});

test('a default file answers names matching its pattern (auto-registration) and only those', async () => {
  const s = await storage({ defaults: [{ pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' }] });
  assert.equal(await text(await s.openRead('SEP001122334455.cnf.xml', CTX)), '<device mac="001122334455"/>');
  const r = await s.openRead('SEPAABBCCDDEEFF.cnf.xml', CTX);
  assert.equal(r.kind === 'ok' ? r.value.origin : '', 'default for SEP*.cnf.xml (root)');
  assert.equal(r.kind === 'ok' ? r.value.displayName : '', 'SEPAABBCCDDEEFF.cnf.xml');
  assert.equal(await text(r), '<default/>');
  assertError(await s.openRead('CTLSEP1.tlv', CTX), TFTP_ERROR.fileNotFound, 'CTLSEP1.tlv');
});

const ESCAPES: readonly { name: string; requested: string; code: number }[] = [
  { name: 'parent traversal', requested: '../../etc/passwd', code: TFTP_ERROR.accessViolation },
  { name: 'backslash traversal', requested: '..\\..\\etc\\passwd', code: TFTP_ERROR.accessViolation },
  { name: 'traversal after a directory', requested: 'phones/../../outside/secret', code: TFTP_ERROR.accessViolation },
  { name: 'absolute path is taken under the root', requested: '/etc/passwd', code: TFTP_ERROR.fileNotFound },
  { name: 'drive letter is taken under the root', requested: 'C:\\etc\\passwd', code: TFTP_ERROR.fileNotFound },
  { name: 'NUL in the name', requested: 'only-root.txt\u0000', code: TFTP_ERROR.accessViolation },
  { name: 'symlink to a file outside the root', requested: 'escape-link', code: TFTP_ERROR.accessViolation },
  { name: 'symlinked directory outside the root', requested: 'escape-dir/secret', code: TFTP_ERROR.accessViolation },
  { name: 'a directory is not a file', requested: 'phones', code: TFTP_ERROR.fileNotFound },
  { name: 'a FIFO is not a file (and does not hang)', requested: 'a-fifo', code: TFTP_ERROR.fileNotFound },
  { name: 'empty name', requested: '', code: TFTP_ERROR.accessViolation },
];

for (const c of ESCAPES) {
  test(`never leaves the root: ${c.name}`, async () => {
    const s = await storage();
    const r = await s.openRead(c.requested, CTX);
    assertError(r, c.code, c.requested.split('\u0000').join('?'));
  });
}

test('a symlink that stays inside the root is followed', async () => {
  const s = await storage();
  assert.equal(await text(await s.openRead('inside-link', CTX)), 'root copy');
  assert.equal(await text(await s.openRead('/only-root.txt', CTX)), 'root copy');
  assert.equal(await text(await s.openRead('C:\\only-root.txt', CTX)), 'root copy');
});

test('case-insensitive matching walks directory entries ignoring case', async () => {
  const exact = await storage();
  assertError(await exact.openRead('firmware/cp8800/SIP88XX.loads', CTX), TFTP_ERROR.fileNotFound, 'firmware/cp8800/SIP88XX.loads');
  const s = await storage({ caseInsensitive: true });
  assert.equal(await text(await s.openRead('firmware/cp8800/SIP88XX.loads', CTX)), 'loads');
  assert.equal(await text(await s.openRead('FIRMWARE\\CP8800\\sip88xx.LOADS', CTX)), 'loads');
  assertError(await s.openRead('ESCAPE-LINK', CTX), TFTP_ERROR.accessViolation, 'ESCAPE-LINK');
});

test('remap rules rewrite the name before the path rules, and cannot lead out of the root', async () => {
  const remap = parseRemapRules(['ri ^/?tftpboot/(.*)$ \\1', 'r ^leak$ ../outside/secret', 'a \\.exe$'].join('\n'));
  const s = await storage({ remap });
  assert.equal(await text(await s.openRead('/TFTPBOOT/only-root.txt', CTX)), 'root copy');
  const leak = await s.openRead('leak', CTX);
  assertError(leak, TFTP_ERROR.accessViolation, 'leak');
  assert.ok(leak.kind === 'error' && !leak.message.includes('outside'), 'the message names the requested file, not the mapped one');
  assertError(await s.openRead('setup.exe', CTX), TFTP_ERROR.accessViolation, 'setup.exe');
});

test('remap rules see the normalised name: a ^private/ refuses /private/x and private\\x from the storage', async () => {
  const s = await storage({ remap: parseRemapRules('a ^private/') });
  for (const name of ['private/x', '/private/x', 'private\\x', 'C:\\private\\x']) {
    assertError(await s.openRead(name, CTX), TFTP_ERROR.accessViolation, name);
  }
});

test('loadRemapFile reads a map file and names it and the line in errors', async () => {
  const good = join(base, 'good.map');
  const bad = join(base, 'bad.map');
  await writeFile(good, '# ok\nrg \\\\ /\n');
  await writeFile(bad, 'r ^a$ b\n\nx ^a$ b\n');
  assert.equal((await loadRemapFile(good)).length, 1);
  await assert.rejects(loadRemapFile(bad), (err: unknown) => isTftpError(err, 'config') && err.message.startsWith(`${bad}:3:`));
  await assert.rejects(loadRemapFile(join(base, 'missing.map')), (err: unknown) => isTftpError(err, 'config'));
});

test('configuration errors: missing root, root that is a file, more than ten alternates, bad default', async () => {
  await assert.rejects(createFsStorage({ root: join(base, 'missing') }), (e: unknown) => isTftpError(e, 'root'));
  await assert.rejects(createFsStorage({ root: join(root, 'both.txt') }), (e: unknown) => isTftpError(e, 'root') && /not a directory/.test(e.message));
  await assert.rejects(createFsStorage({ root, alternates: Array.from({ length: 11 }, () => alt1) }), (e: unknown) => isTftpError(e, 'config'));
  await assert.rejects(createFsStorage({ root, alternates: [join(base, 'nope')] }), (e: unknown) => isTftpError(e, 'root') && /alternate TFTP location 1/.test(e.message));
  await assert.rejects(createFsStorage({ root, defaults: [{ pattern: 'SEP*', file: '../x' }] }), (e: unknown) => isTftpError(e, 'config'));
  const ten = await createFsStorage({ root, alternates: Array.from({ length: 10 }, () => alt1) });
  assert.equal(ten.locations.length, 11);
});

test('a config storm reads a small file from disk once (cache keyed by version)', async () => {
  const s = await storage();
  const name = 'storm.cnf.xml';
  await writeFile(join(root, name), 'v1'.repeat(1000));
  const results = await Promise.all(Array.from({ length: 500 }, () => s.openRead(name, CTX)));
  for (const r of results) {
    assert.equal(r.kind, 'ok');
    if (r.kind === 'ok') {
      assert.equal(Buffer.from(await r.value.read(0, 4)).toString(), 'v1v1');
      await r.value.close();
    }
  }
  assert.equal(s.stats().cache?.misses, 1);
  assert.equal(s.stats().cache?.hits, 499);
  // An edited file is a new version: served fresh, not from the old entry.
  await writeFile(join(root, name), 'v2-longer');
  assert.equal(await text(await s.openRead(name, CTX)), 'v2-longer');
  assert.equal(s.stats().cache?.misses, 2);
  assert.equal(s.stats().activeReads, 0);
});

test('by default a boot image up to 8 MiB is read once for a storm; a larger one is streamed', async () => {
  const s = await storage();
  const image = randomBytes(2 * 1024 * 1024);
  await writeFile(join(root, 'undionly-2m.bin'), image);
  const sources = await Promise.all(Array.from({ length: 50 }, () => s.openRead('undionly-2m.bin', CTX)));
  assert.equal(s.stats().cache?.misses, 1, 'one read from disk for 50 transfers');
  assert.equal(s.stats().cache?.hits, 49);
  assert.equal(s.stats().openFiles, 0, 'no descriptor held: the image is in memory');
  const first = sources[0];
  assert.ok(first && first.kind === 'ok');
  assert.ok(Buffer.from(await first.value.read(1024 * 1024, 1468)).equals(image.subarray(1024 * 1024, 1024 * 1024 + 1468)));
  for (const r of sources) if (r.kind === 'ok') await r.value.close();
  await writeFile(join(root, 'kernel-9m.bin'), Buffer.alloc(9 * 1024 * 1024, 7));
  const big = await s.openRead('kernel-9m.bin', CTX);
  assert.ok(big.kind === 'ok');
  assert.equal(s.stats().cache?.misses, 1, 'over 8 MiB: not cached');
  assert.equal(s.stats().openFiles, 1);
  await big.value.close();
});

test('a large file is streamed at offsets with one shared descriptor, released on close', async () => {
  const s = await storage({ cache: { maxEntryBytes: 64 * 1024 } });
  const content = randomBytes(300 * 1024 + 17);
  await writeFile(join(root, 'image.bin'), content);
  const sources = await Promise.all(Array.from({ length: 20 }, () => s.openRead('image.bin', CTX)));
  assert.equal(s.stats().openFiles, 1);
  const first = sources[0];
  assert.ok(first && first.kind === 'ok');
  assert.equal(first.value.size, content.length);
  const chunks: Buffer[] = [];
  for (let off = 0; off < first.value.size; off += 1468) chunks.push(Buffer.from(await first.value.read(off, 1468)));
  assert.ok(Buffer.concat(chunks).equals(content));
  assert.equal((await first.value.read(content.length, 512)).length, 0, 'a read at the end gives an empty block');
  for (const r of sources) if (r.kind === 'ok') await r.value.close();
  assert.equal(s.stats().openFiles, 0);
  assert.equal(s.stats().activeReads, 0);
});

test('reads never go past the size announced at open, even if the file grows', async () => {
  const s = await storage({ cache: false });
  await writeFile(join(root, 'growing.log'), 'abc');
  const r = await s.openRead('growing.log', CTX);
  assert.ok(r.kind === 'ok');
  await writeFile(join(root, 'growing.log'), 'abcdef', { flag: 'r+' });
  assert.equal(Buffer.from(await r.value.read(0, 100)).toString(), 'abc');
  await r.value.close();
});

test('uploads are refused when no upload directory is configured', async () => {
  const s = await storage();
  const w = await s.openWrite('router1-confg', CTX);
  assert.equal(w.kind === 'error' ? w.code : -1, TFTP_ERROR.accessViolation);
  assert.equal(w.kind === 'error' ? w.message : '', 'Access violation: uploads are not accepted (router1-confg)');
});

test('500 transfers of a 100 MB image share one descriptor and hold only their blocks', async () => {
  const s = await storage();
  const image = join(root, 'firmware-100m.bin');
  // Sparse: 100 MB long without using disk; the last 4 bytes are real data.
  await writeFile(image, '');
  await truncate(image, 100 * 1024 * 1024 - 4);
  await appendFile(image, 'TAIL');
  const sources: ReadSource[] = [];
  for (let i = 0; i < 500; i++) {
    const r = await s.openRead('firmware-100m.bin', CTX);
    assert.ok(r.kind === 'ok');
    sources.push(r.value);
  }
  assert.equal(s.stats().openFiles, 1);
  assert.equal(s.stats().activeReads, 500);
  assert.equal(s.stats().cache?.misses ?? 0, 0, 'a large file never enters the cache');
  const blocks = await Promise.all(sources.map((src, i) => src.read(i * 65464, 1468)));
  assert.ok(blocks.every((b) => b.length === 1468));
  const last = await sources[0]?.read(100 * 1024 * 1024 - 4, 1468);
  assert.equal(Buffer.from(last ?? []).toString(), 'TAIL');
  await Promise.all(sources.map((src) => src.close()));
  assert.equal(s.stats().openFiles, 0);
});

test('property: no error message for any requested name carries a server path', async () => {
  const s = await storage({ defaults: [{ pattern: 'SEP*.cnf.xml', file: 'missing-default.xml' }] });
  const part = fc.constantFrom('..', '.', '/', '\\', 'C:', 'etc', 'passwd', 'escape-link', 'escape-dir', 'phones', 'SEP1.cnf.xml', 'a-fifo', '\u0000', root, base);
  await fc.assert(
    fc.asyncProperty(fc.array(part, { maxLength: 8 }).map((p) => p.join('')), async (name) => {
      const r = await s.openRead(name, CTX);
      if (r.kind === 'ok') {
        await r.value.close();
        return true;
      }
      // The requested name itself may contain the root when the client sent it; nothing else may.
      return !r.message.replace(displayName(name), '').includes(base);
    }),
    { numRuns: 300 },
  );
});
