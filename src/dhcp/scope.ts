/**
 * The scope model the DHCP server answers from: what one scope means once it is parsed,
 * validated and completed with defaults (by src/config, which re-exports these types).
 * Every field says where it goes on the wire. The engine only ever sees this readonly,
 * already-checked shape; dhcp owns it so that config depends on dhcp and never the reverse.
 */
import type { Cidr, Ipv4, MacAddress } from '../net/ipv4.js';

/** An inclusive address range of a pool. */
export interface AddressRange {
  readonly start: Ipv4;
  readonly end: Ipv4;
}

/** Where a device learns its TFTP server and boot file (Cisco's precedence: 150, 66, siaddr, sname). */
export interface BootData {
  /** siaddr, "next-server" (RFC 2131 §2). */
  readonly nextServer?: Ipv4;
  /** sname, the 64-byte server host name field (RFC 2131 §2). */
  readonly serverName?: string;
  /** Option 66, TFTP server name (RFC 2132 §9.4). */
  readonly tftpServerName?: string;
  /** Option 150, TFTP server address list (RFC 5859). */
  readonly tftpServers: readonly Ipv4[];
  /** file (128-byte BOOTP field) and option 67 (RFC 2132 §9.5). */
  readonly file?: string;
}

/** A fixed address for one client, by MAC (chaddr) or client identifier (option 61). */
export interface Reservation {
  readonly mac?: MacAddress;
  /** Option 61 bytes, type byte included (RFC 2132 §9.14). */
  readonly clientId?: Uint8Array;
  readonly ip: Ipv4;
  /** Option 12 sent to this client. */
  readonly hostname?: string;
}

/** A configured DHCP option, already encoded to its value bytes. */
export interface ScopeOption {
  readonly code: number;
  /** Value bytes, without code and length (split per RFC 3396 on encode if > 255). */
  readonly data: Uint8Array;
  /** Sent even when the client did not ask for it in option 55. */
  readonly always: boolean;
}

/** How a client class is recognised. Every given matcher must match. */
export interface ClassMatch {
  /** Option 60 starts with this text (e.g. "PXEClient", "Cisco Systems"). */
  readonly vendorClass?: string;
  /** Option 77 contains this text (e.g. "iPXE"). */
  readonly userClass?: string;
  /** Option 93 is one of these architecture types (RFC 4578: 0 BIOS, 7/9 x64 UEFI). */
  readonly arch?: readonly number[];
}

/** Per-class overrides: the first class (in file order) that matches wins. */
export interface ClientClass {
  readonly name: string;
  readonly match: ClassMatch;
  readonly boot: Partial<BootData>;
  readonly options: readonly ScopeOption[];
  /** Vendor profile ids for devices of this class (read by the product's policy; the engine ignores them). */
  readonly profiles?: readonly string[];
}

/** One effective scope. */
export interface Scope {
  readonly name: string;
  /** The file it was loaded from, when it came from a file. */
  readonly source?: string;
  /** The interface whose broadcasts this scope answers (direct, not relayed). */
  readonly interface: string;
  readonly subnet: Cidr;
  /** Pool ranges, inside the subnet, not overlapping. */
  readonly ranges: readonly AddressRange[];
  /** Option 3. */
  readonly router?: Ipv4;
  /** Option 6. */
  readonly dns: readonly Ipv4[];
  /** Option 15. */
  readonly domain?: string;
  /** Option 51, seconds. T1 (58) = 50 %, T2 (59) = 87.5 % unless set in options. */
  readonly leaseSeconds: number;
  readonly boot: BootData;
  readonly reservations: readonly Reservation[];
  readonly options: readonly ScopeOption[];
  readonly classes: readonly ClientClass[];
  /** NAK requests for addresses that are not ours to give (RFC 2131 §4.3.2). */
  readonly authoritative: boolean;
  /** How long a DECLINEd address stays out of the pool. */
  readonly declineSeconds: number;
  /** Vendor profile ids the scope uses (read by the product's policy; the engine ignores them). */
  readonly profiles?: readonly string[];
  /**
   * Option codes among 66 and 150 whose value came from defaults (the router) rather than
   * the scope file: a per-device policy may replace or withhold these, never explicit ones.
   */
  readonly defaultedOptions?: readonly number[];
}
