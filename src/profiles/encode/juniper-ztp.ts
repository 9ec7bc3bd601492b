/**
 * Juniper ZTP option 43 sub-options (Junos "Zero Touch Provisioning" DHCP options;
 * openfibernet/juniper-ztp dhcpd.conf; PROVISIONING.md "Juniper ZTP" row): all text.
 *   00 image file name, 01 configuration file name, 02 image file type (`symlink`),
 *   03 transfer mode (`ftp`, `tftp`, `http`), 04 alternate image file name, 05 HTTP port.
 * The file server itself comes from option 150 or 66 (150 wins).
 */
import { asciiBytes, OptionEncodeError } from './raw-option.js';
import { encodeSubOptions, type SubOption } from './sub-options.js';

/** Juniper ZTP sub-option codes. */
export const JUNIPER_ZTP = { imageFile: 0, configFile: 1, imageType: 2, transferMode: 3, altImageFile: 4, httpPort: 5 } as const;

/** What a Juniper switch is told to fetch. */
export interface JuniperZtp {
  readonly imageFile?: string;
  readonly configFile?: string;
  readonly imageType?: 'symlink';
  readonly transferMode?: 'ftp' | 'tftp' | 'http';
  readonly altImageFile?: string;
  readonly httpPort?: number;
}

/** The option 43 bytes for Juniper ZTP, sub-options in code order. */
export function encodeJuniperZtp(z: JuniperZtp): Uint8Array {
  if (z.httpPort !== undefined && (!Number.isInteger(z.httpPort) || z.httpPort < 1 || z.httpPort > 65535)) throw new OptionEncodeError(`HTTP port ${z.httpPort} is not 1..65535`);
  const fields: [keyof typeof JUNIPER_ZTP, string | undefined][] = [
    ['imageFile', z.imageFile],
    ['configFile', z.configFile],
    ['imageType', z.imageType],
    ['transferMode', z.transferMode],
    ['altImageFile', z.altImageFile],
    ['httpPort', z.httpPort?.toString()],
  ];
  const subs: SubOption[] = [];
  for (const [name, value] of fields) if (value !== undefined) subs.push({ code: JUNIPER_ZTP[name], data: asciiBytes(value, `Juniper ZTP ${name}`) });
  if (z.imageFile === undefined && z.configFile === undefined) throw new OptionEncodeError('Juniper ZTP needs at least an image or a configuration file');
  return encodeSubOptions(subs);
}
