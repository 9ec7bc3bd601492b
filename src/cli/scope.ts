/**
 * `benchboot scope add|set|list|show|rm|validate`: create, edit, list, print and
 * check the scope files in `--scopes DIR` (default ./scopes). Every write is
 * validated first (nothing is written when invalid) and made atomically; `set`
 * edits the YAML document in place so comments and key order survive.
 */
import type { Argv } from 'yargs';
import { mkdir } from 'node:fs/promises';
import { BenchbootError, errorMessage } from '../errors.js';
import { findOption } from '../dhcp/options/registry.js';
import { formatCidr, isMac } from '../net/ipv4.js';
import {
  checkScopeCandidate,
  formatIssue,
  formatRange,
  formatScope,
  loadScopeFile,
  poolSize,
  readScopeDir,
  scopeFilePath,
  scopeToPlain,
  ScopeIssuesError,
  SCOPE_NAME,
  type FieldPath,
  type Scope,
} from '../config/index.js';
import { applyScopeEdits, newScopeDocument, parseScopeDocument, scopeDocumentText, type ScopeEdit } from '../config/edit.js';
import { didYouMean } from '../config/issues.js';
import { readScopeText } from '../config/load.js';
import { createFileAtomic, removeFile, writeFileAtomic } from '../config/write.js';
import {
  defineCommand,
  defineGroup,
  formatTable,
  withScopesDir,
  writeJson,
  writeLine,
  type CommandContext,
  type GlobalArgs,
} from './output.js';

// ------------------------------------------------------------------ field flags

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

function withFieldFlags<T>(y: Argv<T>) {
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
type FieldArgs = { readonly [K in FieldFlag]?: string | readonly string[] } & {
  readonly authoritative?: boolean;
  readonly option?: readonly string[];
  readonly reserve?: readonly string[];
};

function stringOf(args: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = args[key];
  if (Array.isArray(v)) throw usage(`--${key} was given ${v.length} times; give it once`);
  return v === undefined ? undefined : String(v);
}

function listOf(args: Readonly<Record<string, unknown>>, key: string): readonly string[] | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.map((x) => String(x));
}

/** Reads the field flags out of parsed arguments (yargs types the loop-added flags loosely). */
function fieldArgsOf(args: Readonly<Record<string, unknown>>): FieldArgs {
  const out: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(FIELD_FLAGS)) out[flag] = spec.list ? listOf(args, flag) : stringOf(args, flag);
  out['option'] = listOf(args, 'option');
  out['reserve'] = listOf(args, 'reserve');
  out['authoritative'] = typeof args['authoritative'] === 'boolean' ? args['authoritative'] : undefined;
  return out as FieldArgs;
}

function usage(message: string): BenchbootError {
  return new BenchbootError('BB_USAGE', message);
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
  if (at <= 0) throw usage(`--option ${spec}: expected CODE=VALUE or NAME=VALUE (e.g. ntp-servers=10.10.0.1)`);
  const key = spec.slice(0, at).trim();
  const value = spec.slice(at + 1);
  return { kind: 'option', key, value: optionValue(key, value) };
}

function reserveEdit(spec: string): ScopeEdit {
  const m = /^\s*([^=\s]+)\s*=\s*([^,\s]+)\s*(?:,\s*(\S+)\s*)?$/.exec(spec);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw usage(`--reserve ${spec}: expected MAC=IP or MAC=IP,hostname (e.g. 00:1b:d4:aa:bb:cc=10.10.0.50,phone1)`);
  }
  return m[3] === undefined ? { kind: 'reserve', mac: m[1], ip: m[2] } : { kind: 'reserve', mac: m[1], ip: m[2], hostname: m[3] };
}

