/**
 * The product's side of the DHCP policy port (src/dhcp/request-policy.ts): vendor
 * profiles and the device inventory decide, per device on a mixed bench, what one
 * answer adds to the scope. Pure; the caches hold only values derived from immutable
 * inputs (scopes, profiles) and are bounded.
 *
 * Precedence (issue 12):
 * - the inventory row (by option 61, then chaddr) may force a profile; otherwise the
 *   class's `profiles` (or else the scope's) are matched by option 60/77/93/61, and
 *   only then by MAC OUI (matchProfile);
 * - an option set explicitly in the scope or class (its `options`, or a boot field the
 *   file gives) wins; the profile's options replace the scope's *defaults* (66 and 150
 *   follow the router unless set) and are sent whether or not the device asks;
 * - the profile's `withholds` drop default options only (cisco-phone: no default 66);
 * - a profile sending 150 puts siaddr on the first option-150 address and never sends
 *   a dotted IP in sname (the Cisco seed's precedence); a boot file (67) also fills `file`;
 * - the row's `hostname` is option 12. Its `ip` is a reservation of the scope
 *   (inventory-reservations.ts), handled by the engine like any reservation.
 */
import type { RequestPolicy, RequestPolicyInput } from '../dhcp/request-policy.js';
import type { ClientClass, Scope } from '../config/scope.js';
import type { InventoryIndex, DeviceRow } from '../inventory/index.js';
import { ipv4FromBytes, isIpv4, type Ipv4 } from '../net/ipv4.js';
import { clientIdText, matchProfile, OptionEncodeError, resolveProfileOptions, type Profile, type ProfileChoice, type ResolvedOption } from '../profiles/index.js';

const OPTION_TFTP_SERVER_NAME = 66;
const OPTION_BOOTFILE = 67;
const OPTION_TFTP_SERVERS = 150;
/** Longest boot file the BOOTP `file` field holds (128 bytes with the final NUL). */
const FILE_FIELD_MAX = 127;
/** Bound of each cache: a bench has a handful of vendor classes and servers. */
const CACHE_MAX = 1024;

/** A Map that forgets everything when it grows past CACHE_MAX (no eviction order to get wrong); values are never undefined. */
class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  get(key: string, make: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    if (this.map.size >= CACHE_MAX) this.map.clear();
    const value = make();
    this.map.set(key, value);
    return value;
  }
}

/** Option codes the scope and class set explicitly, which no profile may replace or withhold. */
export function explicitCodes(scope: Scope, clientClass: ClientClass | undefined): Set<number> {
  const codes = new Set<number>();
  for (const o of scope.options) codes.add(o.code);
  for (const o of clientClass?.options ?? []) codes.add(o.code);
  const defaulted = scope.defaultedOptions ?? [];
  if (scope.boot.tftpServerName !== undefined && !defaulted.includes(OPTION_TFTP_SERVER_NAME)) codes.add(OPTION_TFTP_SERVER_NAME);
  if (scope.boot.tftpServers.length > 0 && !defaulted.includes(OPTION_TFTP_SERVERS)) codes.add(OPTION_TFTP_SERVERS);
  if (scope.boot.file !== undefined) codes.add(OPTION_BOOTFILE);
  const cb = clientClass?.boot;
  if (cb?.tftpServerName !== undefined) codes.add(OPTION_TFTP_SERVER_NAME);
  if (cb?.tftpServers !== undefined) codes.add(OPTION_TFTP_SERVERS);
  if (cb?.file !== undefined) codes.add(OPTION_BOOTFILE);
  return codes;
}

/** The profile ids that apply: the class's list when it has one, else the scope's. */
function profileIdsOf(scope: Scope, clientClass: ClientClass | undefined): readonly string[] {
  return clientClass?.profiles ?? scope.profiles ?? [];
}

/** The profile's options resolved for this server, architecture and HTTP port, or [] when a value cannot be encoded. */
function resolveOrNone(profile: Profile, server: Ipv4, arch: number | undefined, httpPort: number | undefined): readonly ResolvedOption[] {
  try {
    return resolveProfileOptions(profile, { server, ...(arch !== undefined ? { arch } : {}), ...(httpPort !== undefined ? { httpPort } : {}) });
  } catch (err) {
    // A profile parameter that cannot be encoded sends nothing rather than a wrong value.
    if (err instanceof OptionEncodeError) return [];
    throw err;
  }
}

