/**
 * Why a device has its status, as typed values (the dashboard filters on `kind`),
 * and the one place they become words for the technician.
 */
import type { FileResult } from './event.js';
import { escapeControl } from './text-escape.js';

/** The five-plus-one statuses of a device (issue 13 part 2). */
export const DEVICE_STATUSES = ['discovered', 'leased', 'fetching', 'provisioned', 'stuck', 'gone'] as const;
/** One device status. */
export type DeviceStatusName = (typeof DEVICE_STATUSES)[number];

/** The reason behind a status. */
export type StatusReason =
  | { readonly kind: 'discovering'; readonly lastMessage?: string }
  | { readonly kind: 'leased'; readonly ip?: string }
  | { readonly kind: 'fetching'; readonly delivered: number; readonly waitingFor: readonly string[] }
  | { readonly kind: 'all-expected-delivered'; readonly files: readonly string[] }
  | { readonly kind: 'all-asked-delivered'; readonly files: readonly string[] }
  | { readonly kind: 'declined'; readonly ip?: string }
  | { readonly kind: 'default-config'; readonly file: string }
  | { readonly kind: 'file-failed'; readonly file: string; readonly result: FileResult; readonly detail?: string }
  | { readonly kind: 'no-file-after-lease'; readonly waitedMs: number }
  | { readonly kind: 'stalled'; readonly missing: readonly string[]; readonly quietMs: number }
  | { readonly kind: 'silent'; readonly silentMs: number; readonly previous: StatusReason };

/** What {@link deriveStatus} returns. */
export interface DeviceStatus {
  readonly status: DeviceStatusName;
  readonly reason: StatusReason;
  /** The reason in words. */
  readonly diagnosis: string;
  /** True when a packet was due and did not come (set on `gone`, and on a provisioned device that left). */
  readonly isSilent: boolean;
}

/** `90500` → `90 s`, `7200000` → `120 min`. */
export function formatDurationShort(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 600 ? `${s} s` : `${Math.round(s / 60)} min`;
}

const FAILURE_WORDS: Record<FileResult, string> = {
  delivered: 'delivered',
  'not-found': 'not found',
  'access-denied': 'access denied',
  'render-error': 'template render failed',
  'failed-after-retries': 'transfer failed after retries',
  busy: 'server busy',
  aborted: 'aborted by the device',
};

/** The reason in words, as the terminal view, the dashboard and the report show it. */
export function formatReason(reason: StatusReason): string {
  switch (reason.kind) {
    case 'discovering':
      return reason.lastMessage ? `seen (last ${reason.lastMessage.toUpperCase()}), no lease yet` : 'seen, no lease yet';
    case 'leased':
      return `took a lease${reason.ip ? ` on ${reason.ip}` : ''}, no file asked yet`;
    case 'fetching':
      return reason.waitingFor.length > 0
        ? `fetching: ${reason.delivered} delivered, waiting for ${reason.waitingFor.join(', ')}`
        : `fetching: ${reason.delivered} delivered`;
    case 'all-expected-delivered':
      return `every expected file delivered: ${reason.files.join(', ')}`;
    case 'all-asked-delivered':
      return `delivered everything it asked for: ${reason.files.join(', ')}`;
    case 'declined':
      return `declined its address${reason.ip ? ` ${reason.ip}` : ''} (another host answers on it?)`;
    case 'default-config':
      return `got the default config ${reason.file}: no inventory row`;
    case 'file-failed':
      return formatFailure(reason.file, reason.result, reason.detail);
    case 'no-file-after-lease':
      return `took a lease and asked for no file in ${formatDurationShort(reason.waitedMs)}: check the boot fields with \`benchboot probe\``;
    case 'stalled':
      return `stopped asking for ${formatDurationShort(reason.quietMs)} without ${reason.missing.join(', ')}`;
    case 'silent':
      return `no packet for ${formatDurationShort(reason.silentMs)} when one was due (last: ${formatReason(reason.previous)})`;
  }
}

/** The counts line: `48 devices: 45 provisioned, 2 stuck, 1 gone` (the report's heading, the live view's header). */
export function formatStatusCounts(rows: readonly { readonly status: DeviceStatusName }[]): string {
  const parts = DEVICE_STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  return `${rows.length} device${rows.length === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** `stuck: asked for SEP….cnf.xml: not found`: a status with its diagnosis ({@link formatReason}), wire text escaped (`devices show`, the live view). */
export function formatStatusLine(status: DeviceStatusName, diagnosis: string): string {
  return `${status}: ${escapeControl(diagnosis)}`;
}

function formatFailure(file: string, result: FileResult, detail: string | undefined): string {
  if (result === 'render-error') return `template render failed for ${file}${detail ? `: ${detail}` : ''}`;
  if (result === 'failed-after-retries') return `transfer of ${file} failed after retries`;
  return `asked for ${file}: ${FAILURE_WORDS[result]}${detail ? ` (${detail})` : ''}`;
}
