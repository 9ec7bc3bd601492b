/**
 * The I/O helpers around the state machines: BlockFeed (read-ahead, block boundaries,
 * the empty last block of RFC 1350 §6, netascii on the fly, bounded memory) and
 * ChunkWriter (coalesced sequential writes, first error kept).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CHUNK_BYTES, readAheadBytes, BlockFeed } from '../../../src/tftp/block-feed.js';
import { ChunkWriter } from '../../../src/tftp/chunk-writer.js';

function source(bytes: Uint8Array) {
  const reads: [number, number][] = [];
  return {
    reads,
    read: (offset: number, length: number): Promise<Uint8Array> => {
      reads.push([offset, length]);
      return Promise.resolve(bytes.slice(offset, offset + length));
    },
  };
}

const seq = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

function blockOf(feed: BlockFeed, k: number): number[] {
  const out = new Uint8Array(feed.blksize);
  const n = feed.copyBlock(k, out, 0);
  return Array.from(out.subarray(0, n));
}

test('RFC 1350 §6: a size that is a multiple of blksize ends with an empty block', async () => {
  const s = source(seq(1024));
  const feed = new BlockFeed(s.read, 1024, 'octet', 512);
  await feed.ensure(10);
  assert.equal(feed.finalBlock, 3);
  assert.equal(blockOf(feed, 2).length, 512);
  assert.equal(blockOf(feed, 3).length, 0);
});

test('an empty file is one empty block; a short file is one short block', async () => {
  const empty = new BlockFeed(source(new Uint8Array(0)).read, 0, 'octet', 512);
  await empty.ensure(1);
  assert.equal(empty.finalBlock, 1);
  const short = new BlockFeed(source(seq(100)).read, 100, 'octet', 512);
  await short.ensure(1);
  assert.equal(short.finalBlock, 1);
  assert.deepEqual(blockOf(short, 1), Array.from(seq(100)));
});

test('blocks that straddle read-ahead chunks are copied whole, in large reads', async () => {
  const data = seq(5000);
  const s = source(data);
  const feed = new BlockFeed(s.read, data.length, 'octet', 512, 700);
  await feed.ensure(20);
  assert.equal(feed.finalBlock, 10);
  for (let k = 1; k <= 10; k++) assert.deepEqual(blockOf(feed, k), Array.from(data.subarray((k - 1) * 512, k * 512)), `block ${k}`);
  assert.ok(s.reads.every(([, len]) => len <= 700));
});

test('the feed never reads past the announced size (a file that grew while open)', async () => {
  const s = source(seq(3000));
  const feed = new BlockFeed(s.read, 1000, 'octet', 512);
  await feed.ensure(5);
  assert.equal(feed.bytesKnown, 1000);
  assert.equal(feed.finalBlock, 2);
});

test('a file that shrank while open ends at the short read', async () => {
  const s = source(seq(600));
  const feed = new BlockFeed(s.read, 5000, 'octet', 512);
  await feed.ensure(20);
  assert.equal(feed.finalBlock, 2);
  assert.equal(blockOf(feed, 2).length, 88);
});

test('netascii is converted on the fly: the wire stream (and its blocks) carry CR LF', async () => {
  const text = Buffer.from('a\nb\n');
  const feed = new BlockFeed(source(text).read, text.length, 'netascii', 512);
  await feed.ensure(1);
  assert.deepEqual(Buffer.from(blockOf(feed, 1)).toString('latin1'), 'a\r\nb\r\n');
});

test('release frees chunks before the first block still needed (memory stays bounded)', async () => {
  const data = seq(10_000);
  const feed = new BlockFeed(source(data).read, data.length, 'octet', 512, 1024);
  await feed.ensure(20);
  feed.release(9); // blocks 1..8 acknowledged
  assert.deepEqual(blockOf(feed, 9), Array.from(data.subarray(8 * 512, 9 * 512)));
  assert.throws(() => blockOf(feed, 1), /no longer in memory/);
});

test('ChunkWriter: blocks are written in few large sequential writes, and the first error is kept', async () => {
  const writes: [number, number][] = [];
  const w = new ChunkWriter((offset, data) => {
    writes.push([offset, data.length]);
    return Promise.resolve();
  }, 1000);
  for (let i = 0; i < 5; i++) w.push(new Uint8Array(512));
  await w.close();
  assert.deepEqual(writes, [
    [0, 1024],
    [1024, 1024],
    [2048, 512],
  ]);
  const failing = new ChunkWriter(() => Promise.reject(new Error('disk full')), 10);
  failing.push(new Uint8Array(20));
  await assert.rejects(failing.close(), /disk full/);
  assert.ok(failing.error instanceof Error);
});

test('readAheadBytes: 64 blocks within 64-256 KiB, at least 4 blocks', () => {
  assert.equal(readAheadBytes(512), 64 * 1024, 'small blocks read at least 64 KiB at a time');
  assert.equal(readAheadBytes(1468), 1468 * 64);
  assert.equal(readAheadBytes(8192), DEFAULT_CHUNK_BYTES, 'capped at 256 KiB');
  assert.ok(readAheadBytes(65464) >= 65464 * 4, 'at least 4 blocks');
  const feed = new BlockFeed(source(seq(10)).read, 10, 'octet', 1468);
  assert.equal(feed.blocksPerChunk, 64);
});
