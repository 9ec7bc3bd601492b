/**
 * The variables a template sees, built from plain facts (the lead adapts them from
 * the real Scope, lease and interface):
 *   device.*  every inventory column as typed (secrets included: a phone config needs
 *             its SIP password; only logs and views hide them), then the canonical
 *             values: mac (12 lower hex), MAC (12 upper hex), mac_colon, mac_dash,
 *             mac_dot, ip (the row's reservation, else the lease), hostname, serial,
 *             client_id, profile, vendor_class and model when known. A column named
 *             like one of these is replaced by the canonical value.
 *   scope.*   name, subnet, mask, router, dns (list), domain, boot_server, tftp_servers.
 *   server.*  address (benchboot's address on that interface), hostname.
 *   files     the names in the served tree (for firmware lists).
 * An unknown requester (no inventory row) renders without `device`.
 */
import type { DeviceRow } from '../inventory/device-row.js';
import { macForms } from '../inventory/mac-spelling.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';

/** Facts of the scope the requester is on. */
export interface ScopeFacts {
  readonly name: string;
  /** `10.10.0.0/24`. */
  readonly subnet: string;
  readonly mask: Ipv4;
  readonly router?: Ipv4;
  readonly dns: readonly Ipv4[];
  readonly domain?: string;
  /** siaddr / next-server. */
  readonly bootServer?: Ipv4;
  /** Option 150 list. */
  readonly tftpServers?: readonly Ipv4[];
}

/** Facts of benchboot on the interface the request came in on. */
export interface ServerFacts {
  readonly address: Ipv4;
  readonly hostname?: string;
}

/** What is known of the requester from the wire and the lease. */
export interface RequesterFacts {
  readonly mac?: MacAddress;
  /** The lease's address. */
  readonly leaseIp?: Ipv4;
  /** Option 60. */
  readonly vendorClass?: string;
  /** A model, when a profile or file name tells it. */
  readonly model?: string;
}

/** Everything one render reads. */
export interface VariableInput {
  readonly row?: DeviceRow;
  readonly requester?: RequesterFacts;
  readonly scope: ScopeFacts;
  readonly server: ServerFacts;
  readonly files: readonly string[];
}

/** The template variables (plain JSON-like data). */
export interface TemplateVariables {
  readonly device?: Readonly<Record<string, string>>;
  readonly scope: Readonly<Record<string, string | readonly string[]>>;
  readonly server: Readonly<Record<string, string>>;
  readonly files: readonly string[];
}

function put(out: Record<string, string>, key: string, value: string | undefined): void {
  if (value !== undefined) out[key] = value;
}

/** The `device` object for a row (and what the wire adds). */
export function deviceVariables(row: DeviceRow, requester: RequesterFacts = {}): Record<string, string> {
  const out: Record<string, string> = { ...row.cells };
  const mac = row.mac ?? requester.mac;
  if (mac !== undefined) Object.assign(out, macForms(mac));
  put(out, 'ip', row.ip ?? requester.leaseIp);
  put(out, 'hostname', row.hostname);
  put(out, 'serial', row.serial);
  put(out, 'client_id', row.clientId);
  put(out, 'profile', row.profile);
  put(out, 'vendor_class', requester.vendorClass);
  put(out, 'model', requester.model);
  return out;
}

function scopeVariables(s: ScopeFacts): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = { name: s.name, subnet: s.subnet, mask: s.mask, dns: [...s.dns] };
  if (s.router !== undefined) out['router'] = s.router;
  if (s.domain !== undefined) out['domain'] = s.domain;
  if (s.bootServer !== undefined) out['boot_server'] = s.bootServer;
  if (s.tftpServers !== undefined) out['tftp_servers'] = [...s.tftpServers];
  return out;
}

/** The variables of one render. */
export function buildVariables(input: VariableInput): TemplateVariables {
  const server: Record<string, string> = { address: input.server.address };
  put(server, 'hostname', input.server.hostname);
  const base = { scope: scopeVariables(input.scope), server, files: [...input.files] };
  return input.row ? { device: deviceVariables(input.row, input.requester), ...base } : base;
}
