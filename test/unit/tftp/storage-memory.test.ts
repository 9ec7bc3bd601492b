/**
 * The in-memory storage used by server tests behaves like the file-system one:
 * same name rules, defaults, upload versions, limits and simulated disk full. Also
 * the small-file LRU cache on its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.js';
import { createMemoryStorage } from '../../../src/tftp/memory-storage.js';
import { createFileCache } from '../../../src/tftp/file-cache.js';
import { isTftpStorageError } from '../../../src/tftp/uploads.js';
import { TFTP_ERROR } from '../../../src/tftp/error-codes.js';

const CTX = { peer: { address: '127.0.0.1', port: 1234 } };

test('memory storage serves files by the same name rules as disk', async () => {
  const s = createMemoryStorage({ 'SEP1.cnf.xml': '<device/>', 'pxelinux.cfg/default': 'menu', XMLDefault: 'd' }, { defaults: [{ pattern: 'SEP*', file: 'XMLDefault' }] });
  for (const name of ['SEP1.cnf.xml', '/SEP1.cnf.xml', 'C:\\SEP1.cnf.xml']) {
    const r = await s.openRead(name, CTX);
    assert.equal(r.kind, 'ok', name);
    if (r.kind === 'ok') {
      assert.equal(Buffer.from(await r.value.read(0, 512)).toString(), '<device/>');
      await r.value.close();
    }
  }
  const menu = await s.openRead('pxelinux.cfg\\default', CTX);
  assert.equal(menu.kind === 'ok' ? menu.value.size : -1, 4);
  const dflt = await s.openRead('SEP2.cnf.xml', CTX);
  assert.equal(dflt.kind === 'ok' ? dflt.value.origin : '', 'default for SEP* (root)');
  assert.deepEqual(await s.openRead('../SEP1.cnf.xml', CTX), { kind: 'error', code: TFTP_ERROR.accessViolation, message: 'Access violation: ../SEP1.cnf.xml leaves the TFTP root', isBadName: true });
  assert.deepEqual(await s.openRead('nothing', CTX), { kind: 'error', code: TFTP_ERROR.fileNotFound, message: 'File not found: nothing' });
  assert.equal(s.openCount(), 2, 'the two sources not closed above are counted');
});

test('memory storage refuses uploads unless enabled, then keeps versions', async () => {
  assert.equal((await createMemoryStorage().openWrite('x', CTX)).kind, 'error');
  const s = createMemoryStorage({}, { uploads: {}, clock: new FakeClock() });
  for (const text of ['one', 'two']) {
    const r = await s.openWrite('router1-confg', CTX);
    assert.ok(r.kind === 'ok');
    await r.value.write(0, Buffer.from(text));
    assert.equal(s.files.size, text === 'one' ? 0 : 1, 'nothing visible before commit');
    await r.value.commit();
  }
  assert.deepEqual([...s.files.keys()], ['router1-confg', 'router1-confg.2023-11-14T22-13-20.000Z']);
  assert.equal(s.openCount(), 0);
});

test('memory storage: size limit, simulated disk full and abort', async () => {
  const s = createMemoryStorage({}, { uploads: { maxBytes: 600, capacityBytes: 1000 } });
  const refused = await s.openWrite('big', { ...CTX, tsize: 601 });
  assert.equal(refused.kind === 'error' ? refused.code : -1, TFTP_ERROR.diskFull);
  const a = await s.openWrite('a', CTX);
  const b = await s.openWrite('b', CTX);
  assert.ok(a.kind === 'ok' && b.kind === 'ok');
  await a.value.write(0, new Uint8Array(512));
  await assert.rejects(a.value.write(512, new Uint8Array(512)), (e: unknown) => isTftpStorageError(e) && e.tftpCode === TFTP_ERROR.diskFull);
  await b.value.write(0, new Uint8Array(512));
  await b.value.write(512, new Uint8Array(88));
  await b.value.commit();
  const c = await s.openWrite('c', CTX);
  assert.ok(c.kind === 'ok');
  await c.value.write(0, new Uint8Array(400));
  await assert.rejects(c.value.write(400, new Uint8Array(1)), (e: unknown) => isTftpStorageError(e) && /no room/.test(e.message));
  await c.value.abort();
  assert.deepEqual([...s.files.keys()], ['b']);
  assert.equal(s.openCount(), 0);
});

test('file cache: one load per key under concurrency, LRU eviction by bytes, big entries not kept', async () => {
  const cache = createFileCache({ maxBytes: 100, maxEntryBytes: 60 });
  let loads = 0;
  const load = (n: number) => async () => {
    loads++;
    await new Promise((r) => setTimeout(r, 5));
    return new Uint8Array(n);
  };
  const all = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('a', load(40))));
  assert.equal(loads, 1);
  assert.ok(all.every((b) => b === all[0]));
  await cache.getOrLoad('b', load(40));
  await cache.getOrLoad('a', load(40)); // a becomes most recent
  await cache.getOrLoad('c', load(40)); // evicts b, the least recent
  assert.deepEqual(cache.stats(), { hits: 50, misses: 3, entries: 2, bytes: 80 });
  await cache.getOrLoad('b', load(40));
  assert.equal(loads, 4, 'b was evicted and loaded again');
  await cache.getOrLoad('huge', load(61));
  await cache.getOrLoad('huge', load(61));
  assert.equal(loads, 6, 'entries over maxEntryBytes are never cached');
  await assert.rejects(cache.getOrLoad('bad', () => Promise.reject(new Error('EIO'))), /EIO/);
  assert.equal(await cache.getOrLoad('bad', load(1)).then((b) => b.length), 1, 'a failed load is not cached');
  cache.dropPrefix('b');
  assert.ok(cache.stats().bytes <= 100);
});
