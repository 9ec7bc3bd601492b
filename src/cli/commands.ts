/**
 * The CLI commands `main` registers, in help order, each loaded only when needed: a
 * command line naming one command loads that command's module alone (the root parent of
 * `sudo serve` then holds none of the other commands' code); any other command line
 * (help, a mistyped name) loads them all. To add a command, write `src/cli/<name>.ts`
 * exporting `defineCommand({...})` (see output.ts), then add one entry here.
 */
import type { CliCommand } from './output.js';

/** Every top-level command of `benchboot` by name, in help order, with the import of its module. */
const LOADERS: Readonly<Record<string, () => Promise<CliCommand>>> = {
  serve: async () => (await import('./serve.js')).serveCommand,
  scope: async () => (await import('./scope.js')).scopeCommand,
  device: async () => (await import('./device.js')).deviceCommand,
  devices: async () => (await import('./devices.js')).devicesCommand,
  profile: async () => (await import('./profile.js')).profileCommand,
  render: async () => (await import('./render.js')).renderCommand,
  report: async () => (await import('./report.js')).reportCommand,
  leases: async () => (await import('./leases.js')).leasesCommand,
  status: async () => (await import('./status.js')).statusCommand,
  reload: async () => (await import('./reload.js')).reloadCommand,
  probe: async () => (await import('./probe.js')).probeCommand,
  tftp: async () => (await import('./tftp.js')).tftpCommand,
  doctor: async () => (await import('./doctor.js')).doctorCommand,
};

/** Every command, in help order. */
export function allCommands(): Promise<CliCommand[]> {
  return Promise.all(Object.values(LOADERS).map((load) => load()));
}

/** The commands a command line registers: the one it starts with, alone; every command otherwise (help, a mistyped name, a global option first such as `--json status`). */
export async function commandsFor(argv: readonly string[]): Promise<readonly CliCommand[]> {
  const first = argv[0];
  const load = first === undefined || !Object.hasOwn(LOADERS, first) ? undefined : LOADERS[first];
  return load ? [await load()] : allCommands();
}
