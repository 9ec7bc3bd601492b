/**
 * Reading device events and facts back from JSON (journal and snapshot lines):
 * every field checked, unknown shapes refused with undefined, so a damaged or
 * foreign line can never put an ill-typed value into a record.
 */
import {
  ADMIN_ACTIONS,
  DHCP_MESSAGES,
  FILE_ORIGINS,
  FILE_PROTOCOLS,
  FILE_RESULTS,
  UPLOAD_RESULTS,
  type BootFields,
  type DeviceEvent,
} from './event.js';
import type { DeviceFacts } from './identity.js';

/** A JSON object, or undefined for anything else. */
export function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** True for a finite number. */
export function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** True when `v` is absent or a string. */
export function isOptStr(v: unknown): boolean {
  return v === undefined || typeof v === 'string';
}

function isOneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}

function parseBoot(v: unknown): BootFields | undefined {
  const o = asObject(v);
  if (!o || !isOptStr(o.siaddr) || !isOptStr(o.sname) || !isOptStr(o.file) || !isOptStr(o.option66)) return undefined;
  if (o.option150 !== undefined && !(Array.isArray(o.option150) && o.option150.every((a) => typeof a === 'string'))) return undefined;
  return o as BootFields;
}

function isDhcp(o: Record<string, unknown>): boolean {
  if (!isOneOf(DHCP_MESSAGES, o.message) || !isOptStr(o.ip) || !isOptStr(o.scope)) return false;
  for (const k of ['leaseSeconds', 'renewalSeconds', 'rebindingSeconds']) if (o[k] !== undefined && !isNum(o[k])) return false;
  return o.boot === undefined || parseBoot(o.boot) !== undefined;
}

function isFile(o: Record<string, unknown>): boolean {
  return (
    typeof o.name === 'string' &&
    isOneOf(FILE_PROTOCOLS, o.protocol) &&
    isOneOf(FILE_ORIGINS, o.origin) &&
    isOneOf(FILE_RESULTS, o.result) &&
    isNum(o.bytes) &&
    isNum(o.durationMs) &&
    isNum(o.retransmissions) &&
    isNum(o.queueWaitMs) &&
    isOptStr(o.detail)
  );
}

/** The event in `v`, or undefined when `v` is not a well-formed device event. */
export function parseDeviceEvent(v: unknown): DeviceEvent | undefined {
  const o = asObject(v);
  if (!o || !isNum(o.atMs)) return undefined;
  let ok: boolean;
  switch (o.kind) {
    case 'dhcp':
      ok = isDhcp(o);
      break;
    case 'file':
      ok = isFile(o);
      break;
    case 'upload':
      ok = typeof o.name === 'string' && isOptStr(o.storedAs) && isNum(o.bytes) && isOneOf(UPLOAD_RESULTS, o.result);
      break;
    case 'syslog':
      ok = isNum(o.facility) && isNum(o.severity) && typeof o.text === 'string';
      break;
    case 'admin':
      ok = isOneOf(ADMIN_ACTIONS, o.action) && isOptStr(o.detail);
      break;
    default:
      ok = false;
  }
  return ok ? (o as unknown as DeviceEvent) : undefined;
}

const FACT_TEXTS = ['vendorClass', 'userClass', 'hostname', 'model', 'profileId', 'inventoryKey', 'lastIp'] as const;

/** The facts in `v`, or undefined when malformed. */
export function parseFacts(v: unknown): DeviceFacts | undefined {
  const o = asObject(v);
  if (!o) return undefined;
  if (!FACT_TEXTS.every((k) => isOptStr(o[k]))) return undefined;
  if (o.arch !== undefined && !isNum(o.arch)) return undefined;
  return o as DeviceFacts;
}
