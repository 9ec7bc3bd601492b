/**
 * One server transfer from request to end, per direction: a read (RRQ) opens the file,
 * negotiates and drives a sender; a write (WRQ) negotiates, opens the upload and drives
 * a receiver, saving the upload before the final ACK. Refusals, registration, counting
 * and logging belong to the server, reached through `TransferHost`.
 */
import type { Logger } from '../log.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import { errorMessage } from '../errno.js';
import { BlockFeed } from './block-feed.js';
import { ChunkWriter } from './chunk-writer.js';
import { TFTP_ERROR } from './error-codes.js';
import { negotiate, type NegotiationPolicy, type TransferParams } from './negotiate.js';
import { NetasciiDecoder } from './netascii.js';
import { encodeAck, encodeTftpPacket, type TftpOption, type TftpRequest } from './packet.js';
import { driveReceiver, type ReceiveFlow } from './receive-driver.js';
import { driveSender } from './send-driver.js';
import type { TransferDirection, TransferInfo } from './server-events.js';
import type { ReadSource, TftpStorage, UploadTarget } from './storage.js';
import type { DriverOptions, DrivenResult, DrivenTransfer } from './transfer-driver.js';
import { isTftpStorageError } from './uploads.js';

/** Whether a request became a transfer, and how to mark its opening as answered. */
export interface Registration {
  value: boolean;
  /** The client got past the opening (or was refused): a repeat of its request is new. */
  readonly opened: () => void;
}

/** A registered transfer. */
export interface Active {
  info: TransferInfo & { bytes: number };
  driven?: DrivenTransfer;
  /** Resolves once the transfer is over (stop() waits for it). */
  finished: Promise<void>;
  /** Resolves `finished`. */
  end: () => void;
}

/** What a transfer moves, for its TransferInfo and its `started` event. */
export interface TransferSubject {
  readonly file: string;
  readonly direction: TransferDirection;
  readonly size?: number;
  readonly origin?: string;
}

/** One request being served: its id, socket, request and client. */
export interface TransferRequest {
  readonly id: string;
  /** The transfer socket; none for a read sent by a worker thread (it binds its own). */
  readonly ep: UdpEndpoint | undefined;
  /** The address the request arrived on (transfer sockets bind to it). */
  readonly localAddress: string;
  readonly req: TftpRequest;
  readonly peer: UdpPeer;
  readonly registration: Registration;
  /** How long the request waited for a slot. */
  readonly queueWaitMs: number;
}

/** What a transfer needs from the server around it. */
export interface TransferHost {
  readonly storage: TftpStorage;
  readonly policy: NegotiationPolicy;
  readonly log: Logger;
  isAccepting(): boolean;
  /** Answers with ERROR `code`; `isBadName` counts it as a request refused for its name. */
  refuse(t: TransferRequest, code: number, message: string, isBadName?: boolean): void;
  register(t: TransferRequest, params: TransferParams, subject: TransferSubject): Active;
  driverOptions(t: TransferRequest, params: TransferParams): DriverOptions;
  /** Starts sending an opened file: on this thread or on a worker thread. */
  driveRead(t: TransferRequest, a: Active, params: TransferParams, source: ReadSource, oack: Uint8Array | undefined): DrivenTransfer;
  progressReporter(a: Active, registration: Registration): (bytes: number) => void;
  conclude(a: Active, r: DrivenResult, savedAs?: string): void;
  /** Books a fault on this side inside the transfer (counted, logged with its code and peer). */
  internalError(t: TransferRequest, file: string, what: string, err: unknown): void;
}

/** The OACK datagram for accepted options, or undefined when none were. */
function oackOf(options: readonly TftpOption[]): Uint8Array | undefined {
  return options.length > 0 ? encodeTftpPacket({ kind: 'oack', options }) : undefined;
}

/** Drives a sender for an opened file on this thread. */
export function driveLocalRead(host: TransferHost, t: TransferRequest, a: Active, params: TransferParams, source: ReadSource, oack: Uint8Array | undefined): DrivenTransfer {
  return driveSender({
    ...host.driverOptions(t, params),
    feed: new BlockFeed((o, l) => source.read(o, l), source.size, params.mode, params.blksize),
    ...(oack ? { oack } : {}),
    onProgress: host.progressReporter(a, t.registration),
    onLocalError: (err) => host.internalError(t, source.displayName, 'reading a file failed', err),
  });
}

/** Serves a read request (RRQ): the file goes to the client. */
export async function runRead(host: TransferHost, t: TransferRequest): Promise<void> {
  const { id, req, peer } = t;
  const opened = await host.storage.openRead(req.filename, { peer });
  if (opened.kind === 'error') return host.refuse(t, opened.code, opened.message, opened.isBadName);
  const source = opened.value;
  try {
    const n = negotiate(req, { ...host.policy, fileSize: source.size });
    if (n.kind === 'error') return host.refuse(t, n.code, n.message);
    if (!host.isAccepting()) return host.refuse(t, TFTP_ERROR.notDefined, 'server shutting down');
    const { params } = n;
    const a = host.register(t, params, { file: source.displayName, direction: 'read', size: source.size, origin: source.origin });
    host.log.debug('read started', { id, peer: `${peer.address}:${peer.port}`, file: source.displayName, origin: source.origin, ...params });
    try {
      a.driven = host.driveRead(t, a, params, source, oackOf(n.oack));
      const r = await a.driven.done;
      await a.driven.settled;
      host.conclude(a, r);
    } finally {
      a.end();
    }
  } finally {
    await source.close().catch((err: unknown) => host.log.warn('closing a file failed', { id, err: errorMessage(err) }));
  }
}

