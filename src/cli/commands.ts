/**
 * The list of CLI commands `main` registers, in help order. To add a command,
 * write `src/cli/<name>.ts` exporting `defineCommand({...})` (see output.ts),
 * then add one import and one array entry here.
 */
import type { CliCommand } from './output.js';
import { scopeCommand } from './scope.js';
import { probeCommand } from './probe.js';
import { serveCommand } from './serve.js';
import { leasesCommand } from './leases.js';
import { reloadCommand } from './reload.js';
import { tftpCommand } from './tftp.js';
import { doctorCommand } from './doctor.js';
import { statusCommand } from './status.js';
import { deviceCommand } from './device.js';
import { profileCommand } from './profile.js';
import { renderCommand } from './render.js';
import { devicesCommand } from './devices.js';
import { reportCommand } from './report.js';

/** Every top-level command of `benchboot`. */
export const COMMANDS: readonly CliCommand[] = [serveCommand, scopeCommand, deviceCommand, devicesCommand, profileCommand, renderCommand, reportCommand, leasesCommand, statusCommand, reloadCommand, probeCommand, tftpCommand, doctorCommand];