/** The device's view of boot data once the profile's options apply: siaddr, sname, file. */
function bootFor(scope: Scope, clientClass: ClientClass | undefined, sent: readonly ResolvedOption[], explicit: ReadonlySet<number>, sendsServers: boolean): RequestPolicy['boot'] {
  const boot = { ...scope.boot, ...clientClass?.boot };
  const servers = sent.find((o) => o.code === OPTION_TFTP_SERVERS);
  const file = sent.find((o) => o.code === OPTION_BOOTFILE);
  const out: { siaddr?: Ipv4; sname?: string; file?: string } = {};
  const firstServer = servers !== undefined && servers.data.length >= 4 ? ipv4FromBytes(servers.data) : explicit.has(OPTION_TFTP_SERVERS) ? boot.tftpServers[0] : undefined;
  if (sendsServers) {
    if (firstServer !== undefined) out.siaddr = firstServer;
    if (boot.serverName !== undefined && isIpv4(boot.serverName)) out.sname = '';
  }
  if (file !== undefined && file.data.length <= FILE_FIELD_MAX) out.file = new TextDecoder().decode(file.data);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The pure policy: profiles from the scope/class lists, the inventory row's host name and forced profile. */
export class ProvisioningPolicy {
  private index: InventoryIndex | undefined;
  private readonly matches = new BoundedCache<ProfileChoice | null>();
  private readonly resolved = new BoundedCache<readonly ResolvedOption[]>();

  constructor(index?: InventoryIndex) {
    this.index = index;
  }

  /** Replaces the inventory (start, reload); undefined when none is loaded. */
  setInventory(index: InventoryIndex | undefined): void {
    this.index = index;
  }

  /**
   * The decoration of one answer, or undefined when nothing applies (the common case
   * costs two lookups). `httpPort`: the port serve runs HTTP on, undefined when it does
   * not (phone profiles then name a URL in 66; see vendors/phones.ts).
   */
  answer(input: RequestPolicyInput, httpPort?: number): RequestPolicy | undefined {
    const { facts, scope, clientClass } = input;
    const ids = profileIdsOf(scope, clientClass);
    const row = this.index?.lookup({ mac: facts.mac, ...(facts.clientId !== undefined ? { clientId: facts.clientId } : {}) });
    if (ids.length === 0 && row?.profile === undefined && row?.hostname === undefined) return undefined;
    const choice = this.choose(input, ids, row);
    const hostname = row?.hostname !== undefined ? { hostname: row.hostname } : {};
    if (choice === undefined) return { options: [], withhold: [], ...hostname };
    return { ...this.profileParts(input, choice.profile, httpPort), ...hostname, label: choice.profile.id };
  }

  private choose(input: RequestPolicyInput, ids: readonly string[], row: DeviceRow | undefined): ProfileChoice | undefined {
    const cf = input.facts.classFacts;
    const idText = clientIdText(input.facts.clientId);
    const facts = {
      mac: input.facts.mac,
      ...(cf.vendorClass !== undefined ? { vendorClass: cf.vendorClass } : {}),
      ...(cf.userClasses[0] !== undefined ? { userClass: cf.userClasses[0] } : {}),
      ...(cf.arch[0] !== undefined ? { arch: cf.arch[0] } : {}),
      ...(idText !== undefined ? { clientIdText: idText } : {}),
    };
    if (row?.profile !== undefined) return matchProfile(facts, ids, row.profile);
    const key = `${ids.join(',')}\0${facts.vendorClass ?? ''}\0${facts.userClass ?? ''}\0${facts.arch ?? ''}\0${facts.mac.slice(0, 8)}\0${idText ?? ''}`;
    return this.matches.get(key, () => matchProfile(facts, ids) ?? null) ?? undefined;
  }

  private profileParts(input: RequestPolicyInput, profile: Profile, httpPort: number | undefined): Pick<RequestPolicy, 'options' | 'withhold' | 'boot'> {
    const { scope, clientClass } = input;
    const explicit = explicitCodes(scope, clientClass);
    const server = clientClass?.boot.nextServer ?? scope.boot.nextServer ?? input.serverAddress;
    const arch = input.facts.classFacts.arch[0];
    const all = this.resolved.get(`${profile.id}\0${server}\0${arch ?? ''}\0${httpPort ?? ''}`, () => resolveOrNone(profile, server, arch, httpPort));
    const options = all.filter((o) => !explicit.has(o.code));
    const withhold = profile.withholds.filter((c) => !explicit.has(c));
    const sendsServers = profile.options.some((o) => o.code === OPTION_TFTP_SERVERS);
    const boot = bootFor(scope, clientClass, options, explicit, sendsServers);
    return { options, withhold, ...(boot !== undefined ? { boot } : {}) };
  }
}