function unsetEdit(field: string): ScopeEdit {
  const option = /^options?[:=](.+)$/.exec(field);
  if (option?.[1] !== undefined) return { kind: 'unset-option', key: option[1] };
  const reservation = /^(?:reserve|reservation)[:=](.+)$/.exec(field);
  if (reservation?.[1] !== undefined) {
    if (!isMac(reservation[1])) throw usage(`--unset ${field}: "${reservation[1]}" is not a MAC address`);
    return { kind: 'unreserve', mac: reservation[1] };
  }
  const path = UNSET_FIELDS.get(field);
  if (path) return { kind: 'unset', path };
  if (field === 'name' || field === 'interface' || field === 'subnet') {
    throw usage(`--unset ${field}: ${field} is required and cannot be removed`);
  }
  const guess = didYouMean(field, [...UNSET_FIELDS.keys()]);
  throw usage(
    `--unset ${field}: unknown field${guess ? ` (did you mean "${guess}"?)` : ''}; ` +
      'give a field such as boot-file or router, option:NAME, or reservation:MAC',
  );
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
      if (list.length === 0) throw usage(`--${flag} needs a value`);
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

// ------------------------------------------------------------------ output

function checkName(name: string): void {
  if (!SCOPE_NAME.test(name)) {
    throw new BenchbootError('BB_SCOPE_INVALID', `"${name}" is not a scope name (a letter or digit, then letters, digits, . _ -; at most 64)`);
  }
}

function tftpServerOf(scope: Scope): string {
  return scope.boot.tftpServers.join(',') || scope.boot.tftpServerName || scope.boot.nextServer || '-';
}

function summary(scope: Scope): string {
  const pool = scope.ranges.map(formatRange).join(', ');
  return `pool ${pool} (${poolSize(scope.ranges)} addresses), TFTP ${tftpServerOf(scope)}, boot file ${scope.boot.file ?? '(none)'}`;
}

function report(ctx: CommandContext, args: GlobalArgs, verb: string, file: string, scope: Scope): void {
  if (args.json) writeJson(ctx.io.stdout, { [verb]: file, scope: scopeToPlain(scope) });
  else writeLine(ctx.io.stdout, `${verb} ${file}: ${summary(scope)}`);
  ctx.logger().debug(`scope file ${verb}`, { component: 'config', file, scope: scope.name });
}

/** Creates the scope directory on first use (`scope add` in a fresh checkout). */
async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new BenchbootError('BB_SCOPE_IO', `scope directory ${dir}: cannot create: ${errorMessage(err)}`, { cause: err });
  }
}

/** Validates the text about to be written; the error says that nothing was written. */
async function checkBeforeWrite(dir: string, file: string, text: string): Promise<Scope> {
  try {
    return await checkScopeCandidate(dir, file, text);
  } catch (err) {
    if (err instanceof ScopeIssuesError) throw new ScopeIssuesError(err.code, err.issues, 'nothing written');
    if (err instanceof BenchbootError) throw new BenchbootError(err.code, `nothing written: ${err.message}`, { cause: err });
    throw err;
  }
}

// ------------------------------------------------------------------ subcommands

const addCommand = defineCommand({
  command: 'add <name>',
  describe: 'Create a scope file (refuses to overwrite one)',
  builder: (y) => withFieldFlags(withScopesDir(y).positional('name', { type: 'string', demandOption: true, describe: 'Scope name (file <name>.yaml)' }))
    .demandOption(['interface', 'subnet']),
  examples: [
    [
      '$0 scope add bench1 --interface eth1 --subnet 10.10.0.0/24 --range 10.10.0.100-10.10.0.199 --tftp-server 10.10.0.1 --option150 10.10.0.1 --boot-file SEPDefault.cnf.xml',
      'A Cisco phone bench',
    ],
  ],
  run: async (args, ctx) => {
    checkName(args.name);
    const file = scopeFilePath(args.scopes, args.name);
    const doc = newScopeDocument(args.name, `benchboot scope "${args.name}", created by "benchboot scope add"`);
    applyScopeEdits(doc, editsFromFlags(fieldArgsOf(args)));
    const text = scopeDocumentText(doc);
    await ensureDir(args.scopes);
    const scope = await checkBeforeWrite(args.scopes, file, text);
    await createFileAtomic(file, text);
    report(ctx, args, 'created', file, scope);
    return 0;
  },
});

const setCommand = defineCommand({
  command: 'set <name>',
  describe: 'Change fields of a scope file, keeping its comments and key order',
  builder: (y) =>
    withFieldFlags(withScopesDir(y).positional('name', { type: 'string', demandOption: true, describe: 'Scope name' })).option('unset', {
      type: 'string',
      requiresArg: true,
      describe: 'Remove a field (e.g. boot-file, router, option:ntp-servers, reservation:MAC) (repeatable)',
    }),
  examples: [
    ['$0 scope set bench1 --boot-file SEP001BD4AABBCC.cnf.xml', 'Change the boot file'],
    ['$0 scope set bench1 --unset domain --option ntp-servers=10.10.0.1', 'Remove a field and add an option'],
  ],
  run: async (args, ctx) => {
    checkName(args.name);
    const file = scopeFilePath(args.scopes, args.name);
    const edits = editsFromFlags(fieldArgsOf(args), listOf(args, 'unset') ?? []);
    if (edits.length === 0) throw usage('nothing to change: give at least one field flag or --unset');
    const doc = parseScopeDocument(await readScopeText(file));
    const noop = applyScopeEdits(doc, edits);
    const text = scopeDocumentText(doc);
    const scope = await checkBeforeWrite(args.scopes, file, text);
    await writeFileAtomic(file, text);
    for (const e of noop) {
      const what = e.kind === 'unset' ? e.path.join('.') : e.kind === 'unset-option' ? `option ${e.key}` : e.kind === 'unreserve' ? `reservation ${e.mac}` : '';
      writeLine(ctx.io.stderr, `note: ${what} was not set in ${file}`);
    }
    report(ctx, args, 'updated', file, scope);
    return 0;
  },
});

