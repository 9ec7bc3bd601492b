/** The inventory's file I/O: atomic edits that leave nothing behind when refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { editInventoryFile, InventoryError, readInventoryFile } from '../../../src/inventory/index.js';

test('editInventoryFile writes atomically, refuses invalid results without touching the file, creates a missing file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-inv-'));
  try {
    const path = join(dir, 'inv.csv');
    await writeFile(path, 'mac,hostname\n001bd4aabbcc,p1\n');
    await editInventoryFile(path, [{ kind: 'set', key: 'p1', cells: { hostname: 'p2' } }]);
    assert.equal(await readFile(path, 'utf8'), 'mac,hostname\n001bd4aabbcc,p2\n');
    await assert.rejects(editInventoryFile(path, [{ kind: 'add', cells: { mac: '00:1b:d4:aa:bb:cc' } }]), (e: unknown) => e instanceof InventoryError && e.issues[0]?.kind === 'duplicate-mac');
    assert.equal(await readFile(path, 'utf8'), 'mac,hostname\n001bd4aabbcc,p2\n', 'refused: unchanged');
    assert.deepEqual(await readdir(dir), ['inv.csv'], 'no temporary file left');
    const fresh = join(dir, 'new.yaml');
    await editInventoryFile(fresh, [{ kind: 'add', cells: { serial: 'FOC1' } }]);
    const read = await readInventoryFile(fresh);
    assert.deepEqual(read.issues, []);
    assert.equal(read.inventory.rows[0]?.serial, 'FOC1');
    await assert.rejects(readInventoryFile(join(dir, 'missing.csv')), (e: unknown) => e instanceof InventoryError && /cannot read: no such file/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
