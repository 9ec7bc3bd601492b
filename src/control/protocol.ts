/**
 * The control protocol between a running `benchboot serve` and the other commands
 * (`leases`, `leases release`, `reload`, `status`): one JSON object per line over a
 * Unix socket in the state directory. Each request line gets exactly one response
 * line. This module only parses and formats; sockets live in server.ts / client.ts.
 *
 *   -> {"id":1,"op":"status"}
 *   <- {"id":1,"ok":true,"result":{...}}
 *   -> {"id":2,"op":"release","ip":"10.10.0.23"}
 *   <- {"id":2,"ok":false,"error":{"code":"BB_USAGE","message":"no lease for 10.10.0.23"}}
 */
import { isIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.js';

/** File name of the control socket inside the state directory. */
export const CONTROL_SOCKET_NAME = 'control.sock';

/** The longest request line the server reads, in bytes without the newline; a longer one is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 4096;

/** What a client may ask. */
export type ControlRequest =
  | { readonly op: 'status' }
  | { readonly op: 'leases' }
  | { readonly op: 'release'; readonly ip: Ipv4 }
  /** Release every bound lease whose state began at or after `since` (ms since the epoch): what a burst took. */
  | { readonly op: 'release-since'; readonly since: number }
  | { readonly op: 'reload' }
  | { readonly op: 'devices' }
  | { readonly op: 'device'; readonly mac: string }
  | { readonly op: 'device-reset'; readonly mac: string };

/** One response line. */
export type ControlResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

/** A parsed request line, or why it is not one. */
export type ParsedRequest =
  | { readonly kind: 'request'; readonly id: number; readonly request: ControlRequest }
  | { readonly kind: 'invalid'; readonly id: number; readonly reason: string };

/** True for a JSON object (not null, not an array): the first check on any answer or request read from the socket. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one request line (without its newline). Never throws. */
export function parseControlRequest(line: string): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return { kind: 'invalid', id: 0, reason: `not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!isRecord(value)) return { kind: 'invalid', id: 0, reason: 'a request is a JSON object' };
  const id = typeof value.id === 'number' && Number.isInteger(value.id) ? value.id : 0;
  switch (value.op) {
    case 'status':
    case 'leases':
    case 'reload':
    case 'devices':
      return { kind: 'request', id, request: { op: value.op } };
    case 'device':
    case 'device-reset': {
      const mac = value.mac;
      if (typeof mac !== 'string' || mac.length === 0 || mac.length > 64) return { kind: 'invalid', id, reason: `${value.op} needs "mac": a MAC address` };
      return { kind: 'request', id, request: { op: value.op, mac } };
    }
    case 'release': {
      const ip = value.ip;
      if (typeof ip !== 'string' || !isIpv4(ip)) return { kind: 'invalid', id, reason: 'release needs "ip": a dotted-quad IPv4 address' };
      return { kind: 'request', id, request: { op: 'release', ip: parseIpv4(ip) } };
    }
    case 'release-since': {
      const since = value.since;
      if (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0) return { kind: 'invalid', id, reason: 'release-since needs "since": ms since the epoch' };
      return { kind: 'request', id, request: { op: 'release-since', since } };
    }
    default:
      return { kind: 'invalid', id, reason: `unknown op ${JSON.stringify(value.op)} (expected status, leases, release, release-since, reload, devices, device or device-reset)` };
  }
}

/** Formats a request line (with its newline). */
export function formatControlRequest(id: number, request: ControlRequest): string {
  return `${JSON.stringify({ id, ...request })}\n`;
}

/** Formats a response line (with its newline). */
export function formatControlResponse(response: ControlResponse): string {
  return `${JSON.stringify(response)}\n`;
}

/** Parses a response line; throws a readable Error when it is not one. */
export function parseControlResponse(line: string): ControlResponse {
  const value: unknown = JSON.parse(line);
  if (!isRecord(value) || typeof value.id !== 'number' || typeof value.ok !== 'boolean') {
    throw new Error('the server sent a line that is not a control response');
  }
  if (value.ok) return { id: value.id, ok: true, result: value.result };
  const e = value.error;
  if (!isRecord(e) || typeof e.code !== 'string' || typeof e.message !== 'string') {
    throw new Error('the server sent an error response without code and message');
  }
  return { id: value.id, ok: false, error: { code: e.code, message: e.message } };
}
