/**
 * The terminal side of the live view: the first frame at once, redraws throttled
 * to one per REDRAW_INTERVAL_MS however many events arrive, the last frame on stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { FakeClock } from '../../../src/clock.js';
import { createLiveView, REDRAW_INTERVAL_MS } from '../../../src/ui/live-view.js';

class Screen extends Writable {
  frames: string[] = [];
  columns = 120;
  rows = 40;
  isTTY = true;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.frames.push(chunk.toString());
    done();
  }
}

test('many events make one redraw per interval, and stop draws the final state', () => {
  const screen = new Screen();
  const clock = new FakeClock();
  const view = createLiveView({ stream: screen, serving: ['eth1 10.10.0.0/24 (lab)'], clock });
  assert.equal(screen.frames.length, 1);
  assert.match(screen.frames[0] ?? '', /\(no device yet\)/);
  view.update({ kind: 'lease', at: 0, scope: 'lab', mac: '00:1b:d4:00:00:01', ip: '10.10.0.20', state: 'offered' });
  view.update({ kind: 'transfer-started', at: 0, id: 't', peer: '10.10.0.20', file: 'fw.bin', direction: 'read', size: 1000 });
  for (let i = 1; i <= 100; i++) view.update({ kind: 'transfer-progress', at: i, id: 't', bytes: i * 5 });
  assert.equal(screen.frames.length, 1, 'no redraw before the interval');
  clock.advance(REDRAW_INTERVAL_MS);
  assert.equal(screen.frames.length, 2);
  assert.match(screen.frames[1] ?? '', /fw\.bin .* 50% /);
  view.update({ kind: 'lease', at: 200, scope: 'lab', mac: '00:1b:d4:00:00:01', ip: '10.10.0.20', state: 'bound' });
  view.update({ kind: 'transfer-finished', at: 201, id: 't', bytes: 1000 });
  view.stop();
  assert.match(screen.frames.join(''), /00:1b:d4:00:00:01 .*10\.10\.0\.20 +bound +- +fw\.bin/);
  assert.match(screen.frames.at(-1) ?? '', /transfers 1 done, 0 running/);
  const after = screen.frames.length;
  clock.advance(REDRAW_INTERVAL_MS * 4);
  view.update({ kind: 'tftp-busy', at: 300, peer: 'x', file: 'y' });
  clock.advance(REDRAW_INTERVAL_MS * 4);
  assert.equal(screen.frames.length, after, 'nothing is drawn after stop');
  assert.equal(view.state().totals.busyRefusals, 1);
});
