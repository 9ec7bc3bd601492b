/**
 * How much a download from disk reads at a time. Each read is a trip through libuv's
 * thread pool and back before the bytes go to the socket, and one more before the next
 * read starts; at 64 KiB a 64 MiB file takes 1,024 such trips and, on a busy machine,
 * each waits for a thread to be scheduled (measured: a quarter of nginx's throughput on
 * the bench's veth, the event loop idle three quarters of the time). At 1 MiB it takes
 * 64. A download holds two reads' worth of memory (one being read, one being written),
 * so the large size is rationed: the first {@link LARGE_READ_SLOTS} downloads at once
 * read 1 MiB at a time (8 MiB in all), the others 64 KiB (128 KiB each: 500 at once
 * hold 62 MiB). With 16 slots, a storm of 500 downloads peaked about 40 MiB higher and
 * finished no sooner (the bench's HTTP storm, 2026-12-06); one large download, the case
 * the slots are for, reads 1 MiB at a time either way.
 */

/** Bytes per read of a download holding a large slot. */
export const LARGE_READ_BYTES = 1024 * 1024;

/** Bytes per read of the other downloads. */
export const SMALL_READ_BYTES = 64 * 1024;

/** Downloads at once that read {@link LARGE_READ_BYTES} at a time. */
export const LARGE_READ_SLOTS = 4;

/** The large-read slots of one server. */
export class ReadSizes {
  private largeInUse = 0;

  constructor(private readonly largeSlots = LARGE_READ_SLOTS) {}

  /** The read size for a download starting now; give it back with {@link give} when the download ends. */
  take(): number {
    if (this.largeInUse >= this.largeSlots) return SMALL_READ_BYTES;
    this.largeInUse++;
    return LARGE_READ_BYTES;
  }

  /** Returns a size {@link take} gave. */
  give(bytes: number): void {
    if (bytes === LARGE_READ_BYTES && this.largeInUse > 0) this.largeInUse--;
  }

  /** Large slots held now. */
  get large(): number {
    return this.largeInUse;
  }
}
