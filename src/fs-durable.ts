/**
 * The two durability steps of a crash-safe file write, shared by the scope files
 * (config/write.ts), the lease snapshot (dhcp/lease-store.ts) and the upload inbox
 * (tftp/uploads.ts): write-and-fsync a file, then fsync its directory after a rename,
 * link or unlink so the directory entry survives a crash too. Node's errors pass
 * through unchanged; callers wrap them in their own BenchbootError.
 */
import { open } from 'node:fs/promises';

/**
 * Writes `text` to `path`, opened with `flags` (`'wx'` refuses an existing file,
 * `'w'` truncates one), and fsyncs it before closing: once this resolves, the bytes
 * are on disk.
 */
export async function writeFileSynced(path: string, text: string, flags: 'w' | 'wx', mode = 0o666): Promise<void> {
  const handle = await open(path, flags, mode);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Fsyncs a directory so that a rename, link or unlink in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
