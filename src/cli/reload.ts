/**
 * `benchboot reload [--leases DIR]`: asks the running server (through the control
 * socket in its state directory) to re-read its scope files, like SIGHUP. Leases
 * and transfers in flight are kept; an invalid new file is rejected, the old
 * scopes stay, and this command prints why and exits 1.
 */
import { controlRequest, controlSocketPath } from '../control/client.js';
import { defineCommand, writeJson, writeLine, type GlobalArgs } from './output.js';

/** The options of `benchboot reload`. */
export const RELOAD_OPTIONS = {
  leases: { type: 'string', default: './leases', normalize: true, requiresArg: true, describe: 'State directory of the running server (as given to serve --leases)' },
} as const;

interface ReloadArgs extends GlobalArgs {
  leases: string;
}

/** `benchboot reload`. */
export const reloadCommand = defineCommand<ReloadArgs>({
  command: 'reload',
  describe: 'Make the running server re-read its scope files (keeps leases and transfers)',
  builder: (y) => y.options(RELOAD_OPTIONS),
  examples: [['benchboot reload', 'After editing ./scopes/*.yaml']],
  run: async (args, ctx) => {
    const result = await controlRequest(controlSocketPath(args.leases), { op: 'reload' }, 30_000);
    if (args.json) {
      writeJson(ctx.io.stdout, result);
      return 0;
    }
    const scopes = typeof result === 'object' && result !== null && 'scopes' in result && Array.isArray(result.scopes) ? result.scopes.map(String) : [];
    writeLine(ctx.io.stdout, `Reloaded: now serving ${scopes.join(', ') || 'no scope'}.`);
    return 0;
  },
});
