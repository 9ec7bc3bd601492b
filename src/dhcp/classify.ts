/**
 * Client classes: which per-class boot overrides apply to a request.
 *
 * A class matches when every matcher it gives matches (a class with no matcher
 * matches everyone); the first matching class in file order wins.
 * - `vendorClass`: option 60 (RFC 2132 §9.13) starts with the text, e.g. "PXEClient"
 *   or "Cisco Systems, Inc. IP Phone".
 * - `userClass`: option 77 contains the text. Option 77 comes in two shapes: RFC 3004
 *   §4's list of length-prefixed names (dhclient), and iPXE's plain string "iPXE"
 *   without a length byte; both are read.
 * - `arch`: option 93 (RFC 4578 §2.1) is one of the numbers; 0 is BIOS, 7 and 9 are
 *   x64 UEFI. This is why UEFI firmware gets ipxe.efi and BIOS gets undionly.kpxe.
 */
import type { ClassMatch, ClientClass, Scope } from './scope.js';
import { OPTION } from './constants.js';
import { splitUserClass } from './options/user-class.js';
import { getOption, getOptionText } from './packet.js';
import type { DhcpPacket } from './packet.js';

/** The class facts of one request, read once. */
export interface ClientFacts {
  readonly vendorClass?: string;
  /** RFC 3004 entries, or the plain text as one entry. */
  readonly userClasses: readonly string[];
  readonly arch: readonly number[];
}

/** Reads options 60, 77 and 93 from a request. */
export function clientFacts(packet: Pick<DhcpPacket, 'options'>): ClientFacts {
  const vendorClass = getOptionText(packet, OPTION.VENDOR_CLASS);
  const uc = getOption(packet, OPTION.USER_CLASS);
  const userClasses: string[] = [];
  if (uc !== undefined) {
    const plain = new TextDecoder().decode(uc);
    userClasses.push(...(splitUserClass(uc) ?? []), plain);
  }
  const archBytes = getOption(packet, OPTION.CLIENT_ARCH) ?? new Uint8Array(0);
  const arch: number[] = [];
  for (let i = 0; i + 1 < archBytes.length; i += 2) arch.push(((archBytes[i] ?? 0) << 8) | (archBytes[i + 1] ?? 0));
  return { ...(vendorClass !== undefined ? { vendorClass } : {}), userClasses, arch };
}

/** True when every matcher the class gives matches these facts. */
export function classMatches(match: ClassMatch, facts: ClientFacts): boolean {
  if (match.vendorClass !== undefined && !(facts.vendorClass ?? '').startsWith(match.vendorClass)) return false;
  const wanted = match.userClass;
  if (wanted !== undefined && !facts.userClasses.some((u) => u.includes(wanted))) return false;
  if (match.arch !== undefined && !facts.arch.some((a) => match.arch?.includes(a))) return false;
  return true;
}

/** The first class of the scope that matches the request's class facts, in file order. */
export function classify(scope: Pick<Scope, 'classes'>, facts: ClientFacts): ClientClass | undefined {
  return scope.classes.find((c) => classMatches(c.match, facts));
}
