/**
 * The vendor strings technicians otherwise type by hand, built from typed fields:
 * - Cisco PnP option 43: `5A1N;B2;K4;I<ip>;J<port>` (5 = PnP, A = active, 1 = version,
 *   N/D = debug off/on, B2 = IPv4, K4 = HTTP / K5 = HTTPS, I = server, J = port;
 *   Cisco Network Plug and Play "DHCP discovery", Open_PnP_Server README,
 *   PROVISIONING.md "Cisco PnP" row). benchboot is not a PnP server: this points at one.
 * - Avaya option 242: `HTTPSRVR=1.2.3.4,L2Q=1,L2QVLAN=20` (Avaya J100/96x1 installation
 *   guides, PROVISIONING.md "Avaya" row): NAME=value pairs joined by commas.
 * - Mitel MiNET option 43/125: `id:ipphone.mitel.com;sw_tftp=IP;call_srv=IP,IP;vlan=N;l2p=N;dscp=N`
 *   (Mitel 5560/3300 ICP engineering guidelines, "Vendor information data format
 *   (options 125 and 43)"): must start with the id, case-sensitive, no empty values,
 *   at most 250 characters in option 125 and 255 in option 43 (253 when encapsulated).
 */
import { asciiBytes, checkLength, OptionEncodeError } from './raw-option.js';

/** Where a PnP agent finds its PnP server. */
export interface CiscoPnpTarget {
  /** The PnP server's IPv4 address (B2 = IPv4). */
  readonly serverIp: string;
  readonly port: number;
  /** K4 = HTTP, K5 = HTTPS. */
  readonly transport: 'http' | 'https';
  /** D turns the agent's debug output on, N off. */
  readonly debug?: boolean;
}

/** The Cisco PnP option 43 string. */
export function formatCiscoPnp(t: CiscoPnpTarget): string {
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw new OptionEncodeError(`PnP port ${t.port} is not 1..65535`);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(t.serverIp)) throw new OptionEncodeError(`PnP server "${t.serverIp}" is not an IPv4 address`);
  return `5A1${t.debug === true ? 'D' : 'N'};B2;K${t.transport === 'https' ? 5 : 4};I${t.serverIp};J${t.port}`;
}

/** The Cisco PnP option 43 bytes. */
export function encodeCiscoPnp(t: CiscoPnpTarget): Uint8Array {
  return checkLength(asciiBytes(formatCiscoPnp(t), 'PnP option 43'), 255, 'PnP option 43');
}

/** The Avaya option 242 string from NAME=value pairs (names upper-case letters and digits, values without `=`). */
export function formatAvaya(pairs: readonly (readonly [string, string])[]): string {
  for (const [name, value] of pairs) {
    if (!/^[A-Z][A-Z0-9]*$/.test(name)) throw new OptionEncodeError(`Avaya parameter "${name}" must be upper-case letters and digits`);
    if (value === '' || value.includes('=')) throw new OptionEncodeError(`Avaya parameter ${name}: value "${value}" must be non-empty and without "="`);
  }
  return pairs.map(([n, v]) => `${n}=${v}`).join(',');
}

/** The Avaya option 242 bytes. */
export function encodeAvaya(pairs: readonly (readonly [string, string])[]): Uint8Array {
  return checkLength(asciiBytes(formatAvaya(pairs), 'Avaya option 242'), 255, 'Avaya option 242');
}

/** The Mitel MiNET discrimination string every configuration starts with. */
export const MITEL_ID = 'id:ipphone.mitel.com';

/** Mitel's own limits on the string, per carrier. */
export const MITEL_MAX_CHARS = { 'option-125': 250, 'option-43': 255 } as const;

/** The Mitel MiNET string from tag=value pairs (tags are case-sensitive; no empty values, no `;`). */
export function formatMitel(pairs: readonly (readonly [string, string])[]): string {
  for (const [tag, value] of pairs) {
    if (!/^[a-z][a-z0-9_]*$/.test(tag)) throw new OptionEncodeError(`Mitel tag "${tag}" must be lower-case letters, digits and "_"`);
    if (value === '' || /[;=]/.test(value)) throw new OptionEncodeError(`Mitel tag ${tag}: value "${value}" must be non-empty and without ";" or "="`);
  }
  return [MITEL_ID, ...pairs.map(([t, v]) => `${t}=${v}`)].join(';');
}

/** The Mitel string's bytes, checked against Mitel's limit for the option that carries it. */
export function encodeMitel(pairs: readonly (readonly [string, string])[], carrier: keyof typeof MITEL_MAX_CHARS): Uint8Array {
  return checkLength(asciiBytes(formatMitel(pairs), 'Mitel string'), MITEL_MAX_CHARS[carrier], `the Mitel string for ${carrier}`);
}
