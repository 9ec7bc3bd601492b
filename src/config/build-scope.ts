/**
 * The last step of scope validation: a file whose shape and relations are fine
 * becomes the effective, frozen `Scope` (defaults filled in from defaults.ts).
 */
import { DEFAULT_DECLINE_SECONDS, DEFAULT_LEASE_SECONDS, bootWithDefaults, defaultedOptions, freezeScope, type BootInput } from './defaults.js';
import type { BootFile, ClassFile, ReservationFile, ScopeBootFile, ScopeFile } from './schema.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { AddressRange, BootData, ClientClass, Reservation, Scope, ScopeOption } from './scope.js';

/** The boot fields a file gives, absent ones left out; a class's block has no nulls, so it yields BootData fields. */
export function bootOf(b: BootFile | undefined): Partial<BootData>;
export function bootOf(b: ScopeBootFile | undefined): BootInput;
export function bootOf(b: ScopeBootFile | undefined): BootInput {
  if (!b) return {};
  return {
    ...(b.nextServer === undefined ? {} : { nextServer: b.nextServer }),
    ...(b.serverName === undefined ? {} : { serverName: b.serverName }),
    ...(b.tftpServerName === undefined ? {} : { tftpServerName: b.tftpServerName }),
    ...(b.tftpServers === undefined ? {} : { tftpServers: b.tftpServers }),
    ...(b.file === undefined ? {} : { file: b.file }),
  };
}

/** A reservation as the scope holds it. */
export function reservationOf(r: ReservationFile): Reservation {
  return {
    ...(r.mac === undefined ? {} : { mac: r.mac }),
    ...(r.clientId === undefined ? {} : { clientId: r.clientId }),
    ip: r.ip,
    ...(r.hostname === undefined ? {} : { hostname: r.hostname }),
  };
}

/** A client class as the scope holds it, with its parsed options. */
export function classOf(c: ClassFile, options: readonly ScopeOption[]): ClientClass {
  return {
    name: c.name,
    match: {
      ...(c.match.vendorClass === undefined ? {} : { vendorClass: c.match.vendorClass }),
      ...(c.match.userClass === undefined ? {} : { userClass: c.match.userClass }),
      ...(c.match.arch === undefined ? {} : { arch: c.match.arch }),
    },
    boot: bootOf(c.boot),
    options,
    ...(c.profiles === undefined ? {} : { profiles: c.profiles }),
  };
}

/** What {@link buildScope} assembles besides the file's fields. */
export interface ScopeParts {
  readonly fileName: string;
  readonly pool: AddressRange[];
  readonly router: Ipv4;
  readonly options: readonly ScopeOption[];
  readonly classOptions: readonly (readonly ScopeOption[])[];
}

/** The effective scope of a valid file. */
export function buildScope(s: ScopeFile, parts: ScopeParts): Scope {
  const { router } = parts;
  const scope: Scope = {
    name: s.name,
    source: parts.fileName,
    interface: s.interface,
    subnet: s.subnet,
    ranges: parts.pool,
    router,
    dns: s.dns ?? [router],
    ...(s.domain === undefined ? {} : { domain: s.domain.replace(/\.$/, '') }),
    leaseSeconds: s.leaseTime ?? DEFAULT_LEASE_SECONDS,
    boot: bootWithDefaults(bootOf(s.boot), router),
    defaultedOptions: defaultedOptions(bootOf(s.boot)),
    reservations: (s.reservations ?? []).map(reservationOf),
    options: parts.options,
    classes: (s.classes ?? []).map((c, i) => classOf(c, parts.classOptions[i] ?? [])),
    authoritative: s.authoritative ?? true,
    declineSeconds: s.declineTime ?? DEFAULT_DECLINE_SECONDS,
    ...(s.profiles === undefined ? {} : { profiles: s.profiles }),
  };
  return freezeScope(scope);
}
