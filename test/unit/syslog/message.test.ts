/**
 * Syslog datagrams as devices send them (RFC 3164 from phones and switches, RFC 5424
 * from newer firmware) and the framing mistakes they make, as named table cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TEXT_BYTES, parseSyslog } from '../../../src/syslog/message.js';

const CASES: readonly [name: string, datagram: string | Uint8Array, facility: number | undefined, severity?: number, text?: string][] = [
  ['RFC 3164 from a phone', '<134>Dec  5 03:00:01 SEP001BD4AABBCC cfg: resync failed', 16, 6, 'Dec  5 03:00:01 SEP001BD4AABBCC cfg: resync failed'],
  ['RFC 5424', '<165>1 2026-12-05T03:00:00Z sw1 ztp - - - fetched startup-config', 20, 5, '1 2026-12-05T03:00:00Z sw1 ztp - - - fetched startup-config'],
  ['priority 0 (kern.emerg)', '<0>panic', 0, 0, 'panic'],
  ['the largest priority, local7.debug', '<191>x', 23, 7, 'x'],
  ['trailing line end and NUL dropped', '<13>hello\r\n\u0000', 1, 5, 'hello'],
  ['no priority: kept whole as user.notice (RFC 3164 §4.3.3)', 'provisioning: bad file', 1, 5, 'provisioning: bad file'],
  ['priority out of range: kept whole', '<192>x', 1, 5, '<192>x'],
  ['leading zero: kept whole', '<013>x', 1, 5, '<013>x'],
  ['four digits: kept whole', '<1234>x', 1, 5, '<1234>x'],
  ['unterminated priority: kept whole', '<13 hello', 1, 5, '<13 hello'],
  ['empty priority: kept whole', '<>hello', 1, 5, '<>hello'],
  ['invalid UTF-8 is replaced, not refused', Uint8Array.from([0x3c, 0x31, 0x33, 0x3e, 0x61, 0xff, 0x62]), 1, 5, 'a\ufffdb'],
  ['an empty datagram has no text', '', undefined],
  ['only a priority has no text', '<13>', undefined],
  ['only white space has no text', '<13>  \r\n', undefined],
];

for (const [name, datagram, facility, severity, text] of CASES) {
  test(`syslog: ${name}`, () => {
    const m = parseSyslog(typeof datagram === 'string' ? Buffer.from(datagram, 'latin1') : datagram);
    if (facility === undefined) {
      assert.equal(m, undefined);
      return;
    }
    assert.deepEqual(m, { facility, severity, text });
  });
}

test('syslog: a datagram of 64 KiB keeps at most MAX_TEXT_BYTES of text', () => {
  const m = parseSyslog(Buffer.from(`<14>${'a'.repeat(65_000)}`));
  assert.equal(m?.text.length, MAX_TEXT_BYTES);
});
