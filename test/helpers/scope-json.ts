/**
 * Scopes for tests and helper programs as plain JSON, without the YAML loader:
 * strings for addresses and subnets, hex for option bytes, defaults filled in.
 * Every value is checked with the same parsers the product uses, so a typo fails
 * loudly instead of producing a half-valid Scope.
 *
 *     { "name": "bench", "interface": "eth1", "subnet": "10.9.0.0/24",
 *       "ranges": [["10.9.0.100", "10.9.0.199"]], "leaseSeconds": 600,
 *       "boot": { "nextServer": "10.9.0.1", "serverName": "tftp", "tftpServerName": "10.9.0.1",
 *                 "tftpServers": ["10.9.0.1"], "file": "boot.cfg" },
 *       "reservations": [{ "mac": "02:00:00:00:00:01", "ip": "10.9.0.10" }] }
 */
import { fromHex } from '../../src/net/bytes.js';
import { parseCidr, parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { DEFAULT_DECLINE_SECONDS, DEFAULT_LEASE_SECONDS } from '../../src/config/defaults.js';
import type { Scope, ScopeOption, Reservation, BootData } from '../../src/config/scope.js';

/** The JSON shape accepted by {@link scopeFromJson}. */
export interface ScopeJson {
  name: string;
  interface: string;
  subnet: string;
  ranges: [string, string][];
  router?: string;
  dns?: string[];
  domain?: string;
  leaseSeconds?: number;
  boot?: { nextServer?: string; serverName?: string; tftpServerName?: string; tftpServers?: string[]; file?: string };
  reservations?: { mac?: string; clientIdHex?: string; ip: string; hostname?: string }[];
  options?: { code: number; hex: string; always?: boolean }[];
  authoritative?: boolean;
  declineSeconds?: number;
}

/** Turns one JSON scope into an effective Scope; throws on any bad value. */
export function scopeFromJson(j: ScopeJson): Scope {
  const boot: BootData = {
    ...(j.boot?.nextServer ? { nextServer: parseIpv4(j.boot.nextServer) } : {}),
    ...(j.boot?.serverName ? { serverName: j.boot.serverName } : {}),
    ...(j.boot?.tftpServerName ? { tftpServerName: j.boot.tftpServerName } : {}),
    tftpServers: (j.boot?.tftpServers ?? []).map(parseIpv4),
    ...(j.boot?.file ? { file: j.boot.file } : {}),
  };
  const reservations: Reservation[] = (j.reservations ?? []).map((r) => ({
    ...(r.mac ? { mac: parseMac(r.mac) } : {}),
    ...(r.clientIdHex ? { clientId: fromHex(r.clientIdHex) } : {}),
    ip: parseIpv4(r.ip),
    ...(r.hostname ? { hostname: r.hostname } : {}),
  }));
  const options: ScopeOption[] = (j.options ?? []).map((o) => ({ code: o.code, data: fromHex(o.hex), always: o.always ?? false }));
  return {
    name: j.name,
    interface: j.interface,
    subnet: parseCidr(j.subnet),
    ranges: j.ranges.map(([start, end]) => ({ start: parseIpv4(start), end: parseIpv4(end) })),
    ...(j.router ? { router: parseIpv4(j.router) } : {}),
    dns: (j.dns ?? []).map(parseIpv4),
    ...(j.domain ? { domain: j.domain } : {}),
    leaseSeconds: j.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    boot,
    reservations,
    options,
    classes: [],
    authoritative: j.authoritative ?? true,
    declineSeconds: j.declineSeconds ?? DEFAULT_DECLINE_SECONDS,
  };
}
