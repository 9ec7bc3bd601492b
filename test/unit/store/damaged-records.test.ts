/**
 * Issue 11 point 1: one record never stops the next start. Whatever the engine can ACK
 * (any hardware address of 0–16 bytes, any htype) the store writes and reads back; a
 * record it cannot read is skipped with a warning naming file:line and counted; every
 * other lease loads; a fuzz test damages journals anywhere and checks that opening never
 * throws and keeps every record written before the damage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import Transport from 'winston-transport';
import winston from 'winston';
import { openLeaseStore } from '../../../src/store/lease-store.js';
import { formatJournalLine, journalFileName, LEASE_STORE_FILES } from '../../../src/store/format.js';
import { applyChange, leaseKey } from '../../../src/store/replay.js';
import type { Lease, LeaseChange } from '../../../src/dhcp/lease.js';
import { intToIpv4, macFromBytes, type Ipv4 } from '../../../src/net/ipv4.js';

const NOW = 1_700_000_000_000;

class MemoryTransport extends Transport {
  readonly entries: { level: string; message: string; file?: string; line?: number }[] = [];
  override log(info: { level: string; message: string; file?: string; line?: number }, next: () => void): void {
    this.entries.push({ level: info.level, message: info.message, ...(info.file !== undefined ? { file: info.file } : {}), ...(info.line !== undefined ? { line: info.line } : {}) });
    next();
  }
}

function captureLogger(): { logger: winston.Logger; transport: MemoryTransport } {
  const transport = new MemoryTransport();
  return { logger: winston.createLogger({ level: 'debug', transports: [transport] }), transport };
}

async function tempDir(): Promise<{ dir: string; done(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-damaged-'));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

function leaseWith(n: number, hw: Uint8Array, over: Partial<Lease> = {}): Lease {
  const mac = macFromBytes(hw);
  return { scope: 'bench', ip: intToIpv4(0x0a090000 + n), clientKey: `mac:${mac}`, mac, state: 'bound', startedAt: NOW, expiresAt: NOW + 3600_000, ...over };
}

test('leases keyed by any hardware address the engine can ACK are written and read back (hlen 0..16, any htype)', async (t) => {
  const { dir, done } = await tempDir();
  t.after(done);
  const cases: [string, Lease][] = [
    ['hlen 7 (the report of issue 11)', leaseWith(1, Uint8Array.of(1, 2, 3, 4, 5, 6, 7))],
    ['hlen 0 with option 61 (RFC 4390, IPoIB): no chaddr at all', leaseWith(2, new Uint8Array(0), { clientKey: 'id:ff00000001' })],
    ['hlen 1', leaseWith(3, Uint8Array.of(0xab))],
    ['hlen 16, the whole chaddr field', leaseWith(4, Uint8Array.from({ length: 16 }, (_, i) => i * 17))],
    ['hlen 6, Ethernet', leaseWith(5, Uint8Array.of(0, 0x1b, 0xd4, 0xaa, 0xbb, 0xcc))],
    ['hlen 20 of htype 32 is cut to the 16-byte chaddr by the decoder; hlen 8 of htype 6 here', leaseWith(6, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))],
  ];
  const a = await openLeaseStore({ dir, now: NOW });
  await a.append(cases.map(([, l]) => ({ kind: 'put', lease: l })));
  await a.close();
  const b = await openLeaseStore({ dir, now: NOW });
  t.after(() => b.close());
  const loaded = new Map(b.loaded.map((l) => [l.ip, l]));
  for (const [name, l] of cases) assert.deepEqual(loaded.get(l.ip), l, name);
});

test('an unreadable record anywhere is skipped with a warning naming file:line and counted; every other lease loads', async (t) => {
  const { dir, done } = await tempDir();
  t.after(done);
  const good = (n: number): string => formatJournalLine({ kind: 'put', lease: leaseWith(n, Uint8Array.of(2, 0, 0, 0, 0, n)) });
  const gen = 0;
  await writeFile(join(dir, journalFileName(gen)), `${good(1)}\n{"kind":"put","lease":{"ip":"oops"}}\n${good(2)}\nnot json at all\n${good(3)}\n`);
  const { logger, transport } = captureLogger();
  const store = await openLeaseStore({ dir, now: NOW, logger });
  t.after(() => store.close());
  assert.deepEqual(store.loaded.map((l) => l.ip).sort(), ['10.9.0.1', '10.9.0.2', '10.9.0.3']);
  assert.equal(store.stats().damagedRecordsSkipped, 2);
  assert.equal(store.stats().tornLinesSkipped, 0);
  const warnings = transport.entries.filter((e) => e.level === 'warn' && /not a lease change/.test(e.message));
  assert.deepEqual(
    warnings.map((w) => w.file),
    [`${join(dir, journalFileName(gen))}:2`, `${join(dir, journalFileName(gen))}:4`],
  );
});

test('the last line unreadable is a torn tail: a warning, not counted as damage', async (t) => {
  const { dir, done } = await tempDir();
  t.after(done);
  const good = formatJournalLine({ kind: 'put', lease: leaseWith(1, Uint8Array.of(2, 0, 0, 0, 0, 1)) });
  await writeFile(join(dir, journalFileName(0)), `${good}\n${good.slice(0, 30)}`);
  const store = await openLeaseStore({ dir, now: NOW });
  t.after(() => store.close());
  assert.equal(store.loaded.length, 1);
  assert.equal(store.stats().tornLinesSkipped, 1);
  assert.equal(store.stats().damagedRecordsSkipped, 0);
});

test('an unreadable lease inside the snapshot is skipped and counted; the other leases of the snapshot load', async (t) => {
  const { dir, done } = await tempDir();
  t.after(done);
  const snap = { format: 'benchboot-leases', version: 1, nextJournal: 1, leases: [leaseWith(1, Uint8Array.of(1)), { ip: 'oops' }, leaseWith(2, Uint8Array.of(2))] };
  await writeFile(join(dir, LEASE_STORE_FILES.snapshot), JSON.stringify(snap, null, 1));
  const { logger, transport } = captureLogger();
  const store = await openLeaseStore({ dir, now: NOW, logger });
  t.after(() => store.close());
  assert.deepEqual(store.loaded.map((l) => l.ip).sort(), ['10.9.0.1', '10.9.0.2']);
  assert.equal(store.stats().damagedRecordsSkipped, 1);
  assert.ok(transport.entries.some((e) => e.level === 'warn' && e.file?.startsWith(join(dir, LEASE_STORE_FILES.snapshot)) === true));
});

/** Hardware addresses of 0..16 bytes, as chaddr gives them. */
const hwArb = fc.uint8Array({ minLength: 0, maxLength: 16 });
const leaseArb = (n: number): fc.Arbitrary<Lease> =>
  fc.record({ hw: hwArb, host: fc.option(fc.string({ unit: 'binary', maxLength: 12 }), { nil: undefined }), state: fc.constantFrom('bound' as const, 'declined' as const) }).map(({ hw, host, state }) =>
    leaseWith(n, hw, { state, ...(host !== undefined ? { hostname: host } : {}) }),
  );
