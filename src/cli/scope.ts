/**
 * `benchboot scope add|set|list|show|rm|validate`: create, edit, list, print and
 * check the scope files in `--scopes DIR` (default ./scopes). Every write is
 * validated first (nothing is written when invalid) and made atomically; `set`
 * edits the YAML document in place so comments and key order survive.
 */
import { mkdir } from 'node:fs/promises';
import { BenchbootError, ERRORS, errorMessage } from '../errors.js';
import { formatCidr } from '../net/ipv4.js';
import { formatRange, poolSize } from '../config/defaults.js';
import { applyScopeEdits, newScopeDocument, parseScopeDocument, scopeDocumentText } from '../config/edit.js';
import { formatScope, scopeToPlain } from '../config/format.js';
import { formatIssue } from '../config/issues.js';
import { checkScopeCandidate, loadScopeFile, readScopeDir, readScopeText, scopeFilePath, ScopeIssuesError } from '../config/load.js';
import type { Scope } from '../config/scope.js';
import { SCOPE_NAME } from '../config/scope-name.js';
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
import { editsFromFlags, fieldArgsOf, listOf, withFieldFlags } from './scope-flags.js';

// ------------------------------------------------------------------ output

function checkName(name: string): void {
  if (!SCOPE_NAME.test(name)) {
    throw ERRORS.notScopeName.create({ name });
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
    throw ERRORS.scopeDirUncreatable.create({ dir, reason: errorMessage(err) }, { cause: err });
  }
}

/** Validates the text about to be written; the error says that nothing was written. */
async function checkBeforeWrite(dir: string, file: string, text: string): Promise<Scope> {
  try {
    return await checkScopeCandidate(dir, file, text);
  } catch (err) {
    if (err instanceof ScopeIssuesError) throw new ScopeIssuesError(err.code, err.issues, 'nothing written');
    if (err instanceof BenchbootError) throw ERRORS.nothingWritten.create({ message: err.message }, { cause: err, code: err.code });
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
    if (edits.length === 0) throw ERRORS.nothingToChange.create();
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
