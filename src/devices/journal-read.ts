/**
 * Reading a device directory back: the snapshot (one record per line after a
 * header), then every journal generation from the snapshot's `nextJournal` on.
 * Damage never stops a load: a line that does not parse is skipped with a warning
 * naming file:line and counted, a torn last line (the process died mid-write) is
 * counted apart, and everything else loads, before and after the damage.
 *
 * Layout of the directory:
 *
 *     snapshot.jsonl         header {format, version, nextJournal}, then one DeviceRecord per line
 *     journal.<N>.jsonl      one JournalEntry per line, generation N
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../errno.js';
import type { Logger } from '../log.js';
import { parseEntry, parseRecordLine, parseSnapshotHeader, type JournalEntry } from './journal-entry.js';
import type { DeviceRecord } from './record.js';

/** File names inside a device directory. */
export const DEVICE_STORE_FILES = {
  snapshot: 'snapshot.jsonl',
  snapshotTemp: 'snapshot.jsonl.tmp',
  journalPattern: /^journal\.(\d+)\.jsonl$/,
} as const;

/** The file name of journal generation `n`. */
export function deviceJournalName(n: number): string {
  return `journal.${n}.jsonl`;
}

/** What a load found. */
export interface LoadedDevices {
  /** Records of the snapshot. */
  readonly records: DeviceRecord[];
  /** Journal entries after the snapshot, in order: replay them over the records. */
  readonly entries: JournalEntry[];
  /** Lines skipped because they did not parse (not counting torn tails). */
  readonly damagedLines: number;
  /** Torn last lines skipped. */
  readonly tornLines: number;
  /** The newest generation present (or implied by the snapshot), -1 for an empty directory. */
  readonly maxGeneration: number;
  /** Generations on disk, ascending, stale ones included. */
  readonly generations: readonly number[];
}

/** The journal generations present in `dir`, ascending. */
export async function journalGenerations(dir: string): Promise<number[]> {
  return (await readdir(dir))
    .map((name) => DEVICE_STORE_FILES.journalPattern.exec(name)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

interface LineTally {
  damaged: number;
  torn: number;
}

/** Splits a file into lines, calling `take` for each; returns nothing, counts damage in `tally`. */
function eachLine(path: string, text: string, logger: Logger, tally: LineTally, take: (line: string, lineNo: number) => boolean): void {
  const lines = text.split('\n');
  const lastIndex = text.endsWith('\n') ? lines.length - 2 : lines.length - 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || take(line, i + 1)) continue;
    const isTornTail = i === lastIndex && !text.endsWith('\n');
    if (isTornTail) tally.torn++;
    else tally.damaged++;
    logger.warn(isTornTail ? 'device store: skipping a torn last line (the process stopped mid-write)' : 'device store: skipping a damaged line', {
      code: 'BB_DEVICE_STORE',
      file: `${path}:${i + 1}`,
    });
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** Reads the snapshot: its records and the generation it covers up to. */
async function readSnapshot(dir: string, logger: Logger, tally: LineTally): Promise<{ records: DeviceRecord[]; nextJournal: number }> {
  const path = join(dir, DEVICE_STORE_FILES.snapshot);
  const text = await readOptional(path);
  const records: DeviceRecord[] = [];
  let nextJournal = 0;
  if (text === undefined) return { records, nextJournal };
  eachLine(path, text, logger, tally, (line, lineNo) => {
    if (lineNo === 1) {
      const header = parseSnapshotHeader(line);
      nextJournal = header?.nextJournal ?? 0;
      return header !== undefined;
    }
    const record = parseRecordLine(line);
    if (record) records.push(record);
    return record !== undefined;
  });
  return { records, nextJournal };
}

/**
 * Reads `dir` (which must exist). Never throws for damaged content; only for I/O
 * errors other than a missing snapshot.
 */
export async function readDeviceDir(dir: string, logger: Logger): Promise<LoadedDevices> {
  const tally: LineTally = { damaged: 0, torn: 0 };
  const snapshot = await readSnapshot(dir, logger, tally);
  const generations = await journalGenerations(dir);
  const entries: JournalEntry[] = [];
  for (const gen of generations) {
    if (gen < snapshot.nextJournal) continue;
    const path = join(dir, deviceJournalName(gen));
    const text = (await readOptional(path)) ?? '';
    eachLine(path, text, logger, tally, (line) => {
      const entry = parseEntry(line);
      if (entry) entries.push(entry);
      return entry !== undefined;
    });
  }
  const maxGeneration = Math.max(snapshot.nextJournal - 1, ...generations);
  return { records: snapshot.records, entries, damagedLines: tally.damaged, tornLines: tally.torn, maxGeneration, generations };
}
