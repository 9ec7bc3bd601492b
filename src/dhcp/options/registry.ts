/**
 * The DHCP option registry: every option benchboot knows, code ↔ name ↔ value family
 * (the codec in this folder that encodes and decodes it), with the RFC section that
 * defines it (as insomniacslk/dhcp pairs codes with names and RFCs).
 *
 * Any code 1..254 that is not listed is still usable as raw hex (`option-200`, or the
 * number). Pad (0) and End (255) are framing, not options, and are not in the registry.
 *
 * Example (scope file):
 * ```yaml
 * options:
 *   tftp-servers: [10.0.0.1, 10.0.0.2]      # 150, RFC 5859
 *   domain-search: [lab.example, example]   # 119, RFC 3397
 *   classless-static-routes:                # 121, RFC 3442
 *     - 10.20.0.0/16 via 10.0.0.254
 *   vendor-specific:                        # 43, RFC 2132 §8.4
 *     - { code: 1, hex: "0a000001" }
 *   200: "deadbeef"                         # any code as raw hex
 * ```
 */
/** How an option's value bytes are laid out. */
export type OptionType =
  /** One IPv4 address (4 bytes). */
  | 'ip'
  /** One or more IPv4 addresses (4·n bytes). */
  | 'ip-list'
  /** Pairs of addresses, destination then router (RFC 2132 §5.8). */
  | 'ip-pairs'
  | 'u8'
  | 'u16'
  | 'u32'
  | 'i32'
  /** A list of one-byte values (e.g. option 55). */
  | 'u8-list'
  /** A list of two-byte values (e.g. option 93). */
  | 'u16-list'
  /** One byte, 0 or 1. */
  | 'bool'
  /** NVT ASCII text, sent without a trailing NUL (RFC 2132 §2). */
  | 'string'
  /** Raw bytes, written as hex. */
  | 'hex'
  /** RFC 1035 names, as option 119 carries them (RFC 3397 §2). */
  | 'domain-list'
  /** Classless static routes (RFC 3442 §3). */
  | 'classless-routes'
  /** Encapsulated sub-options code/length/value (RFC 2132 §8.4, RFC 3046 §2.0). */
  | 'sub-options'
  /** Client identifier: type byte + bytes (RFC 2132 §9.14). */
  | 'client-id'
  /** User class: RFC 3004 length-prefixed list, or iPXE's plain text. */
  | 'user-class';

/** One entry of the option registry. */
export interface OptionDef {
  /** Option code, 1..254. */
  readonly code: number;
  /** kebab-case name used in scope files and logs. */
  readonly name: string;
  readonly type: OptionType;
  /** Where it is defined, e.g. "RFC 2132 §9.4". */
  readonly rfc: string;
  /** False when benchboot's engine sets it itself (a scope file may not). */
  readonly configurable: boolean;
  /** Other names accepted by `findOption`. */
  readonly aliases?: readonly string[];
}

type Def = [code: number, name: string, type: OptionType, rfc: string, configurable?: boolean, aliases?: readonly string[]];

