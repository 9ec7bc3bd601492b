/**
 * `benchboot serve`: the appliance as a command. With `--interface eth1` and no
 * scope file it derives the scope from the interface's address (pool = rest of the
 * subnet, router/DNS/66/150/siaddr = the laptop); with `--scopes DIR` it serves the
 * scope files. Before the first lease it refuses when UDP 67/69 are taken or another
 * DHCP server answers (unless --force). On a terminal it draws the live view;
 * without one, or with --json, it writes structured log lines only.
 *
 * This module registers the command and picks how it runs (serve-privilege.ts). The
 * process layer is serve-run.ts: SIGHUP reloads the scopes, SIGINT/SIGTERM stop
 * (transfers in flight get `--grace` seconds, the lease journal is flushed, a
 * temporary `--address` is removed) and the command returns 0; it is imported only
 * where serve serves, never in the root parent of a `sudo serve`, which stays small.
 * The options are in serve-options.ts, their parsing in serve-args.ts; what runs is
 * src/appliance/.
 *
 *     sudo benchboot serve --interface eth1
 *     sudo benchboot serve --interface eth1 --address 10.10.0.1/24 --upload-dir ./backups
 *     sudo benchboot serve --scopes ./scopes --tftp-root /srv/tftp
 *     sudo benchboot serve --interface eth1 --alternate /srv/cluster2 --default-file 'SEP*.cnf.xml=XMLDefault.cnf.xml'
 */
import { ERRORS } from '../errors.js';
import { defineCommand, type CommandContext } from './output.js';
import { SERVE_OPTIONS, type ServeArgs } from './serve-options.js';
import { runServeChild, runServeParent, serveMode } from './serve-privilege.js';

export { FORCED_EXIT_CODE, SERVE_STEPS, systemServeProcess, type ServeProcess, type ServeStep } from './serve-process.js';

/**
 * serve as the command runs it: started as root, a root parent that only binds and
 * hands sockets over, and the appliance as an unprivileged child (serve-privilege.ts);
 * otherwise everything in this one process.
 */
function runServeCommand(args: ServeArgs, ctx: CommandContext): Promise<number> {
  switch (serveMode(ctx.io.env)) {
    case 'child':
      return runServeChild(async (jobs, proc) => (await import('./serve-run.js')).runServe(args, ctx, proc, jobs));
    case 'root':
      return runServeParent(args, ctx);
    case 'single':
      if (args.user !== undefined) throw ERRORS.usage.create({ message: '--user needs serve to be started as root (with sudo); without it serve runs as the user who started it' });
      return import('./serve-run.js').then((m) => m.runServe(args, ctx));
  }
}

/** `benchboot serve`. */
export const serveCommand = defineCommand<ServeArgs>({
  command: 'serve',
  describe: 'Serve DHCP, TFTP and HTTP on the given interfaces until Ctrl-C',
  builder: (y) => y.options(SERVE_OPTIONS),
  examples: [
    ['sudo benchboot serve --interface eth1', 'Scope from eth1\'s address, files from ./tftp'],
    ['sudo benchboot serve --interface eth1 --address 10.10.0.1/24', 'Give eth1 an address for this run (removed on exit)'],
    ['sudo benchboot serve --scopes ./scopes --upload-dir ./backups', 'Serve the scope files and accept config backups'],
    [
      "sudo benchboot serve --interface eth1 --alternate /srv/cluster2 --default-file 'SEP*.cnf.xml=XMLDefault.cnf.xml'",
      'Also look in a second directory; unknown phones get the default config',
    ],
    ['sudo benchboot serve --interface eth1 --http-port 8080', 'The same files over HTTP on port 8080 only (instead of 80 and 6970)'],
    ['sudo benchboot serve --interface eth1 --map-file ./tftp.map --port-range 50000-50199 --max-blksize 1428', 'tftpd-hpa style remaps, firewall-friendly ports'],
  ],
  run: (args, ctx) => runServeCommand(args, ctx),
});
