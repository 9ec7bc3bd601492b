/**
 * Property test of the device journal: random event sequences, then random damage
 * anywhere in the journal (bytes overwritten, cut, or inserted). Opening never
 * throws, and every device's timeline replayed from the lines before the damage is a
 * prefix of what loads (retention is switched off so that nothing is dropped).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FakeClock } from '../../../src/clock.js';
import { DeviceBook } from '../../../src/devices/book.js';
import { FILE_RESULTS, type DeviceEvent } from '../../../src/devices/event.js';
import { openJsonlDeviceStore } from '../../../src/devices/jsonl-store.js';
import { parseEntry } from '../../../src/devices/journal-entry.js';
import { deviceJournalName } from '../../../src/devices/journal-read.js';
import { journalChanges, restoreBook } from '../../../src/devices/persist.js';
import { createSilentLogger } from '../../../src/log.js';
import { ack, at, dhcp, file } from './fixtures.js';

const NO_RETENTION = { maxEventsPerDevice: 1e9, maxAgeMs: Number.MAX_SAFE_INTEGER, maxDevices: 1e9 };
const MACS = ['001bd4aabbcc', '020000000001', '020000000002'];

const eventArb: fc.Arbitrary<DeviceEvent> = fc.oneof(
  fc.nat(1000).map((s) => dhcp('discover', at(s))),
  fc.nat(1000).map((s) => ack(at(s))),
  fc.tuple(fc.nat(1000), fc.string({ maxLength: 12 }), fc.constantFrom(...FILE_RESULTS)).map(([s, name, r]) => file(name, at(s), r)),
  fc.tuple(fc.nat(1000), fc.string({ maxLength: 30 })).map(([s, text]): DeviceEvent => ({ kind: 'syslog', atMs: at(s), facility: 16, severity: 6, text })),
);
const stepArb = fc.tuple(fc.constantFrom(...MACS), eventArb);
const damageArb = fc.record({
  mode: fc.constantFrom('overwrite', 'cut', 'insert'),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
});

function damage(original: Buffer, d: { mode: string; at: number; bytes: Uint8Array }): { damaged: Buffer; offset: number } {
  const offset = Math.floor(d.at * original.length);
  const bytes = Buffer.from(d.bytes);
  if (d.mode === 'cut') return { damaged: original.subarray(0, offset), offset };
  if (d.mode === 'insert') return { damaged: Buffer.concat([original.subarray(0, offset), bytes, original.subarray(offset)]), offset };
  const out = Buffer.from(original);
  bytes.copy(out, offset, 0, Math.min(bytes.length, out.length - offset));
  return { damaged: out, offset };
}

function timelines(book: DeviceBook): Map<string, readonly DeviceEvent[]> {
  return new Map(book.list().map((r) => [r.mac, r.timeline]));
}

test('store fuzz: random damage anywhere never throws and keeps every device timeline before it', async () => {
  const logger = createSilentLogger();
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), damageArb, async (steps, d) => {
      const dir = await mkdtemp(join(tmpdir(), 'bb-devices-fuzz-'));
      try {
        const clock = new FakeClock(at(0));
        const store = await openJsonlDeviceStore({ dir, clock, logger, flushAfterEntries: 7 });
        const book = new DeviceBook({ retention: NO_RETENTION });
        await restoreBook(book, store, clock.now());
        journalChanges(book, store);
        for (const [mac, event] of steps) book.apply({ mac, event });
        await store.close();

        const path = join(dir, deviceJournalName(0));
        const original = await readFile(path);
        const { damaged, offset } = damage(original, d);
        await writeFile(path, damaged);
        const intactLines = original.subarray(0, offset).toString('utf8').split('\n').slice(0, -1);
        const before = new DeviceBook({ retention: NO_RETENTION });
        for (const line of intactLines) {
          const entry = parseEntry(line);
          assert.ok(entry && entry.t === 'obs', `an intact line parses: ${line}`);
          before.apply(entry.o);
        }

        const reopened = await openJsonlDeviceStore({ dir, clock, logger });
        const loaded = new DeviceBook({ retention: NO_RETENTION });
        await restoreBook(loaded, reopened, clock.now());
        await reopened.close();
        const got = timelines(loaded);
        for (const [mac, expected] of timelines(before)) {
          assert.deepEqual(got.get(mac)?.slice(0, expected.length), expected, mac);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 150 },
  );
});
