/**
 * udp-ceiling: what the veth pair itself carries with a trivial Node sender and
 * receiver at each TFTP datagram size (block + 4-byte header), in two shapes:
 * "stream" (back-to-back datagrams, the bound for a large window) and "lockstep"
 * (one datagram, one 4-byte answer, the bound for RFC 1350 lock-step at that size).
 * A TFTP server cannot beat these numbers on this machine.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Bench } from './lab.js';
import { BENCH_NET } from './lab.js';
import { alternate, type Section, type SectionContext, type SectionResult } from './section.js';
import { fmt, fmtSpread, spread } from './util.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'udp-blast.js');
const PORT = 7400;

/** TFTP block sizes measured throughout the bench. */
export const BLOCK_SIZES = [512, 1468, 8192, 65464] as const;

interface Measure {
  readonly bytes: number;
  readonly packets: number;
  readonly seconds: number;
}

function parseMeasure(text: string): Measure | undefined {
  const line = text.trim().split('\n').pop();
  if (!line) return undefined;
  try {
    const v = JSON.parse(line) as Partial<Measure>;
    if (typeof v.bytes === 'number' && typeof v.packets === 'number' && typeof v.seconds === 'number') return { bytes: v.bytes, packets: v.packets, seconds: v.seconds };
    return undefined;
  } catch (err) {
    throw new Error(`udp-blast printed something that is not JSON: ${line}`, { cause: err });
  }
}

/** MB/s (10^6 bytes per second) of one shape at one datagram size. */
async function measure(bench: Bench, mode: 'stream' | 'lockstep', size: number, seconds: number): Promise<number> {
  const sink = bench.client.spawn(process.execPath, [SCRIPT, 'sink', BENCH_NET.clientIp, String(PORT), mode], { maxMs: (seconds + 30) * 1000 });
  let sinkOut = '';
  sink.stdout?.on('data', (c: Buffer) => {
    sinkOut += c.toString();
  });
  const exitedSink = new Promise<void>((resolve) => sink.once('exit', () => resolve()));
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => {
      const check = (): void => {
        if (sinkOut.includes('ready')) resolve(true);
        else setTimeout(check, 20);
      };
      check();
    }),
    exitedSink.then(() => false),
  ]);
  if (!ready) throw new Error('udp sink did not start');
  const src = await bench.server.exec(process.execPath, [SCRIPT, 'source', BENCH_NET.clientIp, String(PORT), mode, String(size), String(seconds)], (seconds + 20) * 1000);
  if (src.code !== 0) throw new Error(`udp source failed: ${src.stderr}`);
  if (mode === 'lockstep') {
    sink.kill('SIGKILL');
    await exitedSink;
    const m = parseMeasure(src.stdout);
    return m && m.seconds > 0 ? m.bytes / m.seconds / 1e6 : NaN;
  }
  await exitedSink;
  const m = parseMeasure(sinkOut.replace('ready\n', ''));
  return m && m.seconds > 0 ? m.bytes / m.seconds / 1e6 : NaN;
}

async function runCeiling(ctx: SectionContext): Promise<SectionResult> {
  const seconds = ctx.quick ? 1 : 3;
  const bench = await ctx.bench(65535);
  const samples = new Map<string, number[]>();
  const shapes = BLOCK_SIZES.flatMap((b) => (['stream', 'lockstep'] as const).map((mode) => ({ b, mode })));
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      for (const { b, mode } of alternate(shapes, round)) {
        const mbs = await measure(bench, mode, b + 4, seconds);
        ctx.log(`  udp-ceiling ${mode} ${b + 4} B: ${fmt(mbs)} MB/s`);
        const key = `${mode}:${b}`;
        samples.set(key, [...(samples.get(key) ?? []), mbs]);
      }
    }
  } finally {
    await bench.close();
  }
  const rows = BLOCK_SIZES.map((b) => [String(b), String(b + 4), fmtSpread(spread(samples.get(`stream:${b}`) ?? [])), fmtSpread(spread(samples.get(`lockstep:${b}`) ?? []))]);
  return {
    id: 'udp-ceiling',
    title: 'UDP ceiling on the bench veth pair',
    method: [
      `A tiny Node sender (server namespace) and receiver (client namespace), ${seconds} s per shape, veth MTU 65535 (no IP fragmentation at any size).`,
      'stream: datagrams back to back, at most 64 sends in flight, throughput counted at the receiver.',
      'lockstep: one datagram, then a 4-byte answer, then the next — RFC 1350 lock-step without files or protocol logic.',
    ],
    commands: [`node dist/test/bench/udp-blast.js sink ${BENCH_NET.clientIp} ${PORT} stream|lockstep`, `node dist/test/bench/udp-blast.js source ${BENCH_NET.clientIp} ${PORT} stream|lockstep <size> ${seconds}`],
    tables: [{ caption: 'UDP payload throughput, MB/s (10^6 B/s), median (min–max)', header: ['TFTP blksize', 'datagram bytes', 'stream MB/s', 'lock-step MB/s'], rows }],
    targets: [],
    notes: [],
    raw: Object.fromEntries(samples),
  };
}

/** The UDP ceiling section. */
export const udpCeiling: Section = { id: 'udp-ceiling', title: 'UDP ceiling', run: runCeiling };
