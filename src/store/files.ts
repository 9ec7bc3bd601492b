/**
 * The durable writes of the journal store: a journal generation opened for appending
 * (with O_DSYNC where the platform has it, so one `write` per batch is durable; the
 * batches themselves go through ./journal-writer.ts), the
 * snapshot replaced atomically (temp file, fsync, rename, fsync of the directory), and
 * removal of generations a snapshot made obsolete.
 */
import { constants as fsConstants } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, writeFileSynced } from '../fs-durable.js';
import type { Lease } from '../dhcp/lease.js';
import { LEASE_STORE_FILES, formatSnapshot, journalFileName } from './format.js';
import { JournalWriter, type JournalFileWrapper } from './journal-writer.js';
import { storeError } from './store-error.js';

/**
 * Open flags of a journal generation: append, and with O_DSYNC where it exists, so
 * that a write returns only once its data is durable (then no fdatasync is needed).
 */
const JOURNAL_DSYNC = typeof fsConstants.O_DSYNC === 'number' && fsConstants.O_DSYNC !== 0;
/** Lease files are private to the server's user (issue 11 point 3): who has which address, host names. */
export const LEASE_FILE_MODE = 0o600;

const JOURNAL_FLAGS = fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | (JOURNAL_DSYNC ? fsConstants.O_DSYNC : 0);

/**
 * Opens journal generation `generation` of `dir` for durable appends, through `wrap`
 * (a test's fault injection) when given.
 */
export async function openJournalFile(dir: string, generation: number, wrap?: JournalFileWrapper): Promise<JournalWriter> {
  const path = join(dir, journalFileName(generation));
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, JOURNAL_FLAGS, LEASE_FILE_MODE);
    // A file left by an earlier version keeps its mode on open: make it private too.
    await fh.chmod(LEASE_FILE_MODE);
    await fsyncDir(dir);
    return await JournalWriter.open(wrap ? wrap(fh, path) : fh, path, JOURNAL_DSYNC);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    throw storeError(`cannot open the lease journal ${path}`, err);
  }
}

/** temp file → fsync → rename → fsync dir: the snapshot is either old or new, never torn. */
export async function writeSnapshotFile(dir: string, leases: readonly Lease[], nextJournal: number): Promise<void> {
  const temp = join(dir, LEASE_STORE_FILES.snapshotTemp);
  const final = join(dir, LEASE_STORE_FILES.snapshot);
  try {
    await rm(temp, { force: true });
    await writeFileSynced(temp, formatSnapshot(leases, nextJournal), 'wx', LEASE_FILE_MODE);
    await rename(temp, final);
    await fsyncDir(dir);
  } catch (err) {
    throw storeError(`cannot write the lease snapshot ${final}`, err);
  }
}

/** Deletes the given journal generations of `dir`. */
export async function removeJournalFiles(dir: string, generations: readonly number[]): Promise<void> {
  if (generations.length === 0) return;
  for (const g of generations) await rm(join(dir, journalFileName(g)), { force: true });
  await fsyncDir(dir);
}
