/**
 * How the appliance's protocol events become device observations (issue 13 part 1):
 * a DHCP lease event is a timeline entry in the devices vocabulary (offered → offer,
 * bound → ack, refused → nak, …) with the facts it carries, and a TFTP transfer (or
 * an HTTP request, issue 14: same event shapes, protocol `http`) that ended is a file
 * (or upload) entry of the device holding the peer's address in the lease table. The mapping functions are pure; {@link TftpDeviceFeed} only remembers
 * what a `started` event said until its transfer ends. A "not found" that was really
 * a failed render (the storage noted it) is filed as `render-error` with the
 * template, line and missing variable.
 */
import type { DeviceEvent, DeviceFacts, DeviceObservation, DhcpMessageName, FileOrigin, FileProtocol, FileResult, UploadResult } from '../devices/index.js';
import type { Lease } from '../dhcp/lease.js';
import type { DhcpLeaseEvent } from '../dhcp/server.js';
import { formatRenderFailure, type RenderFailure } from '../provision/index.js';
import { TFTP_ERROR } from '../tftp/error-codes.js';
import type { TftpServerEvents } from '../tftp/server.js';
import type { TransferFailure } from '../tftp/transfer-outcome.js';

/** A lease event, with the profile the DHCP answer used when the DHCP side reports it. */
export type LeaseEventFacts = DhcpLeaseEvent & { readonly profile?: string };

/** The DHCP message of each lease event word; `expired` is no packet, so no timeline entry. */
const MESSAGE_OF: Readonly<Record<DhcpLeaseEvent['kind'], DhcpMessageName | undefined>> = {
  offered: 'offer',
  bound: 'ack',
  refused: 'nak',
  informed: 'inform',
  released: 'release',
  declined: 'decline',
  expired: undefined,
  exhausted: 'discover',
};

function leaseFacts(e: LeaseEventFacts): DeviceFacts {
  return {
    ...(e.vendorClass === undefined ? {} : { vendorClass: e.vendorClass }),
    ...(e.hostname === undefined ? {} : { hostname: e.hostname }),
    ...(e.profile === undefined ? {} : { profileId: e.profile }),
  };
}

/**
 * The observation of a lease event at `atMs`, or undefined for an expiry. `lease`
 * is the table's lease of the address after the event (its length goes on an ACK).
 */
export function observeLease(e: LeaseEventFacts, atMs: number, lease: Lease | undefined): DeviceObservation | undefined {
  const message = MESSAGE_OF[e.kind];
  if (message === undefined) return undefined;
  const leaseSeconds = message === 'ack' && lease ? Math.round((lease.expiresAt - lease.startedAt) / 1000) : undefined;
  const event: DeviceEvent = {
    kind: 'dhcp',
    atMs,
    message,
    scope: e.scope,
    ...(e.ip === undefined ? {} : { ip: e.ip }),
    ...(leaseSeconds === undefined ? {} : { leaseSeconds }),
    ...(e.file === undefined ? {} : { boot: { file: e.file } }),
  };
  return { mac: e.mac, facts: leaseFacts(e), event };
}

/** The file result of a failed transfer. */
export function fileResultOf(outcome: TransferFailure): FileResult {
  return outcome.kind === 'timeout' ? 'failed-after-retries' : 'aborted';
}

/** The file result of a request refused with TFTP error `code` before any transfer. */
export function refusalResultOf(code: number): FileResult {
  if (code === TFTP_ERROR.fileNotFound) return 'not-found';
  if (code === TFTP_ERROR.accessViolation) return 'access-denied';
  return 'aborted';
}

/** The storage's origin text as a file origin: `default for …` or `template X (default for …)` → default, `template X` → template, else static. */
export function originOf(origin: string | undefined): FileOrigin {
  if (origin === undefined) return 'static';
  if (origin.startsWith('default') || origin.includes('(default for ')) return 'default';
  return origin.startsWith('template ') ? 'template' : 'static';
}

/** What a `started` event said, kept until the transfer ends. */
interface StartedTransfer {
  readonly origin: FileOrigin;
  readonly atMs: number;
  /** How long its request waited for a slot. */
  readonly queueWaitMs: number;
}

/** What the feed needs around it. */
export interface TftpFeedTarget {
  /** Milliseconds since the epoch. */
  now(): number;
  /** The MAC holding `address` in the lease table, if any. */
  macOf(address: string): string | undefined;
  observe(observation: DeviceObservation): void;
  /** The render failure behind a refused request from `peer` for `file`, taken once (render-failures.ts). */
  renderFailureOf?(peer: string, file: string): RenderFailure | undefined;
}

/** A file entry's common fields. */
interface FileFields {
  readonly name: string;
  readonly result: FileResult;
  readonly bytes: number;
  readonly durationMs: number;
  readonly origin?: FileOrigin;
  readonly detail?: string;
  /** Blocks the server sent again; absent for a refusal, and from HTTP (TCP retransmits on its own). */
  readonly retransmissions?: number;
  /** How long the request waited for a slot (default 0). */
  readonly queueWaitMs?: number;
}

