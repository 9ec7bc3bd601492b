/** The cell flags of `benchboot device add|set|adopt`: --set COLUMN=VALUE and the shortcuts, as named table cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
