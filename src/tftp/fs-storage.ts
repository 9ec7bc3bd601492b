/**
 * TFTP storage on the local file system: the I/O side of the path decision in
 * resolve-path.ts. A request is remapped (remap.ts), planned (root, alternates,
 * default files), and each planned place is looked up; what is found must, after
 * realpath, still be inside the location it was found in (a symlink may not leave
 * the root) and must be a regular file. Uploads go to the inbox in uploads.ts.
 *
 * Reads stream from disk with positional reads; one file descriptor is shared by all
 * transfers of the same file version (refcounted), so 500 phones pulling one 100 MB
 * image hold one descriptor and no more memory than their in-flight blocks. Small
 * files (<= 1 MiB by default) come from a bounded LRU cache keyed by real path,
 * inode, size and mtime, so a config storm reads each file once.
 *
 * Example:
 *
 *     const storage = await createFsStorage({
 *       root: '/srv/tftp',
 *       alternates: ['/srv/tftp-cluster2'],
 *       defaults: [{ pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' }],
 *       caseInsensitive: true,
 *       remap: await loadRemapFile('/etc/benchboot/tftp.map'),
 *       uploads: { dir: '/srv/backups' }, // never inside the root or an alternate
 *     });
 */
import { constants as fsConstants } from 'node:fs';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import { systemClock, type Clock } from '../clock.js';
import { TftpError } from './tftp-error.js';
import { TFTP_ERROR } from './error-codes.js';
import { createFileCache, type FileCacheOptions, type FileCacheStats } from './file-cache.js';
import { lookup, lookupFailure } from './fs-lookup.js';
import { ReadSources } from './fs-sources.js';
import { parseRemapRules, remapRequest, type RemapRule } from './remap.js';
import {
  compileDefaultRules,
  displayName,
  isInside,
  MAX_ALTERNATES,
  planRead,
  planUpload,
  refusalResult,
  type DefaultRule,
  type ReadPlanConfig,
} from './resolve-path.js';
import type { OpenResult, ReadSource, RequestContext, TftpStorage, UploadTarget } from './storage.js';
import { MIN_MAX_UPLOAD_VERSIONS } from './upload-prune.js';
import { createUploadInbox, isUploadFileMode, type InboxRoom, type UploadInbox, type UploadOptions } from './uploads.js';

/** Options of the file-system storage. */
export interface FsStorageOptions {
  /** The TFTP root (must exist and be a readable directory). */
  readonly root: string;
  /** Up to ten alternate locations searched after the root, in order. */
  readonly alternates?: readonly string[];
  /** Default files for names that are found nowhere (first matching glob wins). */
  readonly defaults?: readonly DefaultRule[];
  /** Match names ignoring case (for firmware that changes the case of file names). */
  readonly caseInsensitive?: boolean;
  /** Remap rules applied to each request before the path rules (see remap.ts). */
  readonly remap?: readonly RemapRule[];
  /** Accept uploads (WRQ) into this inbox; absent means uploads are refused. */
  readonly uploads?: UploadOptions;
  /** Small-file cache limits, or false for no cache. */
  readonly cache?: FileCacheOptions | false;
  /** Dates kept upload versions (default: the system clock). */
  readonly clock?: Clock;
}

/** Counters for tests and the status view. */
export interface FsStorageStats {
  readonly cache: FileCacheStats | undefined;
  /** File descriptors held for reads (one per open file version). */
  readonly openFiles: number;
  /** Read sources handed out and not closed yet. */
  readonly activeReads: number;
  /** Uploads in progress. */
  readonly activeUploads: number;
  /** Upload temp files removed at start. */
  readonly cleanedTempFiles: number;
  /** How full the upload inbox is, and its bounds, when uploads are on. */
  readonly uploadRoom: InboxRoom | undefined;
}

