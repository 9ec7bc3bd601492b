/**
 * The device status in the live view (issue 13 point 5): each row shows the status
 * the device book reported for its MAC, a stuck or gone device its diagnosis in the
 * words of `benchboot devices show`, the header counts devices by status, and wire
 * text stays escaped and within the terminal width.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasRawControl } from '../../helpers/raw-control.js';
import type { StatusReason } from '../../../src/devices/status-reason.js';
import type { ApplianceEvent, DeviceStatusEvent } from '../../../src/ui/events.js';
import { renderView } from '../../../src/ui/render.js';
import { initialViewState, reduceView, type ViewState } from '../../../src/ui/state.js';

const T0 = 1_700_000_000_000;
const MAC = '00:1b:d4:aa:bb:cc';

function lease(mac = MAC, ip = '10.10.0.20', vendorClass = 'Cisco Systems, Inc. IP Phone CP-7965G'): ApplianceEvent {
  return { kind: 'lease', at: T0, scope: 'lab', mac, ip, state: 'bound', vendorClass };
}

function status(s: DeviceStatusEvent['status'], reason: StatusReason, mac = MAC): DeviceStatusEvent {
  return { kind: 'device-status', at: T0 + 1, mac, status: s, reason };
}

function run(events: readonly ApplianceEvent[]): ViewState {
  return events.reduce(reduceView, initialViewState(['eth1 10.10.0.0/24 (lab)']));
}

/** The device's row and the line under it. */
function rowAndNext(lines: readonly string[], mac = MAC): [string, string | undefined] {
  const i = lines.findIndex((l) => l.startsWith(mac));
  assert.ok(i >= 0, `no row for ${mac}:\n${lines.join('\n')}`);
  return [lines[i] ?? '', lines[i + 1]];
}

const NOT_FOUND: StatusReason = { kind: 'file-failed', file: 'SEP001BD4AABBCC.cnf.xml', result: 'not-found' };

const CASES: readonly { name: string; event: DeviceStatusEvent; cell: string; diagnosis?: RegExp }[] = [
  { name: 'discovered', event: status('discovered', { kind: 'discovering', lastMessage: 'discover' }), cell: 'discovered' },
  { name: 'leased', event: status('leased', { kind: 'leased', ip: '10.10.0.20' }), cell: 'leased' },
  { name: 'fetching', event: status('fetching', { kind: 'fetching', delivered: 1, waitingFor: [] }), cell: 'fetching' },
  { name: 'provisioned', event: status('provisioned', { kind: 'all-asked-delivered', files: ['a.cfg'] }), cell: 'provisioned' },
  { name: 'stuck on a missing file', event: status('stuck', NOT_FOUND), cell: 'stuck', diagnosis: /^ {18}stuck: asked for SEP001BD4AABBCC\.cnf\.xml: not found$/ },
  {
    name: 'stuck without a file',
    event: status('stuck', { kind: 'no-file-after-lease', waitedMs: 90_000 }),
    cell: 'stuck',
    diagnosis: /^ {18}stuck: took a lease and asked for no file in 90 s: check the boot fields with `benchboot probe`$/,
  },
  {
    name: 'gone',
    event: status('gone', { kind: 'silent', silentMs: 400_000, previous: { kind: 'leased', ip: '10.10.0.20' } }),
    cell: 'gone',
    diagnosis: /^ {18}gone: no packet for 400 s when one was due \(last: took a lease on 10\.10\.0\.20, no file asked yet\)$/,
  },
];

for (const c of CASES) {
  test(`a ${c.name} device shows "${c.cell}" in its STATUS column${c.diagnosis ? ' and its diagnosis under the row' : ', with no diagnosis line'}`, () => {
    const lines = renderView(run([lease(), c.event]), 160);
    assert.match(lines.join('\n'), /^MAC +VENDOR CLASS +IP +STATE +STATUS +LAST FILE$/m);
    const [row, next] = rowAndNext(lines);
    assert.match(row, new RegExp(`^${MAC} Cisco Systems, Inc\\. IP ~ 10\\.10\\.0\\.20 +bound +${c.cell} +-$`));
    if (c.diagnosis) assert.match(next ?? '', c.diagnosis);
    else assert.ok(next === '' || next?.startsWith('00:'), `unexpected line under the row: ${next}`);
  });
}

test('a device without a status from the book shows "-" and is not counted', () => {
  const lines = renderView(run([lease()]), 160);
  assert.match(rowAndNext(lines)[0], / bound +- +-$/);
  assert.ok(lines.includes('0 devices'), lines.join('\n'));
});

test('provisioned replaces fetching on the same row; the header counts devices by status', () => {
  const s = run([
    lease(),
    lease('00:1b:d4:00:00:02', '10.10.0.21', 'other'),
    status('fetching', { kind: 'fetching', delivered: 1, waitingFor: ['SEP001BD4AABBCC.cnf.xml'] }),
    status('stuck', NOT_FOUND, '00:1b:d4:00:00:02'),
    status('provisioned', { kind: 'all-expected-delivered', files: ['SEP001BD4AABBCC.cnf.xml'] }),
  ]);
  assert.equal(s.devices.length, 2);
  assert.equal(s.devices[0]?.status, 'provisioned');
  const lines = renderView(s, 160);
  assert.match(rowAndNext(lines)[0], / bound +provisioned +-$/);
  assert.ok(!lines.some((l) => / fetching /.test(l)), lines.join('\n'));
  assert.equal(lines[2], '2 devices: 1 provisioned, 1 stuck');
});

