/**
 * The timeline vocabulary of a device: every DHCP exchange, file request, upload,
 * syslog line and admin action that the servers report, as one discriminated union
 * (`kind`), each stamped with wall-clock milliseconds (`atMs`). Data only: the
 * servers build these, the reducer (record.ts) files them, the store journals them.
 * Text from the wire is clipped to a fixed length here so that memory stays bounded;
 * it is escaped only where it is printed.
 */

/** DHCP message types as they appear in a timeline (RFC 2132 §9.6 option 53, lower-case). */
export const DHCP_MESSAGES = ['discover', 'offer', 'request', 'ack', 'nak', 'decline', 'release', 'inform'] as const;
/** One DHCP message type. */
export type DhcpMessageName = (typeof DHCP_MESSAGES)[number];

/** The boot fields of an OFFER/ACK (or what a client asked for), each with its slot on the wire. */
export interface BootFields {
  /** BOOTP `siaddr` (next server). */
  readonly siaddr?: string;
  /** BOOTP `sname` (server host name). */
  readonly sname?: string;
  /** BOOTP `file` / option 67 (boot file name). */
  readonly file?: string;
  /** Option 66 (TFTP server name). */
  readonly option66?: string;
  /** Option 150 (Cisco TFTP server addresses, RFC 5859). */
  readonly option150?: readonly string[];
}

/** A DHCP message received from or sent to the device. */
export interface DhcpEvent {
  readonly kind: 'dhcp';
  readonly atMs: number;
  readonly message: DhcpMessageName;
  /** yiaddr of an OFFER/ACK, the requested/declined/released address otherwise. */
  readonly ip?: string;
  /** Scope that answered. */
  readonly scope?: string;
  /** Lease time of an ACK (option 51), seconds. */
  readonly leaseSeconds?: number;
  /** T1 of an ACK (option 58), seconds; default 0.5 × lease (RFC 2131 §4.4.5). */
  readonly renewalSeconds?: number;
  /** T2 of an ACK (option 59), seconds; default 0.875 × lease (RFC 2131 §4.4.5). */
  readonly rebindingSeconds?: number;
  /** Boot fields given in an OFFER/ACK. */
  readonly boot?: BootFields;
}

/** How a file request ended. */
export const FILE_RESULTS = ['delivered', 'not-found', 'access-denied', 'render-error', 'failed-after-retries', 'busy', 'aborted'] as const;
/** One file request outcome. */
export type FileResult = (typeof FILE_RESULTS)[number];
/** Where the served bytes came from: a file, a template rendered for the device, or a default rule. */
export const FILE_ORIGINS = ['static', 'template', 'default'] as const;
/** One file origin. */
export type FileOrigin = (typeof FILE_ORIGINS)[number];
/** Transport of a file request. */
export const FILE_PROTOCOLS = ['tftp', 'http'] as const;
/** One file transport. */
export type FileProtocol = (typeof FILE_PROTOCOLS)[number];

/** One file asked by the device (one per transfer, reported when it ends). */
export interface FileEvent {
  readonly kind: 'file';
  readonly atMs: number;
  /** The name as the device asked it. */
  readonly name: string;
  readonly protocol: FileProtocol;
  /** static | template | default (called `origin` since `kind` is the union's tag). */
  readonly origin: FileOrigin;
  readonly result: FileResult;
  readonly bytes: number;
  readonly durationMs: number;
  readonly retransmissions: number;
  readonly queueWaitMs: number;
  /** For render-error and failures: what went wrong, e.g. `missing variable device.extension (line 4)`. */
  readonly detail?: string;
}

/** What became of an upload (a configuration backup written by the device). */
export const UPLOAD_RESULTS = ['stored', 'refused', 'failed', 'aborted'] as const;
/** One upload outcome. */
export type UploadResult = (typeof UPLOAD_RESULTS)[number];

/** A file the device wrote to the server. */
export interface UploadEvent {
  readonly kind: 'upload';
  readonly atMs: number;
  readonly name: string;
  /** The name it was stored under (uploads are never overwritten: `name (1)`, …). */
  readonly storedAs?: string;
  readonly bytes: number;
  readonly result: UploadResult;
}

/** A syslog message sent by the device (RFC 5424 facility and severity numbers). */
export interface SyslogEvent {
  readonly kind: 'syslog';
  readonly atMs: number;
  readonly facility: number;
  readonly severity: number;
  readonly text: string;
}

/** Admin actions that appear in a timeline. */
export const ADMIN_ACTIONS = ['reset', 'adopted'] as const;
/** One admin action. */
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/** Something the technician did to the device's record. */
export interface AdminEvent {
  readonly kind: 'admin';
  readonly atMs: number;
  readonly action: AdminAction;
  /** For `adopted`: the inventory row key it was adopted as. */
  readonly detail?: string;
}

/** One entry of a device timeline. */
export type DeviceEvent = DhcpEvent | FileEvent | UploadEvent | SyslogEvent | AdminEvent;

/** Longest text kept from the wire, by field (characters). Longer text is clipped with `…`. */
export const TEXT_LIMITS = {
  name: 255,
  detail: 512,
  syslog: 1024,
  fact: 255,
  /** Addresses of option 150 kept (a count, not characters). */
  option150: 16,
} as const;

/** Clips `text` to `max` characters (a clipped text ends in `…`). */
export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Text fields of a value with the limit each is clipped to. */
type TextLimits<T> = { readonly [K in keyof T]?: number };

/** `value` with each field named in `limits` clipped to its limit: the same object when none is over (no copy per event). */
function clipFields<T extends object>(value: T, limits: TextLimits<T>): T {
  let out: Record<keyof T, unknown> | undefined;
  for (const key in limits) {
    const text = value[key];
    const max = limits[key];
    if (typeof text !== 'string' || max === undefined || text.length <= max) continue;
    out ??= { ...value };
    out[key] = clipText(text, max);
  }
  return (out as T | undefined) ?? value;
}

const FILE_LIMITS: TextLimits<FileEvent> = { name: TEXT_LIMITS.name, detail: TEXT_LIMITS.detail };
const UPLOAD_LIMITS: TextLimits<UploadEvent> = { name: TEXT_LIMITS.name, storedAs: TEXT_LIMITS.name };
const SYSLOG_LIMITS: TextLimits<SyslogEvent> = { text: TEXT_LIMITS.syslog };
const ADMIN_LIMITS: TextLimits<AdminEvent> = { detail: TEXT_LIMITS.detail };
const BOOT_LIMITS: TextLimits<BootFields> = { sname: TEXT_LIMITS.name, file: TEXT_LIMITS.name, option66: TEXT_LIMITS.name };

/** Returns the event with every wire text clipped to {@link TEXT_LIMITS}: the same object when nothing is over. */
export function clipEvent(event: DeviceEvent): DeviceEvent {
  switch (event.kind) {
    case 'file':
      return clipFields(event, FILE_LIMITS);
    case 'upload':
      return clipFields(event, UPLOAD_LIMITS);
    case 'syslog':
      return clipFields(event, SYSLOG_LIMITS);
    case 'admin':
      return clipFields(event, ADMIN_LIMITS);
    case 'dhcp': {
      const boot = event.boot === undefined ? undefined : clipBoot(event.boot);
      return boot === event.boot ? event : { ...event, boot };
    }
  }
}

function clipBoot(boot: BootFields): BootFields {
  const clipped = clipFields(boot, BOOT_LIMITS);
  const servers = boot.option150;
  return servers === undefined || servers.length <= TEXT_LIMITS.option150 ? clipped : { ...clipped, option150: servers.slice(0, TEXT_LIMITS.option150) };
}
