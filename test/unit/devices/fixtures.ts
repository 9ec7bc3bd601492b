/** Builders of device events and records for the device tests. */
import type { DeviceEvent, FileEvent, FileOrigin, FileResult, DhcpEvent, DhcpMessageName } from '../../../src/devices/event.js';
import type { DeviceFacts, DeviceObservation } from '../../../src/devices/identity.js';
import { applyObservation, createRecord, DEFAULT_RETENTION, type DeviceRecord } from '../../../src/devices/record.js';

export const T0 = 1_700_000_000_000;
export const MAC = '001bd4aabbcc';

export function dhcp(message: DhcpMessageName, atMs: number, over: Partial<DhcpEvent> = {}): DhcpEvent {
  return { kind: 'dhcp', atMs, message, ...over };
}

export function ack(atMs: number, leaseSeconds = 3600, ip = '10.0.0.10'): DhcpEvent {
  return dhcp('ack', atMs, { ip, leaseSeconds });
}

export function file(name: string, atMs: number, result: FileResult = 'delivered', origin: FileOrigin = 'static', detail?: string): FileEvent {
  return {
    kind: 'file',
    atMs,
    name,
    protocol: 'tftp',
    origin,
    result,
    bytes: result === 'delivered' ? 1200 : 0,
    durationMs: 40,
    retransmissions: 0,
    queueWaitMs: 0,
    ...(detail === undefined ? {} : { detail }),
  };
}

export function obs(event: DeviceEvent, mac = MAC, facts?: DeviceFacts): DeviceObservation {
  return { mac, event, ...(facts ? { facts } : {}) };
}

/** A record built by applying `events` in order (default retention). */
export function recordOf(events: readonly DeviceEvent[], facts: DeviceFacts = {}, mac = MAC): DeviceRecord {
  const record = createRecord(mac, events[0]?.atMs ?? T0, facts);
  for (const event of events) applyObservation(record, { mac, event }, DEFAULT_RETENTION);
  return record;
}

/** `n` seconds after T0. */
export function at(seconds: number): number {
  return T0 + seconds * 1000;
}
