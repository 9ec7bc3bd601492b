/**
 * The status rules (issue 13 part 2): a pure function of a device record, what its
 * profile and inventory row expect, and the current time. Rules, in order:
 *
 * 1. Its last DHCP message is a DECLINE → stuck ("declined its address").
 * 2. It got a default file and has no inventory row → stuck ("got the default config"),
 *    unless the expectations accept defaults (PXE menus are defaults by design).
 * 3. Every expected file delivered → provisioned. Final: it stays provisioned while it
 *    only renews, and after it leaves (no zombies; `isSilent` tells it left).
 * 4. A file whose latest outcome is a failure, other than a normal miss of its
 *    profile (Cisco `CTLSEP{MAC}.tlv`) → stuck, with the file and the failure.
 * 5. No expectations: files asked, all delivered (or normal misses), and quiet for
 *    `settleMs` → provisioned ("delivered everything it asked for").
 * 6. Expectations unmet and no file asked for `stalledAfterMs` → stuck ("stopped asking").
 * 7. Some file asked → fetching. A lease and no file for `noFileAfterLeaseMs` → stuck.
 *    A lease → leased. Otherwise → discovered.
 *
 * Then gone overrides every status but provisioned when a packet was due and did not
 * come: a leased device must renew or rebind by T2 (option 59, default 0.875 × lease,
 * RFC 2131 §4.4.5) + `goneMarginMs`; a device without a lease retransmits within
 * `unleasedSilenceMs` (RFC 2131 §4.1 backs off to 64 s). A device that RELEASEd owes
 * nothing and is never gone; an infinite lease never falls due.
 */
import type { FileOutcome, DeviceRecord } from './record.js';
import { describePattern, matchesAny, matchesPattern, type PatternSubject } from './pattern.js';
import { formatReason, type DeviceStatus, type DeviceStatusName, type StatusReason } from './status-reason.js';

/** What "done" means for one device: from its profile and/or inventory row. */
export interface Expectations {
  /** Patterns of files that must all be delivered (`SEP{MAC}.cnf.xml`); may grow (the load named in the config). */
  readonly expectedFiles: readonly string[];
  /** Patterns of requests that fail normally (`CTLSEP{MAC}.tlv`, `ITLSEP{MAC}.tlv`). */
  readonly normalMisses: readonly string[];
  /** True when a default file is a fine answer for a device without inventory row (PXE). */
  readonly acceptsDefault?: boolean;
}

/** No expectations: "delivered everything it asked for" decides. */
export const NO_EXPECTATIONS: Expectations = { expectedFiles: [], normalMisses: [] };

/** Time thresholds of the rules. */
export interface StatusThresholds {
  /** A lease and no file asked for this long → stuck. Default 60 s: phones ask within seconds of the ACK. */
  readonly noFileAfterLeaseMs: number;
  /** Without expectations, quiet this long after the last delivered file → provisioned. Default 20 s (IOS waits ~10 s between tries). */
  readonly settleMs: number;
  /** Expected files missing and no file asked for this long → stuck. Default 120 s. */
  readonly stalledAfterMs: number;
  /** Slack after T2 before a leased device is gone. Default 60 s (clock drift, slow rebinds). */
  readonly goneMarginMs: number;
  /** An unleased device silent this long is gone. Default 300 s (well past the 64 s DISCOVER back-off). */
  readonly unleasedSilenceMs: number;
}

/** The defaults of {@link StatusThresholds}, each explained there. */
export const DEFAULT_STATUS_THRESHOLDS: StatusThresholds = {
  noFileAfterLeaseMs: 60_000,
  settleMs: 20_000,
  stalledAfterMs: 120_000,
  goneMarginMs: 60_000,
  unleasedSilenceMs: 300_000,
};

const FAILURES = new Set(['not-found', 'access-denied', 'render-error', 'failed-after-retries']);
const INFINITE_LEASE_SECONDS = 0xffffffff;

/** The status of `record` at `nowMs` (pure). */
export function deriveStatus(
  record: DeviceRecord,
  expectations: Expectations,
  nowMs: number,
  thresholds: StatusThresholds = DEFAULT_STATUS_THRESHOLDS,
): DeviceStatus {
  const active = assess(record, expectations, nowMs, thresholds);
  const silentMs = silence(record, nowMs, thresholds);
  if (silentMs === undefined || afterSilence(active.status, silentMs) !== 'gone') return result(active.status, active.reason, silentMs !== undefined);
  return result('gone', { kind: 'silent', silentMs, previous: active.reason }, true);
}

/** The status name {@link deriveStatus} gives, without its words (a full book ranks every device by it). Pure. */
export function deriveStatusName(
  record: DeviceRecord,
  expectations: Expectations,
  nowMs: number,
  thresholds: StatusThresholds = DEFAULT_STATUS_THRESHOLDS,
): DeviceStatusName {
  return afterSilence(assess(record, expectations, nowMs, thresholds).status, silence(record, nowMs, thresholds));
}