/** Serves a write request (WRQ): the client's file is saved through storage. */
export async function runWrite(host: TransferHost, t: TransferRequest): Promise<void> {
  const { req, peer } = t;
  const n = negotiate(req, host.policy);
  if (n.kind === 'error') return host.refuse(t, n.code, n.message);
  const { params } = n;
  const opened = await host.storage.openWrite(req.filename, { peer, ...(params.tsize !== undefined ? { tsize: params.tsize } : {}) });
  if (opened.kind === 'error') return host.refuse(t, opened.code, opened.message, opened.isBadName);
  const target = opened.value;
  if (!host.isAccepting()) {
    await target.abort();
    return host.refuse(t, TFTP_ERROR.notDefined, 'server shutting down');
  }
  const a = host.register(t, params, { file: req.filename, direction: 'write', size: params.tsize });
  try {
    await receiveUpload(host, t, a, params, n.oack, target);
  } finally {
    a.end();
  }
}

async function receiveUpload(host: TransferHost, t: TransferRequest, a: Active, params: TransferParams, oack: readonly TftpOption[], target: UploadTarget): Promise<void> {
  const upload = new UploadSink(target, params.mode === 'netascii', host.log, t.id, t.req.filename);
  const report = host.progressReporter(a, t.registration);
  a.driven = driveReceiver({
    ...host.driverOptions(t, params),
    blksize: params.blksize,
    opening: oackOf(oack) ?? encodeAck(0),
    deliver: (data) => upload.push(data),
    flow: upload,
    onProgress: (bytes) => {
      report(bytes);
      const failure = upload.failure();
      if (failure) a.driven?.abort(failure.code, failure.message);
    },
    beforeFinalAck: () => upload.save(),
  });
  const r = await a.driven.done;
  if (r.result.kind !== 'ok' || upload.savedAs === undefined) await upload.discard();
  host.conclude(a, r, upload.savedAs);
  await a.driven.settled;
}

/** The received bytes of one upload on their way into storage; the flow its ACKs wait on. */
class UploadSink implements ReceiveFlow {
  private readonly writer: ChunkWriter;
  private readonly netascii: NetasciiDecoder | undefined;
  /** The name storage saved it as, once committed. */
  savedAs: string | undefined;

  constructor(
    private readonly target: UploadTarget,
    isNetascii: boolean,
    private readonly log: Logger,
    private readonly id: string,
    private readonly file: string,
  ) {
    this.writer = new ChunkWriter((o, d) => target.write(o, d));
    this.netascii = isNetascii ? new NetasciiDecoder() : undefined;
  }

  push(data: Uint8Array): void {
    this.writer.push(this.netascii ? this.netascii.push(data) : data);
  }

  /** True while the writer holds its bound: the ACK waits for the disk (back-pressure). */
  isFull(): boolean {
    return this.writer.isFull();
  }

  /** Resolves once the writer has room; with the ERROR to send when a write failed. */
  async drained(): Promise<{ code: number; message: string } | undefined> {
    await this.writer.drained();
    return this.failure();
  }

  /** The ERROR to end the transfer with once a write failed. */
  failure(): { code: number; message: string } | undefined {
    return this.writer.error === undefined ? undefined : uploadFailure(this.writer.error);
  }

  /** Writes the rest and commits; the ERROR to send instead of the final ACK when that fails. */
  async save(): Promise<{ code: number; message: string } | undefined> {
    if (this.netascii) this.writer.push(this.netascii.end());
    try {
      await this.writer.close();
      const saved = await this.target.commit();
      this.savedAs = saved.savedAs;
      if (saved.pruned) this.log.info('old upload versions removed', { id: this.id, file: this.file, pruned: saved.pruned });
      if (saved.pruneFailed) this.log.warn('old upload versions could not be removed', { id: this.id, file: this.file, failed: saved.pruneFailed });
    } catch (err) {
      this.log.warn('upload could not be saved', { id: this.id, file: this.file, err: errorMessage(err) });
      return uploadFailure(err);
    }
    return undefined;
  }

  /** Drops a failed or unsaved upload. */
  async discard(): Promise<void> {
    await this.writer.close().catch((err: unknown) => this.log.debug('discarding a failed upload', { id: this.id, err: errorMessage(err) }));
    await this.target.abort();
  }
}

/** The ERROR for a failed upload write/commit: storage errors carry a client-safe message and code. */
function uploadFailure(err: unknown): { code: number; message: string } {
  if (isTftpStorageError(err)) return { code: err.tftpCode, message: err.message };
  return { code: TFTP_ERROR.notDefined, message: 'could not write the file' };
}
