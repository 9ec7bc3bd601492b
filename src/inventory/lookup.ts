/**
 * Finding a device's row: by MAC (chaddr, the lease), by client-id (option 61), by
 * serial (where a vendor sends one), or, for the CLI, by whatever the technician
 * typed (a MAC in any spelling, a client-id, a serial or a host name).
 */
import type { MacAddress } from '../net/ipv4.js';
import type { DeviceRow } from './device-row.js';
import { readClientId } from './device-row.js';
import { readMac } from './mac-spelling.js';
import type { Inventory } from './validate.js';

/** What the wire tells about a requester. */
export interface DeviceIdentity {
  readonly mac?: MacAddress;
  /** Option 61 as bytes or as hex. */
  readonly clientId?: Uint8Array | string;
  readonly serial?: string;
}

function hexOf(id: Uint8Array | string): string | undefined {
  if (typeof id === 'string') return readClientId(id);
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex');
}

/** The rows of one inventory indexed by each identity; rebuilt when the inventory is reloaded. */
export class InventoryIndex {
  private readonly macs = new Map<string, DeviceRow>();
  private readonly clientIds = new Map<string, DeviceRow>();
  private readonly serials = new Map<string, DeviceRow>();
  private readonly hostnames = new Map<string, DeviceRow>();

  constructor(readonly inventory: Inventory) {
    for (const row of inventory.rows) {
      if (row.mac !== undefined && !this.macs.has(row.mac)) this.macs.set(row.mac, row);
      if (row.clientId !== undefined && !this.clientIds.has(row.clientId)) this.clientIds.set(row.clientId, row);
      const serial = row.serial?.toLowerCase();
      if (serial !== undefined && !this.serials.has(serial)) this.serials.set(serial, row);
      const host = row.hostname?.toLowerCase();
      if (host !== undefined && !this.hostnames.has(host)) this.hostnames.set(host, row);
    }
  }

  /** The row with this MAC. */
  byMac(mac: MacAddress): DeviceRow | undefined {
    return this.macs.get(mac);
  }

  /** The row with this client-id (option 61 bytes, or hex). */
  byClientId(id: Uint8Array | string): DeviceRow | undefined {
    const hex = hexOf(id);
    return hex === undefined ? undefined : this.clientIds.get(hex);
  }

  /** The row with this serial (ignoring case). */
  bySerial(serial: string): DeviceRow | undefined {
    return this.serials.get(serial.trim().toLowerCase());
  }

  /** The row with this host name (ignoring case). */
  byHostname(hostname: string): DeviceRow | undefined {
    return this.hostnames.get(hostname.toLowerCase());
  }

  /** The row of a requester: client-id first (it names the client when sent, RFC 2131 §4.2), then MAC, then serial. */
  lookup(id: DeviceIdentity): DeviceRow | undefined {
    return (
      (id.clientId !== undefined ? this.byClientId(id.clientId) : undefined) ??
      (id.mac !== undefined ? this.byMac(id.mac) : undefined) ??
      (id.serial !== undefined ? this.bySerial(id.serial) : undefined)
    );
  }

  /** The row a technician means by `key`: a MAC in any spelling, a client-id, a serial, or a host name. */
  find(key: string): DeviceRow | undefined {
    const mac = readMac(key);
    if (mac !== undefined) return this.byMac(mac);
    return this.bySerial(key) ?? this.byClientId(key) ?? this.byHostname(key);
  }
}
