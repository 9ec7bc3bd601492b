/** Failed renders noted for the device record: taken once per request, bounded, and worded with names only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRenderFailure, MAX_PENDING_RENDER_FAILURES, RenderFailures } from '../../../src/provision/index.js';

const FAILURE = { template: 'SEP{MAC}.cnf.xml.liquid', line: 4, variable: 'device.extension', origin: 'template SEP{MAC}.cnf.xml.liquid' };

test('a noted failure is taken once, for its peer and name only', () => {
  const notes = new RenderFailures();
  notes.note('10.0.0.5', 'SEP001BD4AABBCC.cnf.xml', FAILURE);
  assert.equal(notes.take('10.0.0.6', 'SEP001BD4AABBCC.cnf.xml'), undefined, 'another peer');
  assert.equal(notes.take('10.0.0.5', 'other.cfg'), undefined, 'another name');
  assert.deepEqual(notes.take('10.0.0.5', 'SEP001BD4AABBCC.cnf.xml'), FAILURE);
  assert.equal(notes.take('10.0.0.5', 'SEP001BD4AABBCC.cnf.xml'), undefined, 'once');
});

test('notes nobody takes are bounded, oldest dropped first', () => {
  const notes = new RenderFailures();
  for (let i = 0; i < MAX_PENDING_RENDER_FAILURES + 10; i++) notes.note(`10.0.${i >> 8}.${i & 255}`, 'a.cfg', FAILURE);
  assert.equal(notes.size, MAX_PENDING_RENDER_FAILURES);
  assert.equal(notes.take('10.0.0.0', 'a.cfg'), undefined, 'the oldest went');
  assert.ok(notes.take(`10.0.1.${(MAX_PENDING_RENDER_FAILURES + 9) & 255}`, 'a.cfg'), 'the newest stays');
});

test('formatRenderFailure names template, line and variable', () => {
  assert.equal(formatRenderFailure(FAILURE), 'template SEP{MAC}.cnf.xml.liquid line 4: missing variable device.extension');
  assert.equal(formatRenderFailure({ template: 'x.cfg.liquid', line: 0, origin: 'template x.cfg.liquid' }), 'template x.cfg.liquid: does not render (the log has the error)');
});
