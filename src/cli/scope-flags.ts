/**
 * The field flags of `benchboot scope add|set` (--subnet, --router, --boot-file,
 * --option, --reserve, --unset ...): which scope-file field each one sets, and the
 * translation of the parsed flags into scope-document edits (BB_USAGE for a flag
 * that cannot be read).
 */
import type { Argv } from 'yargs';
import { ERRORS } from '../errors.js';
import { findOption } from '../dhcp/options/registry.js';
import { isMac } from '../net/ipv4.js';
import type { ScopeEdit } from '../config/edit.js';
import { didYouMean, type FieldPath } from '../config/issues.js';

/**
 * Flags that set one field, where that field is in the file, and whether the flag
 * takes a list (repeat it, or separate with commas). In file order: `add` writes
 * the fields in this order.
 */
const FIELD_FLAGS = {
  interface: { path: ['interface'], list: false, describe: 'Network interface whose broadcasts this scope answers (e.g. eth1)' },
  subnet: { path: ['subnet'], list: false, describe: 'Subnet in CIDR form, host bits zero (e.g. 10.10.0.0/24)' },
  range: { path: ['range'], list: true, describe: 'Pool range start-end (repeatable; default: the rest of the subnet)' },
  router: { path: ['router'], list: false, describe: 'Option 3 router (default: first host of the subnet)' },
  dns: { path: ['dns'], list: true, describe: 'Option 6 DNS server (repeatable; default: router)' },
  domain: { path: ['domain'], list: false, describe: 'Option 15 domain name' },
  'lease-time': { path: ['leaseTime'], list: false, describe: 'Lease time: seconds or 30m, 12h, 7d (default 1h)' },
  'decline-time': { path: ['declineTime'], list: false, describe: 'How long a declined address rests (default 10m)' },
  'next-server': { path: ['boot', 'nextServer'], list: false, describe: 'siaddr / next-server: TFTP server address (default: router)' },
  'server-name': { path: ['boot', 'serverName'], list: false, describe: 'sname: TFTP server host name field' },
  'tftp-server': { path: ['boot', 'tftpServerName'], list: false, describe: 'Option 66 TFTP server name or address (default: next-server)' },
  option150: { path: ['boot', 'tftpServers'], list: true, describe: 'Option 150 TFTP server address (repeatable; default: next-server)' },
  'boot-file': { path: ['boot', 'file'], list: false, describe: 'file / option 67 boot file name (e.g. SEPDefault.cnf.xml)' },
} as const satisfies Record<string, { path: FieldPath; list: boolean; describe: string }>;

type FieldFlag = keyof typeof FIELD_FLAGS;

/** Names `--unset` accepts: flag names and file field names. */
const UNSET_FIELDS: ReadonlyMap<string, FieldPath> = new Map<string, FieldPath>([
  ...Object.entries(FIELD_FLAGS).map(([k, v]) => [k, v.path] as const),
  ['leaseTime', ['leaseTime']],
  ['declineTime', ['declineTime']],
  ['authoritative', ['authoritative']],
  ['boot', ['boot']],
  ['boot.nextServer', ['boot', 'nextServer']],
  ['boot.serverName', ['boot', 'serverName']],
  ['boot.tftpServerName', ['boot', 'tftpServerName']],
  ['boot.tftpServers', ['boot', 'tftpServers']],
  ['boot.file', ['boot', 'file']],
  ['reservations', ['reservations']],
  ['options', ['options']],
  ['classes', ['classes']],
]);

/** Adds the field flags (and --authoritative, --option, --reserve) to a subcommand. */
export function withFieldFlags<T>(y: Argv<T>) {
  let out = y as Argv<T>;
  for (const [flag, spec] of Object.entries(FIELD_FLAGS)) {
    // List flags are repeated (--dns a --dns b), not greedy arrays, so that a
    // positional after them is not swallowed; yargs collects repeats into a list.
    out = out.option(flag, { type: 'string', requiresArg: true, describe: spec.describe, group: 'Scope fields:' });
  }
  return out
    .option('authoritative', {
      type: 'boolean',
      describe: 'NAK requests for addresses that are not ours (default true; --no-authoritative to turn off)',
      group: 'Scope fields:',
    })
    .option('option', {
      type: 'string',
      requiresArg: true,
      describe: 'Extra DHCP option CODE|NAME=VALUE, e.g. ntp-servers=10.10.0.1 (repeatable)',
      group: 'Scope fields:',
    })
    .option('reserve', {
      type: 'string',
      requiresArg: true,
      describe: 'Fixed address MAC=IP[,hostname] (repeatable)',
      group: 'Scope fields:',
    });
}

/** The parsed field flags: text, or a list for list flags. */
export type FieldArgs = { readonly [K in FieldFlag]?: string | readonly string[] } & {
  readonly authoritative?: boolean;
  readonly option?: readonly string[];
  readonly reserve?: readonly string[];
};

