/**
 * The TFTP storage seam: how the TFTP server asks for a file to send or a place to
 * put an upload, without knowing about roots, alternate locations, remaps or the
 * upload inbox. `createFsStorage` (src/tftp/fs-storage.ts) is the real one; tests
 * may use `createMemoryStorage` (src/tftp/memory-storage.ts).
 */
import type { UdpPeer } from '../net/udp.js';
import type { TftpErrorCode } from './error-codes.js';

/** Where a read source lives on disk: its real path and the identity it had when found. */
export interface LocalFile {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

/** A file opened for sending; read in blocks, never whole. */
export interface ReadSource {
  /** Size in bytes (for tsize, RFC 2349). */
  readonly size: number;
  /** The name the client asked for, safe to log and to show (never the server path). */
  readonly displayName: string;
  /** Where it was found, for logs only (e.g. `root`, `alternate 2`, `default for SEP*.cnf.xml`). */
  readonly origin: string;
  /**
   * The file on disk this source reads (real path and identity), for senders that
   * stream by path (HTTP ranges); absent for a render held in memory. Never shown to clients.
   */
  readonly localFile?: LocalFile;
  /** Reads up to `length` bytes at `offset`; fewer only at end of file. */
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** An old version that should have been pruned but could not be removed, and why (an errno code, or the message). */
export interface PruneFailure {
  readonly name: string;
  readonly error: string;
}

/** What a commit did: the name saved as and, with a cap on versions, the old versions removed for it. */
export interface CommitResult {
  readonly savedAs: string;
  /** Versions of the same name removed to keep the cap, oldest first. */
  readonly pruned?: readonly string[];
  /** Versions that should have gone but could not be removed. */
  readonly pruneFailed?: readonly PruneFailure[];
}

/** An upload in progress: written to a temporary file, visible only after commit. */
export interface UploadTarget {
  write(offset: number, data: Uint8Array): Promise<void>;
  /** fsyncs, renames into place; returns the name it was saved as (inside the upload dir). */
  commit(): Promise<CommitResult>;
  /** Removes the partial file. Safe to call more than once. */
  abort(): Promise<void>;
}

/** The outcome of opening: a value, or an RFC 1350 error to send (message names only the requested file). */
export type OpenResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | {
      readonly kind: 'error';
      readonly code: TftpErrorCode;
      readonly message: string;
      /** The name the client sent broke a name rule (control or bidi character, `..`, too long...): counted as a bad name. */
      readonly isBadName?: boolean;
      /** Error 3 because the inbox or the disk has no room (quota, free-space floor), not because this file is too large. */
      readonly isNoRoom?: boolean;
    };

/** Context of a request, for per-client decisions and logs. */
export interface RequestContext {
  readonly peer: UdpPeer;
  /** tsize the client announced on WRQ (RFC 2349), if any. */
  readonly tsize?: number;
}

/** What the TFTP server needs from storage. */
export interface TftpStorage {
  openRead(requested: string, ctx: RequestContext): Promise<OpenResult<ReadSource>>;
  openWrite(requested: string, ctx: RequestContext): Promise<OpenResult<UploadTarget>>;
}
