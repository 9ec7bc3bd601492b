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

const fits = (text: string | undefined, max: number): boolean => text === undefined || text.length <= max;

/** True when no wire text of `event` is over {@link TEXT_LIMITS} (the usual case: clipEvent then returns it as it is). */
function eventFits(event: DeviceEvent): boolean {
  switch (event.kind) {
    case 'file':
      return fits(event.name, TEXT_LIMITS.name) && fits(event.detail, TEXT_LIMITS.detail);
    case 'upload':
      return fits(event.name, TEXT_LIMITS.name) && fits(event.storedAs, TEXT_LIMITS.name);
    case 'syslog':
      return fits(event.text, TEXT_LIMITS.syslog);
    case 'dhcp': {
      const b = event.boot;
      return b === undefined || (fits(b.sname, TEXT_LIMITS.name) && fits(b.file, TEXT_LIMITS.name) && fits(b.option66, TEXT_LIMITS.name) && (b.option150 === undefined || b.option150.length <= TEXT_LIMITS.option150));
    }
    case 'admin':
      return fits(event.detail, TEXT_LIMITS.detail);
  }
}

/** Returns the event with every wire text clipped to {@link TEXT_LIMITS}: the same object when nothing is over (no copy per event). */
export function clipEvent(event: DeviceEvent): DeviceEvent {
  if (eventFits(event)) return event;
  switch (event.kind) {
    case 'file':
      return {
        ...event,
        name: clipText(event.name, TEXT_LIMITS.name),
        ...(event.detail === undefined ? {} : { detail: clipText(event.detail, TEXT_LIMITS.detail) }),
      };
    case 'upload':
      return {
        ...event,
        name: clipText(event.name, TEXT_LIMITS.name),
        ...(event.storedAs === undefined ? {} : { storedAs: clipText(event.storedAs, TEXT_LIMITS.name) }),
      };
    case 'syslog':
      return { ...event, text: clipText(event.text, TEXT_LIMITS.syslog) };
    case 'dhcp':
      return event.boot ? { ...event, boot: clipBoot(event.boot) } : event;
    case 'admin':
      return event.detail === undefined ? event : { ...event, detail: clipText(event.detail, TEXT_LIMITS.detail) };
  }
}

function clipBoot(boot: BootFields): BootFields {
  const out: { -readonly [K in keyof BootFields]: BootFields[K] } = { ...boot };
  if (boot.sname !== undefined) out.sname = clipText(boot.sname, TEXT_LIMITS.name);
  if (boot.file !== undefined) out.file = clipText(boot.file, TEXT_LIMITS.name);
  if (boot.option66 !== undefined) out.option66 = clipText(boot.option66, TEXT_LIMITS.name);
  if (boot.option150 !== undefined) out.option150 = boot.option150.slice(0, TEXT_LIMITS.option150);
  return out;
}
