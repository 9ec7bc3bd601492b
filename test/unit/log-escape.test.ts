/**
 * Readable log lines never carry a device's control characters raw (issue 11 point 6):
 * a file name or host name with ESC, a C1 CSI or a bidi override is written escaped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';

test('readable log lines escape control and bidi characters in the message and in every field', async () => {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const log = createLogger({ stream });
  log.info('request refused \u001b[31m', { file: 'x\u001b]0;pwned\u0007\u009b', hostname: 'gifnoc\u202e.exe' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(!hasRawControl(out.trimEnd()), out);
  assert.match(out, /request refused \\x1b\[31m/);
  assert.match(out, /file=x\\x1b\]0;pwned\\x07\\x9b/);
  assert.match(out, /hostname=gifnoc\\u\{202e\}\.exe/);
});

/** True when `text` holds a C0/C1 control, DEL or a bidi control (checked by code, not by a regex of controls). */
function hasRawControl(text: string): boolean {
  return [...text].some((ch) => {
    const c = ch.codePointAt(0) ?? 0;
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
  });
}

test('JSON log lines escape C1 controls, DEL, separators and bidi characters too, and parse back to the same values', async () => {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const log = createLogger({ stream, json: true });
  const file = 'x\u001b]0;pwned\u0007\u009b\u007f\u2028';
  const hostname = 'gifnoc\u202e.exe\u2066';
  log.info('request refused \u0085', { file, hostname, plain: 'é ü 日本 \u{1f600}' });
  await new Promise((resolve) => setImmediate(resolve));
  const line = out.trimEnd();
  assert.ok(!hasRawControl(line), line);
  assert.match(line, /\\u009b\\u007f\\u2028/);
  assert.match(line, /gifnoc\\u202e\.exe\\u2066/);
  const parsed = JSON.parse(line) as Record<string, unknown>;
  assert.equal(parsed['file'], file);
  assert.equal(parsed['hostname'], hostname);
  assert.equal(parsed['message'], 'request refused \u0085');
  assert.equal(parsed['plain'], 'é ü 日本 \u{1f600}');
});
