package health.ward.ledger;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte layout of one stored batch (a row of {@code ledger_batch}, see {@code V6__merkle_ledger.sql}),
 * pure functions without I/O.
 *
 * <pre>
 * entries = for each entry in index order: uint32 big-endian length || entry bytes
 * hashes  = for each leaf j in index order: the perfect-subtree hashes leaf j completes, levels
 *           0 .. Merkle.completedLevels(j) - 1, 32 bytes each
 * </pre>
 */
final class LedgerBatch {
  private LedgerBatch() {}

  /** Thrown when stored bytes do not have the layout above. */
  static final class MalformedBatch extends Exception {
    private final int entry;

    MalformedBatch(int entry, String message) {
      super(message);
      this.entry = entry;
    }

    /** Position within the batch of the first entry that could not be read. */
    int entry() {
      return entry;
    }
  }

  static byte[] encodeEntries(List<byte[]> entries) {
    int length = 0;
    for (byte[] e : entries) length += 4 + e.length;
    ByteBuffer b = ByteBuffer.allocate(length);
    for (byte[] e : entries) b.putInt(e.length).put(e);
    return b.array();
  }

  /** The entries of a batch that claims {@code count} of them; exactly that many and no trailing bytes. */
  static List<byte[]> decodeEntries(byte[] bytes, int count) throws MalformedBatch {
    List<byte[]> out = new ArrayList<>(count);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    for (int i = 0; i < count; i++) {
      if (b.remaining() < 4) throw new MalformedBatch(i, "entry " + i + " of " + count + " is missing");
      int length = b.getInt();
      if (length < 0 || length > b.remaining()) {
        throw new MalformedBatch(i, "entry " + i + " claims " + length + " bytes, " + b.remaining() + " remain");
      }
      byte[] e = new byte[length];
      b.get(e);
      out.add(e);
    }
    if (b.hasRemaining()) {
      throw new MalformedBatch(count, b.remaining() + " bytes follow the last of " + count + " entries");
    }
    return out;
  }

  /**
   * Appends {@code entries} to {@code range} and returns the batch's hashes column: every subtree
   * hash the entries complete, in the layout above.
   */
  static byte[] append(CompactRange range, List<byte[]> entries, Merkle.Hasher hasher) {
    byte[] hashes = new byte[Math.toIntExact(hashesLength(range.size(), entries.size()))];
    int offset = 0;
    for (byte[] entry : entries) {
      for (CompactRange.Node node : range.append(hasher.leaf(entry), hasher)) {
        System.arraycopy(node.hash(), 0, hashes, offset, Merkle.HASH_LENGTH);
        offset += Merkle.HASH_LENGTH;
      }
    }
    return hashes;
  }

  /** Number of hash bytes a batch of leaves {@code [first, first + count)} stores. */
  static long hashesLength(long first, int count) {
    return (Merkle.completedNodes(first + count) - Merkle.completedNodes(first)) * Merkle.HASH_LENGTH;
  }

  /** The leaf whose append completes perfect subtree {@code (level, index)}. */
  static long completingLeaf(int level, long index) {
    return ((index + 1) << level) - 1;
  }

  /** Byte offset, within the hashes of the batch starting at {@code first}, of subtree {@code (level, index)}. */
  static long hashOffset(long first, int level, long index) {
    long leaf = completingLeaf(level, index);
    return (Merkle.completedNodes(leaf) - Merkle.completedNodes(first) + level) * Merkle.HASH_LENGTH;
  }
}
