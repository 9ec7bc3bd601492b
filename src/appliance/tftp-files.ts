/**
 * The files the TFTP settings name, checked before anything starts (by serve, and by
 * the root parent of serve before it starts the serving process), apart from the TFTP
 * wiring (tftp.ts) so that the check loads no server.
 */
import { constants as fsConstants } from 'node:fs';
import { ERRORS, errorMessage } from '../errors.js';
import { loadRemapFile } from '../tftp/fs-storage.js';
import { requireDirectory } from './preflight.js';
import type { ApplianceTftpConfig } from './tftp-settings.js';

/** The access a directory files are read from needs. */
export const READ_MODE = fsConstants.R_OK | fsConstants.X_OK;

/**
 * Reads what the TFTP settings name before anything starts: the map file must parse
 * (BB_TFTP_CONFIG `file:line: problem`), each alternate must be a readable
 * directory (BB_TFTP_ROOT naming it). Returns the number of remap rules.
 */
export async function checkTftpFiles(settings: Pick<ApplianceTftpConfig, 'alternates' | 'mapFile'>): Promise<number> {
  for (const [i, dir] of (settings.alternates ?? []).entries()) {
    try {
      await requireDirectory(dir, READ_MODE);
    } catch (err) {
      throw ERRORS.alternateUnusable.create({ dir, n: i + 1, reason: errorMessage(err) }, { cause: err });
    }
  }
  return settings.mapFile === undefined ? 0 : (await loadRemapFile(settings.mapFile)).length;
}
