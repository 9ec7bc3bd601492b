/**
 * Reading a device directory without a server (`benchboot report --leases DIR` when
 * none runs): the snapshot and journal are loaded into a fresh book, read-only (no
 * journal generation is opened, nothing is written), so it never disturbs a server
 * that is starting on the same directory.
 */
import type { Logger } from '../log.js';
import { DeviceBook, type DeviceBookOptions } from './book.js';
import { readDeviceDir, type LoadedDevices } from './journal-read.js';
import type { JournalEntry } from './journal-entry.js';
import { restoreBook } from './persist.js';
import type { DeviceRecord } from './record.js';
import type { DeviceStore, DeviceStoreStats } from './store.js';

/** A store that only loads: every write is refused by doing nothing (the book is never journaled). */
class ReadOnlyDeviceStore implements DeviceStore {
  private loaded: LoadedDevices | undefined;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<LoadedDevices> {
    this.loaded = await readDeviceDir(this.dir, this.logger);
    return this.loaded;
  }
  append(_entry: JournalEntry): void {
    return undefined;
  }
  reset(_mac: string, _atMs: number): void {
    return undefined;
  }
  compact(_records: Iterable<Readonly<DeviceRecord>>): Promise<void> {
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  stats(): DeviceStoreStats {
    return { appended: 0, written: 0, lost: 0, batches: 0, compactions: 0, damagedLines: this.loaded?.damagedLines ?? 0, tornLines: this.loaded?.tornLines ?? 0 };
  }
}

/** The book a device directory holds at `nowMs`, read without writing anything. */
export async function readDeviceBook(dir: string, logger: Logger, nowMs: number, options: DeviceBookOptions = {}): Promise<DeviceBook> {
  const book = new DeviceBook(options);
  await restoreBook(book, new ReadOnlyDeviceStore(dir, logger), nowMs);
  return book;
}
