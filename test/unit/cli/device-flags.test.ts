/** The cell flags of `benchboot device add|set|adopt`: --set COLUMN=VALUE and the shortcuts, as named table cases; and the default inventory file's lookup. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cellsFromFlags, newRowCells, readSetFlag } from '../../../src/cli/device-flags.js';
import { isBenchbootError } from '../../../src/errors.js';

test('readSetFlag splits at the first =; a value may hold = and may be empty', () => {
  const cases: [string, [string, string], string][] = [
    ['ext=1001', ['ext', '1001'], 'plain'],
    ['note=a=b', ['note', 'a=b'], 'split at the first ='],
    ['note=', ['note', ''], 'empty value'],
    [' vlan =20', ['vlan', '20'], 'column trimmed'],
  ];
  for (const [spec, want, edge] of cases) assert.deepEqual(readSetFlag(spec), want, edge);
  for (const bad of ['novalue', '=x', ' =x']) assert.throws(() => readSetFlag(bad), (e: unknown) => isBenchbootError(e, 'BB_USAGE'), bad);
});

test('cellsFromFlags: shortcuts then --set in order; empty values empty the cell; a shortcut given twice is refused', () => {
  assert.deepEqual(cellsFromFlags({ mac: '001BD4AABBCC', hostname: 'phone1', set: ['ext=1001', 'note='] }), { mac: '001BD4AABBCC', hostname: 'phone1', ext: '1001', note: null });
  assert.deepEqual(cellsFromFlags({ set: 'hostname=desk1', hostname: 'phone1' }), { hostname: 'desk1' }, '--set comes last and wins');
  assert.deepEqual(cellsFromFlags({}), {});
  assert.throws(() => cellsFromFlags({ ip: ['10.0.0.1', '10.0.0.2'] }), (e: unknown) => isBenchbootError(e, 'BB_USAGE'));
  assert.deepEqual(newRowCells({ mac: 'x', note: null }), { mac: 'x' });
});

const isRoot = process.getuid?.() === 0;

test('inventoryFileOf: a working directory the user may not enter is a clear BB_INVENTORY error naming the file and the user, not an internal error', { skip: isRoot ? false : 'needs root to run a child as nobody' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-inv-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o700);
  const module = fileURLToPath(new URL('../../../src/cli/device-flags.js', import.meta.url));
  // As `sudo serve` does: the serving process (nobody) starts in root's private directory.
  const script = [
    `process.chdir(${JSON.stringify(dir)});`,
    'process.setgid(65534); process.setuid(65534);',
    `const { inventoryFileOf } = await import(${JSON.stringify(pathToFileURL(module).href)});`,
    'try { await inventoryFileOf(undefined); console.log("no error"); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
  const got = JSON.parse(out) as { code: string; message: string };
  assert.equal(got.code, 'BB_INVENTORY');
  assert.match(got.message, new RegExp(`^${join(dir, 'inventory.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot be read \\(EACCES\\)`));
  assert.match(got.message, /uid 65534/);
});
