/**
 * `benchboot tftp get|put HOST FILE`: the built-in TFTP client (RFC 1350 with
 * blksize/tsize/windowsize), to check a TFTP server from the bench — ours or a
 * device's. On a terminal a progress bar with rate and ETA is drawn on stderr;
 * otherwise (or with --json) only the summary is printed.
 *
 *     benchboot tftp get 10.10.0.1 SEP001122334455.cnf.xml
 *     benchboot tftp get 10.10.0.1 firmware.bin --blksize 1468 --windowsize 16 --output /tmp/fw.bin
 *     benchboot tftp put 10.10.0.1 ./router1-confg
 */
import { basename } from 'node:path';
import { ERRORS } from '../errors.js';
import { tftpGet, tftpPut, type TftpTransferSummary } from '../tftp/client.js';
import { formatBytes, formatDuration, progressBar } from '../ui/render.js';
import { defineCommand, defineGroup, writeJson, writeLine, type CliIo, type GlobalArgs } from './output.js';

/** Options shared by get and put. */
export const TFTP_CLIENT_OPTIONS = {
  port: { type: 'number', default: 69, requiresArg: true, describe: 'Server port' },
  blksize: { type: 'number', requiresArg: true, describe: 'Ask for this block size (RFC 2348, 8..65464)' },
  windowsize: { type: 'number', requiresArg: true, describe: 'Ask for this window size (RFC 7440, 1..65535)' },
} as const;

interface TftpArgs extends GlobalArgs {
  host: string;
  file: string;
  port: number;
  blksize: number | undefined;
  windowsize: number | undefined;
}

interface GetArgs extends TftpArgs {
  output: string | undefined;
}

/** Minimum time between two redraws of the bar. */
const BAR_INTERVAL_MS = 100;

/** A progress line for the terminal: bar, percent, bytes, rate and ETA. */
export function progressLine(file: string, bytes: number, size: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0;
  const rateText = rate > 0 ? `${formatBytes(Math.round(rate))}/s` : '-';
  if (size === undefined || size === 0) return `${file} ${formatBytes(bytes)} ${rateText}`;
  const eta = rate > 0 ? formatDuration(((size - bytes) / rate) * 1000, 'compact') : '-';
  return `${file} ${progressBar(bytes / size)} ${Math.floor((bytes / size) * 100)}% ${formatBytes(bytes)}/${formatBytes(size)} ${rateText} ETA ${eta}`;
}

/** A progress callback drawing on stderr when it is a terminal (and not --json), and its finisher. */
async function progressReporter(io: CliIo, file: string, enabled: boolean): Promise<{ onProgress?: (p: { bytes: number; size?: number }) => void; done: () => void }> {
  if (!enabled || !('isTTY' in io.stderr) || io.stderr.isTTY !== true) return { done: () => undefined };
  // Loaded only to draw, so that the command line does not load it for every command.
  const { createLogUpdate } = await import('log-update');
  const draw = createLogUpdate(io.stderr as NodeJS.WriteStream);
  const startedAt = Date.now();
  let last = 0;
  let latest: { bytes: number; size?: number } = { bytes: 0 };
  return {
    onProgress: (p) => {
      latest = p;
      const now = Date.now();
      if (now - last < BAR_INTERVAL_MS) return;
      last = now;
      draw(progressLine(file, p.bytes, p.size, now - startedAt));
    },
    done: () => {
      draw(progressLine(file, latest.bytes, latest.size, Date.now() - startedAt));
      draw.done();
    },
  };
}

function summaryLine(what: string, s: TftpTransferSummary): string {
  const rate = s.ms > 0 ? `${formatBytes(Math.round((s.bytes * 1000) / s.ms))}/s` : '-';
  return `${what}: ${formatBytes(s.bytes)} in ${s.ms} ms (${rate}), blksize ${s.blksize}, windowsize ${s.windowsize}, ${s.retransmits} retransmits`;
}

function clientOptions(args: TftpArgs): { host: string; port: number; blksize?: number; windowsize?: number } {
  if (args.host === '') throw ERRORS.noTftpHost.create();
  return {
    host: args.host,
    port: args.port,
    ...(args.blksize === undefined ? {} : { blksize: args.blksize }),
    ...(args.windowsize === undefined ? {} : { windowsize: args.windowsize }),
  };
}

const getCommand = defineCommand<GetArgs>({
  command: 'get <host> <file>',
  describe: 'Download FILE from the TFTP server at HOST',
  builder: (y) =>
    y
      .positional('host', { type: 'string', demandOption: true, describe: 'Server address' })
      .positional('file', { type: 'string', demandOption: true, describe: 'Remote file name' })
      .options({ ...TFTP_CLIENT_OPTIONS, output: { type: 'string', requiresArg: true, normalize: true, describe: 'Local file to write (default: the remote name, in this directory)' } }),
  run: async (args, ctx) => {
    const output = args.output ?? basename(args.file);
    const progress = await progressReporter(ctx.io, args.file, !args.json);
    let result;
    try {
      result = await tftpGet({ ...clientOptions(args), file: args.file, output, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
    } finally {
      progress.done();
    }
    if (args.json) writeJson(ctx.io.stdout, { file: args.file, output, ...result });
    else writeLine(ctx.io.stdout, summaryLine(`${args.file} -> ${output}`, result));
    return 0;
  },
});

const putCommand = defineCommand<TftpArgs>({
  command: 'put <host> <file>',
  describe: 'Upload the local FILE to the TFTP server at HOST (stored under its base name)',
  builder: (y) =>
    y
      .positional('host', { type: 'string', demandOption: true, describe: 'Server address' })
      .positional('file', { type: 'string', demandOption: true, describe: 'Local file to send' })
      .options(TFTP_CLIENT_OPTIONS),
  run: async (args, ctx) => {
    const remote = basename(args.file);
    const progress = await progressReporter(ctx.io, remote, !args.json);
    let result;
    try {
      result = await tftpPut({ ...clientOptions(args), file: remote, input: args.file, ...(progress.onProgress ? { onProgress: progress.onProgress } : {}) });
    } finally {
      progress.done();
    }
    if (args.json) writeJson(ctx.io.stdout, { file: args.file, remote, ...result });
    else writeLine(ctx.io.stdout, summaryLine(`${args.file} -> ${remote}`, result));
    return 0;
  },
});

/** `benchboot tftp get|put`. */
export const tftpCommand = defineGroup('tftp', 'Download or upload one file with the built-in TFTP client', [getCommand, putCommand]);