const listCommand = defineCommand({
  command: 'list',
  describe: 'List the scope files with their pool, TFTP server and boot file',
  builder: (y) => withScopesDir(y),
  run: async (args, ctx) => {
    const dir = await readScopeDir(args.scopes);
    const rows = dir.entries.map((e) => ({ entry: e, scope: e.result.ok ? e.result.scope : undefined }));
    if (args.json) {
      writeJson(
        ctx.io.stdout,
        rows.map(({ entry, scope }) => ({
          name: entry.name,
          file: entry.file,
          valid: scope !== undefined,
          ...(scope
            ? {
                interface: scope.interface,
                subnet: formatCidr(scope.subnet),
                poolSize: poolSize(scope.ranges),
                tftpServers: scope.boot.tftpServers,
                tftpServerName: scope.boot.tftpServerName ?? null,
                nextServer: scope.boot.nextServer ?? null,
                bootFile: scope.boot.file ?? null,
              }
            : {}),
        })),
      );
      return 0;
    }
    if (rows.length === 0) {
      writeLine(ctx.io.stdout, `no scope files in ${args.scopes} (create one with: benchboot scope add NAME --interface IF --subnet CIDR)`);
      return 0;
    }
    const dash = (s: string | undefined): string => s ?? '-';
    writeLine(
      ctx.io.stdout,
      formatTable(rows, [
        { header: 'NAME', value: (r) => r.entry.name },
        { header: 'INTERFACE', value: (r) => dash(r.scope?.interface) },
        { header: 'SUBNET', value: (r) => (r.scope ? formatCidr(r.scope.subnet) : 'INVALID') },
        { header: 'POOL', value: (r) => (r.scope ? String(poolSize(r.scope.ranges)) : '-'), right: true },
        { header: 'TFTP SERVER', value: (r) => (r.scope ? tftpServerOf(r.scope) : '-') },
        { header: 'BOOT FILE', value: (r) => dash(r.scope?.boot.file) },
        { header: 'FILE', value: (r) => r.entry.file },
      ]),
    );
    if (dir.issues.length > 0) {
      writeLine(ctx.io.stderr, `${dir.issues.length} issue(s) found; run "benchboot scope validate" for details`);
    }
    return 0;
  },
});

const showCommand = defineCommand({
  command: 'show <name>',
  describe: 'Print the effective scope with every default filled in',
  builder: (y) => withScopesDir(y).positional('name', { type: 'string', demandOption: true, describe: 'Scope name' }),
  run: async (args, ctx) => {
    checkName(args.name);
    const scope = await loadScopeFile(scopeFilePath(args.scopes, args.name));
    if (args.json) writeJson(ctx.io.stdout, scopeToPlain(scope));
    else ctx.io.stdout.write(formatScope(scope));
    return 0;
  },
});

const rmCommand = defineCommand({
  command: 'rm <name>',
  describe: 'Delete a scope file',
  builder: (y) => withScopesDir(y).positional('name', { type: 'string', demandOption: true, describe: 'Scope name' }),
  run: async (args, ctx) => {
    checkName(args.name);
    const file = scopeFilePath(args.scopes, args.name);
    await removeFile(file);
    if (args.json) writeJson(ctx.io.stdout, { removed: file });
    else writeLine(ctx.io.stdout, `removed ${file}`);
    return 0;
  },
});

const validateCommand = defineCommand({
  command: 'validate [names..]',
  describe: 'Check scope files (all when no name is given); exit 1 listing every issue',
  builder: (y) =>
    withScopesDir(y).positional('names', { type: 'string', array: true, describe: 'Scope names (default: every file)' }),
  run: async (args, ctx) => {
    const names = args.names ?? [];
    for (const n of names) checkName(n);
    const dir = await readScopeDir(args.scopes, names.length > 0 ? names : undefined);
    const bad = new Set(dir.issues.map((i) => i.file));
    if (args.json) {
      writeJson(ctx.io.stdout, {
        valid: dir.issues.length === 0,
        files: dir.entries.map((e) => ({ name: e.name, file: e.file, valid: !bad.has(e.file) })),
        issues: dir.issues,
      });
    } else {
      for (const e of dir.entries) if (!bad.has(e.file)) writeLine(ctx.io.stdout, `${e.file}: ok`);
      for (const issue of dir.issues) writeLine(ctx.io.stdout, formatIssue(issue));
      const files = dir.entries.length;
      writeLine(
        ctx.io.stdout,
        files === 0
          ? `no scope files in ${args.scopes}`
          : `${files} scope file${files === 1 ? '' : 's'} checked, ${dir.issues.length} issue${dir.issues.length === 1 ? '' : 's'}`,
      );
    }
    return dir.issues.length === 0 ? 0 : 1;
  },
});

/** `benchboot scope ...`. */
export const scopeCommand = defineGroup('scope', 'Create, edit, list and check scope files', [
  addCommand,
  setCommand,
  listCommand,
  showCommand,
  rmCommand,
  validateCommand,
]);
