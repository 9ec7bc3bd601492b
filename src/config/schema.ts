/**
 * The shape of a scope file, as a zod schema: which fields exist, their types, and
 * the format of each single value (strict dotted-quad addresses, subnets with host
 * bits zero, MACs, hex, durations, text lengths that fit the BOOTP fields). Relations
 * between fields (range inside subnet, no duplicates, ...) are checked in
 * validate.ts; DHCP option values in options-field.ts with the option registry.
 *
 * Example (`scopes/bench1.yaml`):
 * ```yaml
 * name: bench1
 * interface: eth1
 * subnet: 10.10.0.0/24
 * range: 10.10.0.100-10.10.0.199
 * boot: { tftpServers: [10.10.0.1], file: SEPDefault.cnf.xml }
 * ```
 */
import { z } from 'zod';
import { fromHex } from '../net/bytes.js';
import { parseCidr, parseIpv4, parseMac } from '../net/ipv4.js';
import { parseDuration } from './duration.js';

/** A text value checked by `parse`, whose RangeError message becomes the issue. */
function parsedText<T>(parse: (text: string) => T) {
  return z.string().transform((text, ctx): T => {
    try {
      return parse(text.trim());
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

/** A strict dotted-quad address. */
const ipv4Field = parsedText(parseIpv4);

/** One address or a list of them. */
const ipv4ListField = z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(ipv4Field).min(1));

/** A subnet `a.b.c.d/len` with the host bits zero. */
const cidrField = parsedText((text) => parseCidr(text, true));

/** A 48-bit MAC address. */
const macField = parsedText(parseMac);

/** Hex bytes (`01:00:1b:d4:aa:bb:cc` or `01001bd4aabbcc`). */
const hexField = parsedText((text) => {
  const bytes = fromHex(text);
  if (bytes.length === 0) throw new RangeError('empty hex string');
  return bytes;
});

/** A duration in seconds or with units (30m, 12h, 7d). */
const durationField = z
  .union([z.number(), z.string()], { error: 'expected seconds or a duration such as 30m, 12h, 7d' })
  .transform((v, ctx): number => {
    try {
      return parseDuration(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });

/** Printable ASCII of at most `max` characters (what fits a BOOTP field or an option). */
function asciiText(max: number, what: string) {
  return z
    .string()
    .min(1, { error: 'is empty' })
    .max(max, { error: `is longer than ${max} characters (${what})` })
    .regex(/^[\x20-\x7e]+$/, { error: 'must be printable ASCII (devices read it as plain bytes)' });
}

const serverNameField = asciiText(63, 'the BOOTP sname field holds 64 bytes with the final NUL');
const tftpServerNameField = asciiText(255, 'an option holds 255 bytes');
const fileField = asciiText(127, 'the BOOTP file field holds 128 bytes with the final NUL');

/** A class's boot overrides: each given field replaces the scope's. */
const bootSchema = z.strictObject({
  nextServer: ipv4Field.optional(),
  serverName: serverNameField.optional(),
  tftpServerName: tftpServerNameField.optional(),
  tftpServers: ipv4ListField.optional(),
  file: fileField.optional(),
});

/**
 * The scope's boot block; all optional (defaults follow the router). `null` for
 * nextServer or tftpServerName, or an empty tftpServers list, means "do not send"
 * (Cisco: do not send option 66 together with option 150).
 */
const scopeBootSchema = z.strictObject({
  nextServer: ipv4Field.nullable().optional(),
  serverName: serverNameField.optional(),
  tftpServerName: tftpServerNameField.nullable().optional(),
  tftpServers: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(ipv4Field)).optional(),
  file: fileField.optional(),
});

/** A fixed address for one client. */
export const reservationSchema = z.strictObject({
  mac: macField.optional(),
  clientId: hexField.optional(),
  ip: ipv4Field,
  hostname: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/, {
      error: 'is not a host name (letters, digits and hyphens, dot-separated labels)',
    })
    .optional(),
});

const archNumber = z.number().int().min(0, { error: 'must be 0..65535' }).max(0xffff, { error: 'must be 0..65535' });

/** How a client class is recognised. */
const matchSchema = z.strictObject({
  vendorClass: z.string().min(1, { error: 'is empty' }).optional(),
  userClass: z.string().min(1, { error: 'is empty' }).optional(),
  arch: z.preprocess((v) => (typeof v === 'number' ? [v] : v), z.array(archNumber).min(1)).optional(),
});

/** Per-class overrides. */
export const classSchema = z.strictObject({
  name: z.string().min(1, { error: 'is empty' }),
  match: matchSchema,
  boot: bootSchema.optional(),
  options: z.unknown().optional(),
  /** Vendor profile ids for devices of this class (replaces the scope's list). */
  profiles: z.array(z.string().min(1, { error: 'is empty' })).optional(),
});

/** The whole scope file. `range` and `options` are checked field by field in validate.ts. */
export const scopeFileSchema = z.strictObject({
  name: z.string().min(1, { error: 'is empty' }),
  interface: z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, {
    error: 'is not a network interface name (at most 15 letters, digits, or . _ - : @)',
  }),
  subnet: cidrField,
  range: z.unknown().optional(),
  router: ipv4Field.optional(),
  dns: ipv4ListField.optional(),
  domain: z
    .string()
    .regex(/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/, {
      error: 'is not a domain name',
    })
    .optional(),
  leaseTime: durationField.optional(),
  declineTime: durationField.optional(),
  authoritative: z.boolean().optional(),
  boot: scopeBootSchema.optional(),
  reservations: z.array(reservationSchema).optional(),
  options: z.unknown().optional(),
  classes: z.array(classSchema).optional(),
  /** Vendor profile ids the scope uses (`profiles: [cisco-phone, yealink]`). */
  profiles: z.array(z.string().min(1, { error: 'is empty' })).optional(),
});

/** A scope file after the shape check, before relations and defaults. */
export type ScopeFile = z.infer<typeof scopeFileSchema>;
/** A class's `boot` block after the shape check. */
export type BootFile = z.infer<typeof bootSchema>;
/** The scope's `boot` block after the shape check. */
export type ScopeBootFile = z.infer<typeof scopeBootSchema>;
/** One reservation after the shape check. */
export type ReservationFile = z.infer<typeof reservationSchema>;
/** One class after the shape check. */
export type ClassFile = z.infer<typeof classSchema>;

/** Field names allowed in each kind of map, for "did you mean" on unknown fields. */
export const KNOWN_FIELDS = {
  scope: Object.keys(scopeFileSchema.shape),
  boot: Object.keys(bootSchema.shape),
  reservation: Object.keys(reservationSchema.shape),
  match: Object.keys(matchSchema.shape),
  class: Object.keys(classSchema.shape),
  range: ['start', 'end'],
  option: ['code', 'name', 'value', 'hex', 'always'],
} as const;

/** Which kind of map a path points at (for KNOWN_FIELDS). */
export function mapKindAt(path: readonly (string | number)[]): keyof typeof KNOWN_FIELDS {
  const last = path[path.length - 1];
  const before = path[path.length - 2];
  if (path.length === 0) return 'scope';
  if (last === 'boot') return 'boot';
  if (last === 'match') return 'match';
  if (last === 'range' || before === 'range') return 'range';
  if (before === 'reservations') return 'reservation';
  if (before === 'classes') return 'class';
  if (last === 'options' || before === 'options') return 'option';
  return 'scope';
}
