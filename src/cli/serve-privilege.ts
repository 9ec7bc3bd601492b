/**
 * serve started as root (issue 11 point 2): the packet and file code never runs as
 * root. This process stays root only as a small parent (src/priv/parent.ts) that binds
 * sockets, hands them over and adds the temporary `--address`, each job checked against
 * this command line; the appliance runs in a child as the invoking user (`SUDO_UID`),
 * `--user`, or `nobody` (src/priv/user.ts). Before the child starts, the directories an
 * earlier version left root-owned are handed to that user (src/priv/take-over.ts).
 *
 * Started as another user, serve runs in one process as before.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkPorts, checkTftpFiles, requireInterface } from '../appliance/light.js';
import { DHCP_PORT } from '../dhcp/constants.js';
import { ERRORS } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import type { PrivilegedJobs } from '../net/privileged.js';
import { IpcJobs, type JobChannel } from '../priv/child-jobs.js';
import { PrivilegedParent, type ParentHost } from '../priv/parent.js';
import { systemAddressesOf, systemParentJobs } from '../priv/parent-jobs.js';
import type { JobPolicy } from '../priv/policy.js';
import { scopeDirInterfaces } from '../priv/scope-interfaces.js';
import { takeOverDirectory, takeOverFile, type TakeOverOutcome } from '../priv/take-over.js';
import { chooseServeUser, readPasswd, ServeUserError, type ServeUser } from '../priv/user.js';
import type { CommandContext } from './output.js';
import { serveHttpConfig, serveSyslog, serveTarget, serveWebConfig, validateServeArgs } from './serve-args.js';
import type { ServeArgs } from './serve-options.js';
import { systemServeProcess, type ServeProcess } from './serve-process.js';

/** Set in the child's environment: this process is serve's unprivileged part. */
export const SERVE_CHILD_ENV = 'BENCHBOOT_SERVE_CHILD';

/** The launcher the child runs (bin/benchboot.js, from dist/src/cli/). */
const BENCHBOOT_BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));

/** How this serve runs: the unprivileged child, the root parent, or one process. */
export function serveMode(env: Readonly<Record<string, string | undefined>>): 'child' | 'root' | 'single' {
  if (env[SERVE_CHILD_ENV] === '1' && typeof process.send === 'function') return 'child';
  return process.getuid?.() === 0 ? 'root' : 'single';
}

/** The child: serve with every privileged job asked of the parent; the parent gone counts as SIGTERM. */
export async function runServeChild(run: (jobs: PrivilegedJobs, proc: ServeProcess) => Promise<number>): Promise<number> {
  try {
    if (process.getuid?.() === 0) throw ERRORS.privilege.create({ message: "serve's unprivileged part is running as root; refusing to serve" });
    const channel: JobChannel = {
      send: (m) => void process.send?.(m),
      onMessage: (h) => void process.on('message', h),
      onDisconnect: (h) => void process.on('disconnect', h),
    };
    const base = systemServeProcess();
    const proc: ServeProcess = {
      ...base,
      onSignal(signal, handler) {
        const off = base.onSignal(signal, handler);
        if (signal !== 'SIGTERM') return off;
        process.on('disconnect', handler);
        return () => {
          off();
          process.off('disconnect', handler);
        };
      },
    };
    return await run(new IpcJobs(channel), proc);
  } finally {
    process.disconnect?.();
  }
}

/** What the parent agrees to do for this command line (src/priv/policy.ts). */
function policyOf(args: ServeArgs): JobPolicy {
  const target = serveTarget(args);
  const interfaces = target.interfaces;
  const syslog = serveSyslog(args);
  const web = serveWebConfig(args.web);
  const first = interfaces[0];
  return {
    dhcpPorts: [args['dhcp-port'], DHCP_PORT.CLIENT],
    udpPorts: [args['tftp-port'], ...(syslog ? [syslog.port] : [])],
    tcpPorts: serveHttpConfig(args)?.ports.map((p) => p.port) ?? [],
    ...(web ? { web: { address: web.address, port: web.port } } : {}),
    ...(target.address && first !== undefined ? { temporary: { interfaceName: first, address: target.address.address, prefix: target.address.prefix } } : {}),
    servedInterfaces: () => Promise.resolve(interfaces.length > 0 ? interfaces : args.scopes === undefined ? [] : scopeDirInterfaces(args.scopes)),
    addressesOf: systemAddressesOf,
  };
}

/** Hands the state and upload directories and the log file to `user` where an earlier version left them root-owned. */
function takeOverAll(args: ServeArgs, user: ServeUser, logger: Logger): void {
  const outcomes: TakeOverOutcome[] = [takeOverDirectory(args.leases, user, true)];
  if (args['upload-dir'] !== undefined) outcomes.push(takeOverDirectory(args['upload-dir'], user, false));
  if (args['log-file'] !== undefined) outcomes.push(takeOverFile(args['log-file'], user));
  for (const o of outcomes) {
    if (o.kind === 'refused') {
      throw ERRORS.privilege.create({ message: `${o.path} is root-owned and cannot be handed to ${user.name}, whom serve runs as: ${o.reason}. Run: ${o.fix}` });
    }
    if (o.kind === 'taken') logger.info('handed a root-owned directory to the serving user', { path: o.path, user: user.name, entries: o.entries, ...(o.skipped.length > 0 ? { skipped: o.skipped } : {}) });
    if (o.kind === 'created') logger.info('created for the serving user', { path: o.path, user: user.name });
  }
}

/** The real parent host: the child is this same command, forked as `user` in a process group of its own. */
function systemParentHost(user: ServeUser, argv: readonly string[]): ParentHost {
  return {
    fork: () =>
      fork(BENCHBOOT_BIN, [...argv], {
        uid: user.uid,
        gid: user.gid,
        detached: true,
        stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, [SERVE_CHILD_ENV]: '1' },
      }),
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    },
  };
}

/** The root parent (see the module comment); resolves with the child's exit code. */
export async function runServeParent(args: ServeArgs, ctx: CommandContext): Promise<number> {
  // What serve checks first, checked before the child starts too (the same errors, on this command's output).
  await checkTftpFiles(validateServeArgs(args));
  const policy = policyOf(args);
  for (const name of serveTarget(args).interfaces) await requireInterface(name);
  await checkPorts({ dhcpPort: args['dhcp-port'], tftpPort: args['tftp-port'] });
  let user: ServeUser;
  try {
    user = chooseServeUser(args.user, ctx.io.env, await readPasswd());
  } catch (err) {
    if (err instanceof ServeUserError) throw ERRORS.privilege.create({ message: err.message }, { cause: err });
    throw err;
  }
  const live = args.live && !args.json && 'isTTY' in ctx.io.stdout && ctx.io.stdout.isTTY === true;
  // While the live view owns the terminal the parent writes nothing there; the child logs what it was refused.
  const logger = createLogger({ level: args['log-level'], json: args.json, stream: ctx.io.stderr, quiet: live }).child({ component: 'serve' });
  takeOverAll(args, user, logger);
  logger.info('serving as an unprivileged user; this root process only binds sockets and adds the temporary address', { user: user.name, uid: user.uid, gid: user.gid, from: user.from, pid: process.pid });
  return new PrivilegedParent(policy, systemParentJobs, systemParentHost(user, ctx.io.argv ?? process.argv.slice(2)), logger).run();
}
