/**
 * DHCPv4 protocol numbers as `as const` tables: BOOTP ops, message types, the
 * option codes benchboot's logic refers to, ports and fixed sizes. Logic uses
 * these names, never bare numbers (RFC 951, RFC 2131, RFC 2132).
 */

/** BOOTP `op` field (RFC 951, RFC 2131 §2). */
export const BOOTP_OP = { BOOTREQUEST: 1, BOOTREPLY: 2 } as const;

/** DHCP message types, option 53 (RFC 2132 §9.6, RFC 4388 for leasequery). */
export const DHCP_MESSAGE_TYPE = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
  LEASEQUERY: 10,
  LEASEUNASSIGNED: 11,
  LEASEUNKNOWN: 12,
  LEASEACTIVE: 13,
} as const;

/** Readable name of a message type number, e.g. 1 → "DISCOVER"; unknown numbers as "TYPE-n". */
export function messageTypeName(type: number | undefined): string {
  if (type === undefined) return 'BOOTP';
  for (const [name, value] of Object.entries(DHCP_MESSAGE_TYPE)) if (value === type) return name;
  return `TYPE-${type}`;
}

/** Option codes that benchboot's codec and engine act on (RFC 2132 unless noted). */
export const OPTION = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS_SERVERS: 6,
  HOST_NAME: 12,
  DOMAIN_NAME: 15,
  BROADCAST_ADDRESS: 28,
  VENDOR_SPECIFIC: 43,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER_NAME: 66,
  BOOTFILE_NAME: 67,
  USER_CLASS: 77,
  RELAY_AGENT_INFO: 82,
  CLIENT_ARCH: 93,
  CLIENT_NDI: 94,
  CLIENT_MACHINE_ID: 97,
  SUBNET_SELECTION: 118,
  TFTP_SERVERS: 150,
  END: 255,
} as const;

/** Option 52 values: which fixed fields carry options (RFC 2132 §9.3). */
export const OVERLOAD = { FILE: 1, SNAME: 2, BOTH: 3 } as const;

/** UDP ports (RFC 2131 §4.1). */
export const DHCP_PORT = { SERVER: 67, CLIENT: 68 } as const;

/** The magic cookie 99.130.83.99 that starts the options area (RFC 2131 §3, RFC 1497). */
export const MAGIC_COOKIE = Uint8Array.of(99, 130, 83, 99);

/** Fixed sizes of the BOOTP message (RFC 951, RFC 2131 §2). */
export const BOOTP_SIZE = {
  /** op..file: the fixed header before the cookie. */
  HEADER: 236,
  CHADDR: 16,
  SNAME: 64,
  FILE: 128,
  /** Offset of sname in the header. */
  SNAME_OFFSET: 44,
  /** Offset of file in the header. */
  FILE_OFFSET: 108,
  /** BOOTP relays and old clients drop anything smaller (RFC 1542 §2.1). */
  MIN_MESSAGE: 300,
  /** Every DHCP client must accept this much (RFC 2131 §2: 576-byte IP datagram). */
  MIN_MAX_MESSAGE: 576,
  /** IP (20, no options) + UDP (8) headers, subtracted from option 57 (RFC 2132 §9.10). */
  IP_UDP_HEADERS: 28,
} as const;

/** The BROADCAST bit of `flags` (RFC 2131 §2, figure 2). */
export const FLAG_BROADCAST = 0x8000;

/** htype for Ethernet (RFC 1700 ARP hardware types). */
export const HTYPE_ETHERNET = 1;

/** How long a DHCPOFFER holds its address for the client, in seconds (RFC 2131 §4.3.1 says "reasonable"). */
export const OFFER_HOLD_SECONDS = 30;
/**
 * When the pool is exhausted, a pending offer at least this old may be given to a new
 * DISCOVER. Clients REQUEST within a second of the OFFER (dhclient, udhcpc, Windows at
 * once); PXE ROMs collect offers for their first 4 s round (PXE 2.1 §2.2.1). Under no
 * pressure an offer keeps its address for OFFER_HOLD_SECONDS.
 */
export const OFFER_RECLAIM_AFTER_SECONDS = 5;