/** The file-system storage. */
export interface FsStorage extends TftpStorage {
  /** Real paths of root and alternates, in search order (for the operator, never for clients). */
  readonly locations: readonly string[];
  /** Real path of the upload directory, when uploads are on. */
  readonly uploadDir: string | undefined;
  stats(): FsStorageStats;
  /** Closes the upload directory held open since start (after the servers stopped). */
  release(): void;
}

/** Reads and parses a map file; errors (TftpError) name the file and line (kind `config`). */
export async function loadRemapFile(path: string): Promise<RemapRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TftpError('config', `cannot read the TFTP map file ${path}`, { cause: err });
  }
  return parseRemapRules(text, path);
}

/** Resolves a configured directory to its real path, checking it is a readable directory. */
async function realDirectory(path: string, what: string, mode: number): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
    const s = await stat(real);
    if (!s.isDirectory()) throw new TftpError('root', `${what} ${path} is not a directory`);
    await access(real, mode);
  } catch (err) {
    if (err instanceof TftpError) throw err;
    throw new TftpError('root', `${what} ${path} is missing or not usable`, { cause: err });
  }
  return real;
}

/**
 * Creates the file-system storage. Throws TftpError of kind `root` when the root,
 * an alternate or the upload directory is missing or unusable, and of kind `config`
 * for bad options (more than ten alternates, a bad default rule).
 */
export async function createFsStorage(options: FsStorageOptions): Promise<FsStorage> {
  const alternates = options.alternates ?? [];
  if (alternates.length > MAX_ALTERNATES) {
    throw new TftpError('config', `at most ${MAX_ALTERNATES} alternate TFTP locations are searched; ${alternates.length} were given`);
  }
  const caseInsensitive = options.caseInsensitive ?? false;
  const compiled = compileDefaultRules(options.defaults ?? [], caseInsensitive);
  if (compiled.kind === 'invalid') throw new TftpError('config', compiled.message);
  const readMode = fsConstants.R_OK | fsConstants.X_OK;
  const locations = [await realDirectory(options.root, 'TFTP root', readMode)];
  for (const [i, alt] of alternates.entries()) locations.push(await realDirectory(alt, `alternate TFTP location ${i + 1}`, readMode));
  const inbox = options.uploads ? await openInbox(options.uploads, options.clock ?? systemClock, [options.root, ...alternates], locations) : undefined;
  const plan: ReadPlanConfig = { alternateCount: alternates.length, defaults: compiled.rules, caseInsensitive };
  const sources = new ReadSources(options.cache === false ? undefined : createFileCache(options.cache));
  return new FileSystemStorage(locations, plan, options.remap ?? [], sources, inbox);
}

/**
 * The upload inbox in its checked directory. It may not be a served location or lie
 * inside one (compared by real path, so a symlink does not hide it): every device on
 * the bench could then download every backup.
 */
async function openInbox(uploads: UploadOptions, clock: Clock, configured: readonly string[], locations: readonly string[]): Promise<UploadInbox> {
  const dir = await realDirectory(uploads.dir, 'upload directory', fsConstants.W_OK | fsConstants.X_OK);
  checkUploadBounds(uploads);
  const served = locations.findIndex((location) => isInside(location, dir));
  if (served >= 0) {
    const what = served === 0 ? 'the TFTP root' : `alternate TFTP location ${served}`;
    throw new TftpError('config', `upload directory ${uploads.dir} is inside ${what} ${configured[served] ?? ''}: every device could download the uploads; choose a directory outside it`);
  }
  return createUploadInbox(dir, uploads, clock);
}

