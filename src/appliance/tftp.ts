/**
 * The appliance's TFTP wiring: the file-system storage (root, alternates, default
 * files, remaps, uploads), the TFTP server on the served interfaces' addresses,
 * and the translation of its transfer events into appliance events. What the
 * appliance knows about the TFTP package's API is in this file, and in tftp-files.ts
 * (the checks of the TFTP root and remap file that serve runs before it starts).
 */
import { constants as fsConstants } from 'node:fs';
import type { Clock } from '../clock.js';
import type { Scope } from '../config/scope.js';
import { servedInterfaces } from '../dhcp/server.js';
import { BenchbootError } from '../errors.js';
import { isTftpError } from '../tftp/tftp-error.js';
import type { Logger } from '../log.js';
import { requireInterfaceForSubnet } from '../net/interfaces.js';
import type { UdpEndpoint } from '../net/udp.js';
import { createFsStorage, loadRemapFile, type FsStorage } from '../tftp/fs-storage.js';
import type { RemapRule } from '../tftp/remap.js';
import type { InboxRoom } from '../tftp/uploads.js';
import { createTftpServer, type TftpServer } from '../tftp/server.js';
import type { EventSink } from './events.js';
import { requireDirectory } from './preflight.js';
import { READ_MODE } from './tftp-files.js';
import type { ApplianceTftpConfig } from './tftp-settings.js';

const WRITE_MODE = fsConstants.W_OK | fsConstants.X_OK;

/** Which configured TFTP directory is missing or unusable. */
export type TftpDirectoryKind = 'root' | 'alternate' | 'uploads';

/** BB_TFTP_ROOT with the directory it is about, so the CLI can hint without reading the message. */
export class TftpDirectoryError extends BenchbootError {
  constructor(
    readonly directory: TftpDirectoryKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('BB_TFTP_ROOT', message, options);
  }
}

/** The first configured directory that is not usable, in the order the storage checks them. */
async function unusableDirectory(t: ApplianceTftpConfig): Promise<TftpDirectoryKind | undefined> {
  const usable = (path: string, mode: number): Promise<boolean> =>
    requireDirectory(path, mode).then(
      () => true,
      () => false,
    );
  if (!(await usable(t.root, READ_MODE))) return 'root';
  for (const alt of t.alternates ?? []) if (!(await usable(alt, READ_MODE))) return 'alternate';
  if (t.uploadDir !== undefined && !(await usable(t.uploadDir, WRITE_MODE))) return 'uploads';
  return undefined;
}

/** The storage and the remap rules it was made with. */
export interface TftpStorageSide {
  readonly storage: FsStorage;
  readonly remap: readonly RemapRule[];
}

/** Reads the map file and opens the storage; a bad directory throws {@link TftpDirectoryError}. */
export async function openTftpStorage(t: ApplianceTftpConfig): Promise<TftpStorageSide> {
  const remap = t.mapFile === undefined ? [] : await loadRemapFile(t.mapFile);
  try {
    const storage = await createFsStorage({
      root: t.root,
      alternates: t.alternates ?? [],
      defaults: t.defaults ?? [],
      caseInsensitive: t.caseInsensitive ?? false,
      remap,
      ...(t.uploadDir === undefined
        ? {}
        : {
            uploads: {
              dir: t.uploadDir,
              overwrite: t.overwriteUploads ?? false,
              ...(t.maxUploadBytes === undefined ? {} : { maxBytes: t.maxUploadBytes }),
              ...(t.uploadMode === undefined ? {} : { fileMode: t.uploadMode }),
              ...(t.uploadQuotaBytes === undefined ? {} : { quotaBytes: t.uploadQuotaBytes }),
              ...(t.maxUploadVersions === undefined ? {} : { maxVersions: t.maxUploadVersions }),
              ...(t.minFreeBytes === undefined ? {} : { minFreeBytes: t.minFreeBytes }),
            },
          }),
    });
    return { storage, remap };
  } catch (err) {
    if (!isTftpError(err, 'root')) throw err;
    throw new TftpDirectoryError((await unusableDirectory(t)) ?? 'root', err.message, { cause: err });
  }
}

