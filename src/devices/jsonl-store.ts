/**
 * The embedded device store: an append-only JSON-lines journal plus a snapshot in
 * one directory (layout in journal-read.ts). Unlike the lease journal, nothing
 * waits for it: `append` queues in memory, a batch is written when `flushAfterEntries`
 * are queued or `flushIntervalMs` after the first queued entry (Clock seam), and
 * each batch is fdatasync'ed in the background write chain. So a `kill -9` loses at
 * most the last `flushIntervalMs` (default 1 s) of timeline — acceptable for history,
 * never for leases. Compaction rotates the journal first (entries queued before the
 * call go to generation N, later ones to N+1), writes the snapshot to a temp file,
 * fsyncs, renames, fsyncs the directory, then removes generations ≤ N: a crash at any
 * step leaves a loadable directory.
 *
 * There is no lock file: keep the directory inside the server's state directory,
 * whose lease-store lock already keeps a second server out.
 */
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../clock.js';
import { fsyncDir, writeFileSynced } from '../fs-durable.js';
import type { Logger } from '../log.js';
import { formatLine, type JournalEntry, type SnapshotHeader } from './journal-entry.js';
import { DEVICE_STORE_FILES, deviceJournalName, journalGenerations, readDeviceDir, type LoadedDevices } from './journal-read.js';
import type { DeviceRecord } from './record.js';
import type { DeviceStore, DeviceStoreStats } from './store.js';

/** Options of {@link openJsonlDeviceStore}. */
export interface JsonlDeviceStoreOptions {
  /** The directory; created when missing. */
  readonly dir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Longest time an entry waits in memory. Default 1000 ms: the most a kill -9 loses. */
  readonly flushIntervalMs?: number;
  /** Write as soon as this many entries are queued. Default 256 (one write per DORA storm burst). */
  readonly flushAfterEntries?: number;
}

/** Opens (creating when missing) a device directory; call `load()` next. */
export async function openJsonlDeviceStore(options: JsonlDeviceStoreOptions): Promise<DeviceStore> {
  await mkdir(options.dir, { recursive: true });
  return new JsonlDeviceStore(options);
}

/** The JSON-lines store behind {@link openJsonlDeviceStore}. */
class JsonlDeviceStore implements DeviceStore {
  private readonly flushIntervalMs: number;
  private readonly flushAfterEntries: number;
  private pending: string[] = [];
  private timer: TimerHandle | undefined;
  private chain: Promise<void> = Promise.resolve();
  private journal: FileHandle | undefined;
  private generation = -1;
  private closed = false;
  private counters = { appended: 0, written: 0, lost: 0, batches: 0, compactions: 0, damagedLines: 0, tornLines: 0 };

  constructor(private readonly options: JsonlDeviceStoreOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.flushAfterEntries = options.flushAfterEntries ?? 256;
  }

  async load(): Promise<LoadedDevices> {
    const loaded = await readDeviceDir(this.options.dir, this.options.logger);
    this.counters.damagedLines = loaded.damagedLines;
    this.counters.tornLines = loaded.tornLines;
    this.generation = loaded.maxGeneration + 1;
    // A new generation per run: a torn tail of the last run stays the last line of its own file.
    this.enqueue(() => this.openGeneration(this.generation));
    await this.chain;
    return loaded;
  }

  append(entry: JournalEntry): void {
    this.counters.appended++;
    if (this.closed) {
      this.counters.lost++;
      return;
    }
    this.pending.push(formatLine(entry));
    if (this.pending.length >= this.flushAfterEntries) this.startFlush();
    else this.timer ??= this.options.clock.setTimer(this.flushIntervalMs, () => this.startFlush());
  }

  reset(mac: string, atMs: number): void {
    this.append({ t: 'reset', mac, atMs });
  }

  flush(): Promise<void> {
    this.startFlush();
    return this.chain;
  }

  compact(records: Iterable<Readonly<DeviceRecord>>): Promise<void> {
    const upTo = this.generation;
    const header: SnapshotHeader = { format: 'benchboot-devices', version: 1, nextJournal: upTo + 1 };
    // Serialised now, so the snapshot holds exactly the entries appended before this call.
    const lines = [formatLine(header), ...[...records].map((r) => formatLine(r))];
    this.startFlush();
    this.generation = upTo + 1;
    this.enqueue(() => this.openGeneration(upTo + 1));
    this.enqueue(() => this.writeSnapshot(lines, upTo));
    return this.chain;
  }

  async close(): Promise<void> {
    if (this.closed) return this.chain;
    await this.flush();
    this.closed = true;
    this.enqueue(async () => {
      await this.journal?.close();
      this.journal = undefined;
    });
    return this.chain;
  }

  stats(): DeviceStoreStats {
    return { ...this.counters };
  }

  /** Moves the queued lines into one write at the end of the chain. */
  private startFlush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.enqueue(() => this.writeBatch(lines));
  }

  /** Runs `task` after every earlier task; a failure is logged and counted, never thrown at the caller. */
  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      this.options.logger.error('device store: a write failed; the timeline misses those entries', {
        code: 'BB_DEVICE_STORE',
        dir: this.options.dir,
        err: err instanceof Error ? err.message : String(err),
      });
    });
  }

  private async writeBatch(lines: readonly string[]): Promise<void> {
    const fh = this.journal;
    if (!fh) {
      this.counters.lost += lines.length;
      throw new Error('the device journal is not open (load() was not called)');
    }
    try {
      // appendFile loops until every byte is written (a single write may be short).
      await fh.appendFile(`${lines.join('\n')}\n`, 'utf8');
      await fh.datasync();
    } catch (err) {
      this.counters.lost += lines.length;
      throw err;
    }
    this.counters.written += lines.length;
    this.counters.batches++;
  }

  private async openGeneration(generation: number): Promise<void> {
    const fh = await open(join(this.options.dir, deviceJournalName(generation)), 'a');
    await fsyncDir(this.options.dir);
    const old = this.journal;
    this.journal = fh;
    await old?.close();
  }

  /** temp → fsync → rename → fsync dir → remove generations ≤ upTo. */
  private async writeSnapshot(lines: readonly string[], upTo: number): Promise<void> {
    const dir = this.options.dir;
    const temp = join(dir, DEVICE_STORE_FILES.snapshotTemp);
    await writeFileSynced(temp, `${lines.join('\n')}\n`, 'w');
    await rename(temp, join(dir, DEVICE_STORE_FILES.snapshot));
    await fsyncDir(dir);
    for (const g of await journalGenerations(dir)) if (g <= upTo) await rm(join(dir, deviceJournalName(g)), { force: true });
    await fsyncDir(dir);
    this.counters.compactions++;
  }
}