function stringOf(args: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = args[key];
  if (Array.isArray(v)) throw ERRORS.flagGivenTwice.create({ flag: key, count: v.length });
  return v === undefined ? undefined : String(v);
}

/** A repeatable flag's values (undefined when not given). */
export function listOf(args: Readonly<Record<string, unknown>>, key: string): readonly string[] | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.map((x) => String(x));
}

/** Reads the field flags out of parsed arguments (yargs types the loop-added flags loosely). */
export function fieldArgsOf(args: Readonly<Record<string, unknown>>): FieldArgs {
  const out: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(FIELD_FLAGS)) out[flag] = spec.list ? listOf(args, flag) : stringOf(args, flag);
  out['option'] = listOf(args, 'option');
  out['reserve'] = listOf(args, 'reserve');
  out['authoritative'] = typeof args['authoritative'] === 'boolean' ? args['authoritative'] : undefined;
  return out as FieldArgs;
}

/** Seconds stay numbers in the file; text with units stays text. */
function durationValue(text: string): string | number {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim();
}

/** A CLI option value in the form the registry reads best for the option's type. */
function optionValue(key: string, text: string): unknown {
  const def = findOption(key);
  if (!def) return text;
  if (def.type === 'bool') {
    if (/^(true|yes|on|1)$/i.test(text)) return true;
    if (/^(false|no|off|0)$/i.test(text)) return false;
    return text;
  }
  if (['u8', 'u16', 'u32', 'i32'].includes(def.type) && /^-?\d+$/.test(text.trim())) return Number(text.trim());
  if (['ip-list', 'u8-list', 'u16-list', 'domain-list'].includes(def.type)) {
    return text.split(/[\s,]+/).filter((s) => s.length > 0);
  }
  return text;
}

function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

function optionEdit(spec: string): ScopeEdit {
  const at = spec.indexOf('=');
  if (at <= 0) throw ERRORS.badOptionFlag.create({ spec });
  const key = spec.slice(0, at).trim();
  const value = spec.slice(at + 1);
  return { kind: 'option', key, value: optionValue(key, value) };
}

function reserveEdit(spec: string): ScopeEdit {
  const m = /^\s*([^=\s]+)\s*=\s*([^,\s]+)\s*(?:,\s*(\S+)\s*)?$/.exec(spec);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw ERRORS.badReserveFlag.create({ spec });
  }
  return m[3] === undefined ? { kind: 'reserve', mac: m[1], ip: m[2] } : { kind: 'reserve', mac: m[1], ip: m[2], hostname: m[3] };
}

function unsetEdit(field: string): ScopeEdit {
  const option = /^options?[:=](.+)$/.exec(field);
  if (option?.[1] !== undefined) return { kind: 'unset-option', key: option[1] };
  const reservation = /^(?:reserve|reservation)[:=](.+)$/.exec(field);
  if (reservation?.[1] !== undefined) {
    if (!isMac(reservation[1])) throw ERRORS.unsetNotMac.create({ field, value: reservation[1] });
    return { kind: 'unreserve', mac: reservation[1] };
  }
  const path = UNSET_FIELDS.get(field);
  if (path) return { kind: 'unset', path };
  if (field === 'name' || field === 'interface' || field === 'subnet') {
    throw ERRORS.unsetRequired.create({ field });
  }
  const guess = didYouMean(field, [...UNSET_FIELDS.keys()]);
  throw ERRORS.unsetUnknown.create({ field, guess: guess ? ` (did you mean "${guess}"?)` : '' });
}

/** Turns the field flags of `add`/`set` into document edits, in a fixed order. */
export function editsFromFlags(args: FieldArgs, unset: readonly string[] = []): ScopeEdit[] {
  const edits: ScopeEdit[] = unset.map(unsetEdit);
  for (const [flag, spec] of Object.entries(FIELD_FLAGS) as [FieldFlag, (typeof FIELD_FLAGS)[FieldFlag]][]) {
    // authoritative sits between the address fields and the boot block in a new file.
    if (flag === 'next-server' && args.authoritative !== undefined) {
      edits.push({ kind: 'set', path: ['authoritative'], value: args.authoritative });
    }
    const value = args[flag];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      const list = splitList(value);
      if (list.length === 0) throw ERRORS.flagNeedsValue.create({ flag });
      edits.push({ kind: 'set', path: spec.path, value: flag === 'range' && list.length === 1 ? list[0] : list });
    } else {
      const isDuration = flag === 'lease-time' || flag === 'decline-time';
      edits.push({ kind: 'set', path: spec.path, value: isDuration ? durationValue(value) : value.trim() });
    }
  }
  for (const spec of args.option ?? []) edits.push(optionEdit(spec));
  for (const spec of args.reserve ?? []) edits.push(reserveEdit(spec));
  return edits;
}