test('rows are matched by MAC in any spelling; a status for an unseen device adds its row with its address', () => {
  const s = run([lease(), status('leased', { kind: 'leased' }, '001BD4AABBCC'), { ...status('stuck', NOT_FOUND, '02:00:00:00:00:09'), ip: '10.10.0.99' }]);
  assert.equal(s.devices.length, 2);
  assert.deepEqual(
    s.devices.map((d) => [d.mac, d.ip, d.leaseState, d.status]),
    [
      [MAC, '10.10.0.20', 'bound', 'leased'],
      ['02:00:00:00:00:09', '10.10.0.99', '-', 'stuck'],
    ],
  );
  // A later lease event for that device fills in its row instead of adding another.
  const after = reduceView(s, lease('02:00:00:00:00:09', '10.10.0.99', 'late'));
  assert.equal(after.devices.length, 2);
  assert.equal(after.devices[1]?.status, 'stuck');
  assert.equal(after.devices[1]?.vendorClass, 'late');
});

test('a long diagnosis is cut to the terminal width with a ~, a short one is whole', () => {
  const long = 'cfg/' + 'x'.repeat(300) + '.xml';
  const s = run([lease(), status('stuck', { kind: 'file-failed', file: long, result: 'not-found' })]);
  for (const width of [80, 120]) {
    const lines = renderView(s, width);
    for (const l of lines) assert.ok(l.length <= width, `${l.length} > ${width}: ${l}`);
    const next = rowAndNext(lines)[1] ?? '';
    assert.equal(next.length, width);
    assert.match(next, /^ {18}stuck: asked for cfg\/x+~$/);
  }
  const short = renderView(run([lease(), status('stuck', NOT_FOUND)]), 80);
  assert.equal(rowAndNext(short)[1], `${' '.repeat(18)}stuck: asked for SEP001BD4AABBCC.cnf.xml: not found`);
});

test('a hostile vendor class and file name stay escaped with the status and diagnosis shown', () => {
  const s = run([
    lease(MAC, '10.10.0.20', 'evil\u001b[2J\u009b'),
    status('stuck', { kind: 'file-failed', file: 'x\u001b]0;pwned\u0007\u202e.cfg', result: 'render-error', detail: 'bad\u001b[31m' }),
  ]);
  const lines = renderView(s, 200);
  assert.ok(!lines.some(hasRawControl), lines.join('\n'));
  const [row, next] = rowAndNext(lines);
  assert.match(row, /^00:1b:d4:aa:bb:cc evil\\x1b\[2J\\x9b +10\.10\.0\.20 +bound +stuck +-$/);
  assert.equal(next, `${' '.repeat(18)}stuck: template render failed for x\\x1b]0;pwned\\x07\\u{202e}.cfg: bad\\x1b[31m`);
});

test('the devices restored at start show with their status, in one event; a device already on a row keeps its row', () => {
  const s = run([
    lease(),
    {
      kind: 'devices-restored',
      at: T0 + 1,
      devices: [
        { mac: '001B.D4AA.BBCC', status: 'provisioned', reason: { kind: 'all-asked-delivered', files: ['a.cfg'] } },
        { mac: '02:00:00:00:00:0a', status: 'gone', reason: { kind: 'silent', silentMs: 400_000, previous: { kind: 'leased', ip: '10.10.0.30' } }, ip: '10.10.0.30' },
      ],
    },
  ]);
  assert.deepEqual(
    s.devices.map((d) => [d.mac, d.ip, d.status]),
    [
      [MAC, '10.10.0.20', 'provisioned'],
      ['02:00:00:00:00:0a', '10.10.0.30', 'gone'],
    ],
  );
  const lines = renderView(s, 160);
  assert.match(lines.join('\n'), /2 devices: 1 provisioned, 1 gone/);
  assert.match(rowAndNext(lines, '02:00:00:00:00:0a')[1] ?? '', /gone: no packet for 400 s/);
});

test('a device removed from the book (evicted) loses its row, found by MAC in any spelling; the bound count follows', () => {
  const s = run([lease(), lease('02:00:00:00:00:0b', '10.10.0.21'), status('provisioned', { kind: 'all-asked-delivered', files: [] })]);
  assert.equal(s.totals.leases, 2);
  const after = reduceView(s, { kind: 'device-removed', at: T0 + 2, mac: '001bd4aabbcc', reason: 'finished' });
  assert.deepEqual(after.devices.map((d) => d.mac), ['02:00:00:00:00:0b']);
  assert.equal(after.totals.leases, 1);
  assert.ok(!renderView(after, 160).some((l) => l.startsWith(MAC)));
  // Removing a device the view never showed changes nothing.
  assert.equal(reduceView(after, { kind: 'device-removed', at: T0 + 3, mac: '02:00:00:00:00:ff', reason: 'gone' }), after);
});
