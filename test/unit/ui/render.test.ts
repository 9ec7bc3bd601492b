/**
 * The live view text: device rows, progress bar with percent, rate and ETA, width.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasRawControl } from '../../helpers/raw-control.js';
import { formatBytes, formatDuration, progressBar, renderView } from '../../../src/ui/render.js';
import { initialViewState, reduceView } from '../../../src/ui/state.js';
import type { ApplianceEvent } from '../../../src/ui/events.js';

const T0 = 1_700_000_000_000;

test('sizes and durations read like a person writes them', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
  assert.equal(formatDuration(42_000, 'compact'), '42s');
  assert.equal(formatDuration(187_000, 'compact'), '3m07s');
  assert.equal(formatDuration(3_720_000, 'compact'), '1h02m');
});

test('the bar fills in proportion and clamps outside 0..1', () => {
  assert.equal(progressBar(0.5, 10), '[#####.....]');
  assert.equal(progressBar(0, 4), '[....]');
  assert.equal(progressBar(2, 4), '[####]');
});

test('a device row and a running transfer appear as a person sees them', () => {
  const events: ApplianceEvent[] = [
    { kind: 'lease', at: T0, scope: 'lab', mac: '00:1b:d4:aa:bb:cc', ip: '10.10.0.20', state: 'bound', vendorClass: 'Cisco Systems, Inc. IP Phone CP-7965G' },
    { kind: 'transfer-started', at: T0, id: 't1', peer: '10.10.0.20', file: 'firmware.bin', direction: 'read', size: 2 * 1024 * 1024 },
    { kind: 'transfer-progress', at: T0 + 2000, id: 't1', bytes: 1024 * 1024 },
  ];
  const lines = renderView(events.reduce(reduceView, initialViewState(['eth1 10.10.0.0/24'])), 160);
  const text = lines.join('\n');
  assert.match(text, /serving eth1 10\.10\.0\.0\/24/);
  assert.match(text, /leases 1 {2}transfers 0 done, 1 running {2}failures 0 {2}busy refusals 0/);
  const row = lines.find((l) => l.startsWith('00:1b:d4:aa:bb:cc'));
  assert.ok(row, text);
  assert.match(row, /Cisco Systems, Inc\. IP ~ 10\.10\.0\.20 +bound +- +firmware\.bin$/);
  const bar = lines.find((l) => l.startsWith('->'));
  assert.ok(bar, text);
  assert.match(bar, /firmware\.bin +\[#{12}\.{12}\] +50% 1\.0 MiB\/2\.0 MiB {2}512\.0 KiB\/s {2}ETA 2s/);
});

test('every line fits the terminal width', () => {
  const s = reduceView(initialViewState(['eth1']), { kind: 'transfer-started', at: T0, id: 'x', peer: '10.0.0.1', file: 'a'.repeat(300), direction: 'read', size: 10 });
  for (const line of renderView(s, 40)) assert.ok(line.length <= 40, line);
});

test('text from the wire is escaped in the live view: no escape sequence or bidi control reaches the terminal', () => {
  const events: ApplianceEvent[] = [
    { kind: 'lease', at: T0, scope: 'lab', mac: '00:1b:d4:aa:bb:cc', ip: '10.10.0.20', state: 'bound', vendorClass: 'evil\u001b[2J\u009b' },
    { kind: 'transfer-started', at: T0, id: 't1', peer: '10.10.0.20', file: 'fw\u202e.bin', direction: 'read', size: 1000 },
    { kind: 'tftp-refused', at: T0, peer: '10.10.0.20', file: 'x\u001b]0;pwned\u0007', message: 'File not found' },
  ];
  const lines = renderView(events.reduce(reduceView, initialViewState(['eth1'])), 200);
  assert.ok(!lines.some(hasRawControl), lines.join('\n'));
  const text = lines.join('\n');
  assert.match(text, /evil\\x1b\[2J\\x9b/);
  assert.match(text, /fw\\u\{202e\}\.bin/);
  assert.match(text, /x\\x1b\]0;pwned\\x07/);
});