const DEFS: readonly Def[] = [
  [1, 'subnet-mask', 'ip', 'RFC 2132 §3.3', false],
  [2, 'time-offset', 'i32', 'RFC 2132 §3.4'],
  [3, 'routers', 'ip-list', 'RFC 2132 §3.5', true, ['router']],
  [4, 'time-servers', 'ip-list', 'RFC 2132 §3.6'],
  [5, 'ien116-name-servers', 'ip-list', 'RFC 2132 §3.7'],
  [6, 'domain-name-servers', 'ip-list', 'RFC 2132 §3.8', true, ['dns-servers', 'dns']],
  [7, 'log-servers', 'ip-list', 'RFC 2132 §3.9'],
  [12, 'host-name', 'string', 'RFC 2132 §3.14', true, ['hostname']],
  [13, 'boot-file-size', 'u16', 'RFC 2132 §3.15'],
  [15, 'domain-name', 'string', 'RFC 2132 §3.17'],
  [17, 'root-path', 'string', 'RFC 2132 §3.19'],
  [19, 'ip-forwarding', 'bool', 'RFC 2132 §4.1'],
  [23, 'default-ip-ttl', 'u8', 'RFC 2132 §4.5'],
  [26, 'interface-mtu', 'u16', 'RFC 2132 §5.1'],
  [28, 'broadcast-address', 'ip', 'RFC 2132 §5.3'],
  [33, 'static-routes', 'ip-pairs', 'RFC 2132 §5.8'],
  [35, 'arp-cache-timeout', 'u32', 'RFC 2132 §6.2'],
  [40, 'nis-domain', 'string', 'RFC 2132 §8.1'],
  [41, 'nis-servers', 'ip-list', 'RFC 2132 §8.2'],
  [42, 'ntp-servers', 'ip-list', 'RFC 2132 §8.3'],
  [43, 'vendor-specific', 'sub-options', 'RFC 2132 §8.4', true, ['vendor-encapsulated-options']],
  [44, 'netbios-name-servers', 'ip-list', 'RFC 2132 §8.5'],
  [46, 'netbios-node-type', 'u8', 'RFC 2132 §8.7'],
  [50, 'requested-address', 'ip', 'RFC 2132 §9.1', false],
  [51, 'lease-time', 'u32', 'RFC 2132 §9.2', false],
  [52, 'option-overload', 'u8', 'RFC 2132 §9.3', false],
  [53, 'message-type', 'u8', 'RFC 2132 §9.6', false],
  [54, 'server-identifier', 'ip', 'RFC 2132 §9.7', false],
  [55, 'parameter-request-list', 'u8-list', 'RFC 2132 §9.8', false],
  [56, 'message', 'string', 'RFC 2132 §9.9', false],
  [57, 'max-message-size', 'u16', 'RFC 2132 §9.10', false],
  [58, 'renewal-time', 'u32', 'RFC 2132 §9.11', true, ['t1']],
  [59, 'rebinding-time', 'u32', 'RFC 2132 §9.12', true, ['t2']],
  [60, 'vendor-class-identifier', 'string', 'RFC 2132 §9.13', true, ['vendor-class']],
  [61, 'client-identifier', 'client-id', 'RFC 2132 §9.14', false, ['client-id']],
  [66, 'tftp-server-name', 'string', 'RFC 2132 §9.4'],
  [67, 'bootfile-name', 'string', 'RFC 2132 §9.5', true, ['boot-file']],
  [69, 'smtp-servers', 'ip-list', 'RFC 2132 §8.14'],
  [72, 'www-servers', 'ip-list', 'RFC 2132 §8.17'],
  [77, 'user-class', 'user-class', 'RFC 3004 §4'],
  [81, 'client-fqdn', 'hex', 'RFC 4702 §2', false],
  [82, 'relay-agent-information', 'sub-options', 'RFC 3046 §2.0', false, ['relay-agent-info']],
  [90, 'authentication', 'hex', 'RFC 3118 §2'],
  [93, 'client-arch', 'u16-list', 'RFC 4578 §2.1', false],
  [94, 'client-ndi', 'hex', 'RFC 4578 §2.2', false],
  [97, 'client-machine-id', 'hex', 'RFC 4578 §2.3', false, ['uuid-guid']],
  [100, 'posix-timezone', 'string', 'RFC 4833 §2'],
  [101, 'tzdb-timezone', 'string', 'RFC 4833 §2'],
  [114, 'captive-portal', 'string', 'RFC 8910 §2.1'],
  [116, 'auto-configure', 'u8', 'RFC 2563 §2'],
  [118, 'subnet-selection', 'ip', 'RFC 3011 §3', false],
  [119, 'domain-search', 'domain-list', 'RFC 3397 §2'],
  [120, 'sip-servers', 'hex', 'RFC 3361 §3'],
  [121, 'classless-static-routes', 'classless-routes', 'RFC 3442 §3'],
  [125, 'vivso', 'hex', 'RFC 3925 §4'],
  [150, 'tftp-servers', 'ip-list', 'RFC 5859 §3', true, ['tftp-server-address']],
  // 160 was the captive-portal code of RFC 7710; RFC 8910 §2.1 moved it to 114 because
  // Polycom phones already used 160 for their provisioning server URL.
  [160, 'polycom-provisioning-server', 'string', 'RFC 8910 §2.1 (vendor use)'],
  [209, 'pxelinux-configfile', 'string', 'RFC 5071 §5'],
  [210, 'pxelinux-pathprefix', 'string', 'RFC 5071 §6'],
  [211, 'pxelinux-reboottime', 'u32', 'RFC 5071 §7'],
  // 224..254 are site-specific (RFC 3942 §4); these two are the ones phone benches meet.
  [242, 'avaya-ip-phone', 'string', 'RFC 3942 §4 (site-specific; Avaya IP phones)'],
  [252, 'wpad', 'string', 'RFC 3942 §4 (site-specific; WPAD draft)'],
];

const BY_CODE = new Map<number, OptionDef>();
const BY_NAME = new Map<string, OptionDef>();
for (const [code, name, type, rfc, configurable = true, aliases] of DEFS) {
  const def: OptionDef = Object.freeze({ code, name, type, rfc, configurable, ...(aliases ? { aliases } : {}) });
  BY_CODE.set(code, def);
  BY_NAME.set(name, def);
  for (const alias of aliases ?? []) BY_NAME.set(alias, def);
}

/** Every named option, by code. */
export function listOptions(): readonly OptionDef[] {
  return [...BY_CODE.values()];
}

function rawDef(code: number): OptionDef {
  return { code, name: `option-${code}`, type: 'hex', rfc: code >= 224 ? 'RFC 3942 §4 (site-specific)' : 'RFC 2132 §2', configurable: true };
}

/**
 * The definition of an option by code (1..254), numeric text ("150"), name
 * ("tftp-servers"), alias, or `option-N`; undefined for anything else (incl. 0 and 255).
 */
export function findOption(nameOrCode: string | number): OptionDef | undefined {
  let code: number | undefined;
  if (typeof nameOrCode === 'number') code = nameOrCode;
  else if (/^\d{1,3}$/.test(nameOrCode)) code = Number(nameOrCode);
  else {
    const named = BY_NAME.get(nameOrCode.toLowerCase());
    if (named) return named;
    const m = /^option-(\d{1,3})$/.exec(nameOrCode.toLowerCase());
    if (!m) return undefined;
    code = Number(m[1]);
  }
  if (!Number.isInteger(code) || code < 1 || code > 254) return undefined;
  return BY_CODE.get(code) ?? rawDef(code);
}

/** `option 150 (tftp-servers)`, the prefix of every message about an option. */
export function describeOption(def: OptionDef): string {
  return `option ${def.code} (${def.name})`;
}