/**
 * Logs how full the upload directory is at start; warns when it is already at its quota
 * (every upload would be refused until versions are removed or the quota is raised).
 */
export function logUploadRoom(log: Logger, room: InboxRoom | undefined): void {
  if (room === undefined) return;
  const fields = { usedBytes: room.usedBytes, quotaBytes: room.quotaBytes, minFreeBytes: room.minFreeBytes };
  if (room.usedBytes >= room.quotaBytes) log.warn('the upload directory is at its quota: uploads are refused until files are removed or --upload-quota is raised', fields);
  else log.info('upload directory', fields);
}

/** What {@link createTftpSide} needs. */
export interface TftpSideOptions {
  readonly config: ApplianceTftpConfig;
  readonly storage: FsStorage;
  readonly listen: readonly string[];
  readonly logger: Logger;
  readonly clock: Clock;
  readonly events: EventSink;
  /** Binds the listening sockets (port 69); default: the TFTP server's own (src/net/privileged.ts). */
  readonly bindListener?: (address: string, port: number) => Promise<UdpEndpoint>;
  /** Clients that retry on "busy" get it at once over the limits (busy-retry.ts). */
  readonly retriesOnBusy?: (peer: { readonly address: string }) => boolean;
}

/** Creates the TFTP server (not started) on the listen addresses, its events going to the sink. */
export function createTftpSide(options: TftpSideOptions): TftpServer {
  const t = options.config;
  const server = createTftpServer({
    storage: options.storage,
    logger: options.logger,
    clock: options.clock,
    listen: options.listen.map((address) => ({ address, port: t.port })),
    maxTransfers: t.maxTransfers,
    ...(t.maxUploadBytes === undefined ? {} : { maxUploadBytes: t.maxUploadBytes }),
    ...t.server,
    ...(options.retriesOnBusy ? { retriesOnBusy: options.retriesOnBusy } : {}),
    ...(options.bindListener ? { bindListener: options.bindListener } : {}),
  });
  wireTftpEvents(server, options.events, options.clock);
  return server;
}

/** Turns the TFTP server's transfer events into appliance events. */
function wireTftpEvents(tftp: TftpServer, events: EventSink, clock: Clock): void {
  const now = (): number => clock.now();
  tftp.on('started', (e) =>
    events.emit({ kind: 'transfer-started', at: now(), id: e.id, peer: e.peer.address, file: e.file, direction: e.direction, ...(e.size === undefined ? {} : { size: e.size }) }),
  );
  tftp.on('progress', (e) => events.emit({ kind: 'transfer-progress', at: now(), id: e.id, bytes: e.bytes }));
  tftp.on('finished', (e) => events.emit({ kind: 'transfer-finished', at: now(), id: e.id, bytes: e.bytes }));
  tftp.on('failed', (e) => events.emit({ kind: 'transfer-failed', at: now(), id: e.id, reason: e.reason }));
  tftp.on('busy', (e) => events.emit({ kind: 'tftp-busy', at: now(), peer: e.peer.address, file: e.file }));
  tftp.on('refused', (e) => events.emit({ kind: 'tftp-refused', at: now(), peer: e.peer.address, file: e.file, message: e.message }));
}

/** The address each served interface holds in its scopes' subnet (the TFTP listen addresses). */
export async function interfaceAddresses(scopes: readonly Scope[]): Promise<string[]> {
  const out = new Set<string>();
  for (const served of servedInterfaces(scopes)) {
    for (const scope of served.scopes) out.add((await requireInterfaceForSubnet(served.name, scope.subnet)).address);
  }
  return [...out];
}

/**
 * A reload that serves a new interface (or moves one to a new address): TFTP listens on
 * the addresses `next` needs that `listen` lacks too, and they are added to `listen`.
 * Throws (TftpError) when one cannot be bound; then none is.
 */
export async function listenOnNewAddresses(next: readonly Scope[], listen: string[], tftp: TftpServer, port: number): Promise<void> {
  const missing = (await interfaceAddresses(next)).filter((a) => !listen.includes(a));
  if (missing.length === 0) return;
  for (const address of missing) {
    await tftp.listenOn(address, port);
    listen.push(address);
  }
}
