/**
 * The memory blob downloads over plain HTTP read into (raw-get.ts): 1 MiB
 * blocks, each filled by successive socket reads, so that a read takes all
 * the socket holds (not 64 KiB at a time) and a blob's bytes arrive as a few
 * large views rather than thousands of small Buffers.
 *
 * A block is reused once it is full (or its socket closed) and every byte
 * read into it has been given back by whoever consumed it — the layer codec
 * after hashing and inflating a batch (lib/storage/layer/layer-source.ts).
 * Bytes nobody gives back (headers, small responses, a consumer that keeps
 * them) leave their block to the garbage collector, so giving back is only
 * ever an optimisation: a fresh MiB per MiB pulled costs its page faults and
 * zeroing, keeps the GC busy, and leaves hundreds of MiB to unmap at exit.
 */

const BLOCK_BYTES = 1 << 20;
/** A block with less room than this is retired rather than read into. */
const MIN_READ = 64 * 1024;
/** Free blocks kept for reuse. */
const KEEP = 16;

interface BlockState {
  /** Bytes read into the block and not given back yet. */
  pending: number;
  /** Still being read into. */
  open: boolean;
}

const free: ArrayBuffer[] = [];
const states = new WeakMap<ArrayBuffer, BlockState>();

function settle(ab: ArrayBuffer, st: BlockState): void {
  if (st.open || st.pending !== 0) return;
  states.delete(ab);
  if (free.length < KEEP) free.push(ab);
}

/** One socket's reads, block after block. */
export class BlockReader {
  private block?: Buffer;
  private used = 0;

  /** Where the next read goes. */
  next(): Buffer {
    if (!this.block || BLOCK_BYTES - this.used < MIN_READ) {
      this.retire();
      const ab = free.pop() ?? new ArrayBuffer(BLOCK_BYTES);
      states.set(ab, { pending: 0, open: true });
      this.block = Buffer.from(ab);
      this.used = 0;
    }
    return this.block.subarray(this.used);
  }

  /** `n` bytes were read at the start of the last next(): returns them. */
  read(n: number): Buffer {
    const block = this.block!;
    const view = block.subarray(this.used, this.used + n);
    this.used += n;
    const st = states.get(block.buffer as ArrayBuffer);
    if (st) st.pending += n;
    return view;
  }

  /** No more reads into the current block (full, or the socket closed). */
  retire(): void {
    if (!this.block) return;
    const ab = this.block.buffer as ArrayBuffer;
    this.block = undefined;
    const st = states.get(ab);
    if (st) {
      st.open = false;
      settle(ab, st);
    }
  }
}

/**
 * Gives back bytes read into a block once they are consumed. Each byte at
 * most once; a Buffer that is not a view of a block is ignored.
 */
export function giveBackRead(chunk: Buffer): void {
  const ab = chunk.buffer as ArrayBuffer;
  const st = states.get(ab);
  if (!st) return;
  st.pending -= chunk.length;
  if (st.pending < 0) {
    // A byte given back twice: stop tracking this block rather than reuse it early.
    states.delete(ab);
    return;
  }
  settle(ab, st);
}
