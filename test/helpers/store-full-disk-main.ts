/**
 * The lease store on a real full disk (issue 16 point 3), run by
 * test/integration/lease-store-full-disk.test.ts inside its own mount namespace with a
 * small tmpfs at DIR:
 *
 *   node dist/test/helpers/store-full-disk-main.js DIR
 *
 * Appends a few leases, fills the filesystem with a filler file, appends a batch larger
 * than the journal's last page can still take (the kernel writes part of it, then says
 * ENOSPC), frees the filler, appends again, reopens the store and prints one JSON line
 * with what happened. The journal file is only observed (real write results), never faked.
 */
import { open, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lease } from '../../src/dhcp/lease.js';
import { errorMessage } from '../../src/errors.js';
import type { Ipv4, MacAddress } from '../../src/net/ipv4.js';
import type { JournalFile } from '../../src/store/journal-writer.js';
import { openLeaseStore } from '../../src/store/lease-store.js';

const NOW = Date.now();

function lease(n: number): Lease {
  const hex = n.toString(16).padStart(2, '0');
  return { scope: 'bench', ip: `10.9.${n >> 8}.${n & 255}` as Ipv4, clientKey: `mac:02:00:00:00:01:${hex}`, mac: `02:00:00:00:01:${hex}` as MacAddress, hostname: 'x'.repeat(60), state: 'bound', startedAt: NOW, expiresAt: NOW + 3600_000 };
}

/** Writes `path` until the filesystem is full. */
async function fill(path: string): Promise<number> {
  const fh = await open(path, 'w');
  let total = 0;
  try {
    for (const size of [65536, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x55);
      for (;;) {
        try {
          const r = await fh.write(chunk);
          total += r.bytesWritten;
          if (r.bytesWritten < size) break;
        } catch {
          break;
        }
      }
    }
  } finally {
    await fh.close();
  }
  return total;
}

async function main(dir: string): Promise<void> {
  const writes = { short: 0, failed: [] as string[] };
  const observe = (file: JournalFile): JournalFile => ({
    write: async (buffer, offset, length) => {
      try {
        const r = await file.write(buffer, offset, length);
        if (r.bytesWritten < length) writes.short++;
        return r;
      } catch (err) {
        writes.failed.push((err as NodeJS.ErrnoException).code ?? errorMessage(err));
        throw err;
      }
    },
    truncate: (n) => file.truncate(n),
    datasync: () => file.datasync(),
    stat: () => file.stat(),
    close: () => file.close(),
  });
  const store = await openLeaseStore({ dir, now: NOW, wrapJournalFile: observe });
  const acked: string[] = [];
  const append = async (from: number, count: number): Promise<string | undefined> => {
    const batch = Array.from({ length: count }, (_, i) => lease(from + i));
    try {
      await store.append(batch.map((l) => ({ kind: 'put' as const, lease: l })));
    } catch (err) {
      return errorMessage(err);
    }
    acked.push(...batch.map((l) => l.ip));
    return undefined;
  };
  const before = await append(1, 5);
  const filled = await fill(join(dir, 'filler'));
  const whileFull = await append(100, 40);
  const journalName = (await readdir(dir)).find((n) => n.startsWith('journal.')) ?? '';
  const journalAfterFailure = await readFile(join(dir, journalName), 'utf8');
  await rm(join(dir, 'filler'));
  const after = await append(200, 3);
  await store.close();
  const reopened = await openLeaseStore({ dir, now: NOW });
  const stats = reopened.stats();
  const loaded = reopened.loaded.filter((l) => l.state === 'bound').map((l) => l.ip);
  await reopened.close();
  const result = {
    before: before ?? 'ok',
    filled,
    whileFull: whileFull ?? 'ok',
    after: after ?? 'ok',
    writes,
    journalEndsWithNewline: journalAfterFailure.endsWith('\n'),
    journalLines: journalAfterFailure.trimEnd().split('\n').length,
    acked: acked.sort(),
    loaded: loaded.sort(),
    damaged: stats.damagedRecordsSkipped,
    torn: stats.tornLinesSkipped,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main(process.argv[2] ?? '.');