/** A valid change sequence over addresses 10.9.0.0..15: puts (new and overwriting) and deletes. */
const changesArb: fc.Arbitrary<LeaseChange[]> = fc.array(
  fc.integer({ min: 0, max: 15 }).chain((n) =>
    fc.oneof(
      { weight: 4, arbitrary: leaseArb(n).map((lease): LeaseChange => ({ kind: 'put', lease })) },
      { weight: 1, arbitrary: fc.constant<LeaseChange>({ kind: 'delete', scope: 'bench', ip: intToIpv4(0x0a090000 + n) }) },
    ),
  ),
  { minLength: 1, maxLength: 25 },
);
/**
 * Damage at a byte offset: cut there (a torn write), overwrite bytes, or insert bytes.
 * The bytes are ones no record can absorb and stay valid for another address (NUL,
 * 0xff, newline, braces, quotes), so a damaged line is either unreadable or about the
 * same address.
 */
const damageArb = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  how: fc.constantFrom('cut', 'overwrite', 'insert'),
  bytes: fc.array(fc.constantFrom(0x00, 0xff, 0x0a, 0x7b, 0x7d, 0x22, 0x2c), { minLength: 1, maxLength: 40 }),
});

function damage(text: Buffer, d: { at: number; how: string; bytes: number[] }): { data: Buffer; offset: number } {
  const offset = Math.min(text.length - 1, Math.floor(d.at * text.length));
  const junk = Buffer.from(d.bytes);
  if (d.how === 'cut') return { data: text.subarray(0, offset), offset };
  if (d.how === 'insert') return { data: Buffer.concat([text.subarray(0, offset), junk, text.subarray(offset)]), offset };
  const end = Math.min(text.length, offset + junk.length);
  return { data: Buffer.concat([text.subarray(0, offset), junk.subarray(0, end - offset), text.subarray(end)]), offset };
}

test('fuzz: random valid change sequences plus random damage anywhere; opening never throws and keeps every record before the damage', async () => {
  await fc.assert(
    fc.asyncProperty(changesArb, damageArb, async (changes, d) => {
      const { dir, done } = await tempDir();
      try {
        const lines = changes.map((c) => `${formatJournalLine(c)}\n`);
        const { data, offset } = damage(Buffer.from(lines.join(''), 'utf8'), d);
        await writeFile(join(dir, journalFileName(0)), data);
        // Lines that end before the damage are intact; later lines may be anything.
        const intact = new Map<string, Lease>();
        const touchedLater = new Set<string>();
        let end = 0;
        for (const [i, line] of lines.entries()) {
          end += Buffer.byteLength(line);
          const c = changes[i];
          if (c === undefined) continue;
          if (end <= offset) applyChange(intact, c);
          else touchedLater.add(c.kind === 'put' ? leaseKey(c.lease.scope, c.lease.ip) : leaseKey(c.scope, c.ip));
        }
        const store = await openLeaseStore({ dir, now: NOW });
        const loaded = new Map(store.loaded.map((l) => [leaseKey(l.scope, l.ip), l]));
        await store.close();
        for (let n = 0; n < 16; n++) {
          const key = leaseKey('bench', intToIpv4(0x0a090000 + n) as Ipv4);
          if (touchedLater.has(key)) continue;
          assert.deepEqual(loaded.get(key), intact.get(key), `record of ${key} written before the damage at byte ${offset}`);
        }
      } finally {
        await done();
      }
    }),
    { numRuns: 150 },
  );
});