/** The parts of a file server's events the feed reads (the TFTP server's and the HTTP server's alike; only TFTP counts retransmissions). */
export interface FileFeedEvents {
  /** `queueWaitMs`: TFTP's wait for a slot (HTTP has none). */
  started: Pick<TftpServerEvents['started'], 'id' | 'origin'> & { readonly queueWaitMs?: number };
  finished: Pick<TftpServerEvents['finished'], 'id' | 'peer' | 'file' | 'direction' | 'bytes' | 'ms' | 'savedAs'> & Partial<Pick<TftpServerEvents['finished'], 'retransmits'>>;
  failed: Pick<TftpServerEvents['failed'], 'id' | 'peer' | 'file' | 'direction' | 'reason' | 'outcome' | 'bytes'> & Partial<Pick<TftpServerEvents['failed'], 'retransmits'>>;
  refused: Pick<TftpServerEvents['refused'], 'peer' | 'file' | 'direction' | 'code' | 'message'>;
  busy: Pick<TftpServerEvents['busy'], 'peer' | 'file'> & { readonly queueWaitMs?: number };
}

/** A server whose transfer events the feed files. */
export interface FileFeedSource {
  on<K extends keyof FileFeedEvents>(event: K, listener: (e: FileFeedEvents[K]) => void): unknown;
}

/** Files each ended transfer (and each refused request) of a TFTP or HTTP server under the device of its peer. */
export class TftpDeviceFeed {
  private readonly started = new Map<string, StartedTransfer>();
  private protocol: FileProtocol = 'tftp';

  constructor(private readonly target: TftpFeedTarget) {}

  /** A feed for another server's events (shares the target; `protocol` names it in the file entries). */
  forProtocol(protocol: FileProtocol): TftpDeviceFeed {
    const feed = new TftpDeviceFeed(this.target);
    feed.protocol = protocol;
    return feed;
  }

  /** Subscribes to the server's transfer events. */
  watch(tftp: FileFeedSource): void {
    tftp.on('started', (e) => this.started.set(e.id, { origin: originOf(e.origin), atMs: this.target.now(), queueWaitMs: e.queueWaitMs ?? 0 }));
    tftp.on('finished', (e) => {
      const s = this.take(e.id);
      if (e.direction === 'write') this.upload(e.peer.address, e.file, 'stored', e.bytes, e.savedAs);
      else this.file(e.peer.address, { name: e.file, result: 'delivered', bytes: e.bytes, durationMs: e.ms, retransmissions: e.retransmits ?? 0, ...(s ? { origin: s.origin, queueWaitMs: s.queueWaitMs } : {}) });
    });
    tftp.on('failed', (e) => {
      const s = this.take(e.id);
      const durationMs = s ? this.target.now() - s.atMs : 0;
      if (e.direction === 'write') this.upload(e.peer.address, e.file, uploadResultOf(e.outcome), e.bytes);
      else this.file(e.peer.address, { name: e.file, result: fileResultOf(e.outcome), bytes: e.bytes, durationMs, detail: e.reason, retransmissions: e.retransmits ?? 0, ...(s ? { origin: s.origin, queueWaitMs: s.queueWaitMs } : {}) });
    });
    tftp.on('refused', (e) => {
      if (e.direction === 'write') return this.upload(e.peer.address, e.file, 'refused', 0);
      const failure = e.code === TFTP_ERROR.fileNotFound ? this.target.renderFailureOf?.(e.peer.address, e.file) : undefined;
      if (failure === undefined) return this.file(e.peer.address, { name: e.file, result: refusalResultOf(e.code), bytes: 0, durationMs: 0, detail: e.message });
      return this.file(e.peer.address, { name: e.file, result: 'render-error', bytes: 0, durationMs: 0, origin: originOf(failure.origin), detail: formatRenderFailure(failure) });
    });
    tftp.on('busy', (e) => this.file(e.peer.address, { name: e.file, result: 'busy', bytes: 0, durationMs: 0, queueWaitMs: e.queueWaitMs ?? 0 }));
  }

  private take(id: string): StartedTransfer | undefined {
    const s = this.started.get(id);
    this.started.delete(id);
    return s;
  }

  private file(peer: string, f: FileFields): void {
    const mac = this.target.macOf(peer);
    if (mac === undefined) return;
    const event: DeviceEvent = {
      kind: 'file',
      atMs: this.target.now(),
      name: f.name,
      protocol: this.protocol,
      origin: f.origin ?? 'static',
      result: f.result,
      bytes: f.bytes,
      durationMs: f.durationMs,
      retransmissions: f.retransmissions ?? 0,
      queueWaitMs: f.queueWaitMs ?? 0,
      ...(f.detail === undefined ? {} : { detail: f.detail }),
    };
    this.target.observe({ mac, facts: { lastIp: peer }, event });
  }

  private upload(peer: string, name: string, result: UploadResult, bytes: number, storedAs?: string): void {
    const mac = this.target.macOf(peer);
    if (mac === undefined) return;
    const event: DeviceEvent = { kind: 'upload', atMs: this.target.now(), name, bytes, result, ...(storedAs === undefined ? {} : { storedAs }) };
    this.target.observe({ mac, event });
  }
}

function uploadResultOf(outcome: TransferFailure): UploadResult {
  return outcome.kind === 'timeout' ? 'failed' : 'aborted';
}

/** The MAC of the lease holding `address`: a bound lease first, the newest otherwise. */
export function macOfAddress(leases: readonly Lease[], address: string): string | undefined {
  let best: Lease | undefined;
  for (const l of leases) {
    if (l.ip !== address) continue;
    if (!best || (l.state === 'bound' && best.state !== 'bound') || (l.state === best.state && l.startedAt > best.startedAt)) best = l;
  }
  return best?.mac;
}