/** Gone overrides every status but provisioned when a packet is overdue (`silentMs` defined). */
function afterSilence(active: DeviceStatusName, silentMs: number | undefined): DeviceStatusName {
  return silentMs === undefined || active === 'provisioned' ? active : 'gone';
}

function result(status: DeviceStatusName, reason: StatusReason, isSilent: boolean): DeviceStatus {
  return { status, reason, diagnosis: formatReason(reason), isSilent };
}

interface Verdict {
  readonly status: DeviceStatusName;
  readonly reason: StatusReason;
}

function assess(record: DeviceRecord, exp: Expectations, nowMs: number, t: StatusThresholds): Verdict {
  const { progress, facts } = record;
  const subject: PatternSubject = { mac: record.mac, ...(facts.hostname === undefined ? {} : { hostname: facts.hostname }) };
  if (progress.lastDhcp?.message === 'decline') return { status: 'stuck', reason: { kind: 'declined', ip: facts.lastIp } };
  const delivered = progress.files.filter((f) => f.result === 'delivered');
  const fallback = delivered.find((f) => f.origin === 'default');
  if (fallback && facts.inventoryKey === undefined && exp.acceptsDefault !== true) {
    return { status: 'stuck', reason: { kind: 'default-config', file: fallback.name } };
  }
  const missing = exp.expectedFiles.filter((p) => !delivered.some((f) => matchesPattern(f.name, p, subject)));
  if (exp.expectedFiles.length > 0 && missing.length === 0) {
    return { status: 'provisioned', reason: { kind: 'all-expected-delivered', files: delivered.map((f) => f.name) } };
  }
  const failed = progress.files.find((f) => FAILURES.has(f.result) && !matchesAny(f.name, exp.normalMisses, subject));
  if (failed) return { status: 'stuck', reason: failureReason(failed) };
  return assessProgress(record, exp, missing.map((p) => describePattern(p, subject)), nowMs, t);
}

function failureReason(f: FileOutcome): StatusReason {
  return { kind: 'file-failed', file: f.name, result: f.result, ...(f.detail === undefined ? {} : { detail: f.detail }) };
}

function assessProgress(record: DeviceRecord, exp: Expectations, missing: readonly string[], nowMs: number, t: StatusThresholds): Verdict {
  const { progress } = record;
  const delivered = progress.files.filter((f) => f.result === 'delivered');
  const lastFileAtMs = progress.lastFileAtMs;
  if (lastFileAtMs !== undefined) {
    const quietMs = nowMs - lastFileAtMs;
    const settled = progress.files.every((f) => f.result === 'delivered' || FAILURES.has(f.result));
    if (exp.expectedFiles.length === 0 && settled && delivered.length > 0 && quietMs >= t.settleMs) {
      return { status: 'provisioned', reason: { kind: 'all-asked-delivered', files: delivered.map((f) => f.name) } };
    }
    if (exp.expectedFiles.length > 0 && quietMs >= t.stalledAfterMs) {
      return { status: 'stuck', reason: { kind: 'stalled', missing, quietMs } };
    }
    return { status: 'fetching', reason: { kind: 'fetching', delivered: delivered.length, waitingFor: missing } };
  }
  const lease = progress.lease;
  if (lease) {
    const waitedMs = nowMs - lease.ackAtMs;
    if (waitedMs >= t.noFileAfterLeaseMs) return { status: 'stuck', reason: { kind: 'no-file-after-lease', waitedMs } };
    return { status: 'leased', reason: { kind: 'leased', ip: lease.ip } };
  }
  return { status: 'discovered', reason: { kind: 'discovering', lastMessage: progress.lastDhcp?.message } };
}

/** How long the device has been silent past a due packet, or undefined when nothing is overdue. */
export function silence(record: DeviceRecord, nowMs: number, t: StatusThresholds): number | undefined {
  const { lease, lastDhcp } = record.progress;
  if (lastDhcp?.message === 'release') return undefined;
  let dueMs: number;
  if (lease && lease.leaseSeconds !== undefined) {
    if (lease.leaseSeconds >= INFINITE_LEASE_SECONDS) return undefined;
    const t2Seconds = lease.rebindingSeconds ?? lease.leaseSeconds * 0.875;
    dueMs = lease.ackAtMs + t2Seconds * 1000 + t.goneMarginMs;
  } else if (lease) {
    return undefined;
  } else {
    dueMs = record.lastSeenMs + t.unleasedSilenceMs;
  }
  if (nowMs <= dueMs || record.lastSeenMs > dueMs) return undefined;
  return nowMs - record.lastSeenMs;
}