/** Checks the inbox's numbers (sizes, mode, versions); throws a `config` TftpError. */
function checkUploadBounds(uploads: UploadOptions): void {
  const { maxBytes, quotaBytes, minFreeBytes, maxVersions } = uploads;
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)) {
    throw new TftpError('config', `upload size limit must be a positive whole number of bytes, not ${maxBytes}`);
  }
  if (quotaBytes !== undefined && (!Number.isSafeInteger(quotaBytes) || quotaBytes <= 0)) {
    throw new TftpError('config', `upload quota must be a positive whole number of bytes, not ${quotaBytes}`);
  }
  if (minFreeBytes !== undefined && (!Number.isSafeInteger(minFreeBytes) || minFreeBytes < 0)) {
    throw new TftpError('config', `free-space floor must be a whole number of bytes, not ${minFreeBytes}`);
  }
  if (maxVersions !== undefined && maxVersions !== 'all') {
    if (!Number.isSafeInteger(maxVersions) || maxVersions < MIN_MAX_UPLOAD_VERSIONS) {
      throw new TftpError('config', `versions kept per upload name must be ${MIN_MAX_UPLOAD_VERSIONS} or more (the first and the newest), or all, not ${maxVersions}`);
    }
    if (uploads.overwrite === true) throw new TftpError('config', 'a cap on kept versions does not apply when uploads overwrite: there is one version');
  }
  if (uploads.fileMode !== undefined && !isUploadFileMode(uploads.fileMode)) {
    throw new TftpError('config', `upload file mode must be octal 0 to 0777, not ${uploads.fileMode.toString(8)}`);
  }
}

/** The storage over checked locations: remap, plan, look up, open. */
class FileSystemStorage implements FsStorage {
  readonly uploadDir: string | undefined;

  constructor(
    readonly locations: readonly string[],
    private readonly plan: ReadPlanConfig,
    private readonly remap: readonly RemapRule[],
    private readonly sources: ReadSources,
    private readonly inbox: UploadInbox | undefined,
  ) {
    this.uploadDir = inbox?.dir;
  }

  async openRead(requested: string, ctx: RequestContext): Promise<OpenResult<ReadSource>> {
    const display = displayName(requested);
    const mapped = remapRequest(this.remap, requested, { op: 'read', clientIp: ctx.peer.address });
    if (mapped.kind === 'refused') {
      return refusalResult(mapped.reason, requested);
    }
    const decided = planRead(mapped.name, this.plan, requested);
    if (decided.kind === 'refused') return refusalResult(decided.reason, requested);
    for (const attempt of decided.attempts) {
      const base = this.locations[attempt.location];
      if (base === undefined) continue;
      const found = await lookup(base, attempt.segments, this.plan.caseInsensitive);
      if (found.kind === 'missing') continue;
      if (found.kind === 'escape') return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: ${display} leaves the TFTP root` };
      if (found.kind === 'denied') return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: ${display} cannot be read` };
      try {
        return { kind: 'ok', value: await this.sources.open(found, display, attempt.origin) };
      } catch (err) {
        // Replaced or removed between lookup and open: look at the next place, as if it were not there.
        if (lookupFailure(err).kind === 'denied') {
          return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: ${display} cannot be read` };
        }
      }
    }
    return { kind: 'error', code: TFTP_ERROR.fileNotFound, message: `File not found: ${display}` };
  }

  async openWrite(requested: string, ctx: RequestContext): Promise<OpenResult<UploadTarget>> {
    const display = displayName(requested);
    if (!this.inbox) return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: uploads are not accepted (${display})` };
    const mapped = remapRequest(this.remap, requested, { op: 'write', clientIp: ctx.peer.address });
    if (mapped.kind === 'refused') {
      return refusalResult(mapped.reason, requested);
    }
    const decided = planUpload(mapped.name, requested);
    if (decided.kind === 'refused') return refusalResult(decided.reason, requested);
    return this.inbox.open(decided.fileName, display, ctx.tsize);
  }

  stats(): FsStorageStats {
    return {
      cache: this.sources.cache?.stats(),
      openFiles: this.sources.openFiles(),
      activeReads: this.sources.active,
      activeUploads: this.inbox?.inProgress() ?? 0,
      cleanedTempFiles: this.inbox?.cleanedTempFiles ?? 0,
      uploadRoom: this.inbox?.room(),
    };
  }

  release(): void {
    this.inbox?.release();
  }
}
