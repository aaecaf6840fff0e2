package health.ward.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory tree for tests: keeps every perfect subtree that {@link CompactRange#append}
 * reports, serves them as {@link SubtreeHashes}, refuses subtrees beyond a given size, and counts
 * reads.
 */
final class MemoryTree implements SubtreeHashes {
  private final Map<String, byte[]> nodes = new HashMap<>();
  private final CompactRange range = new CompactRange();
  private final List<byte[]> entries = new ArrayList<>();
  private long limit = Long.MAX_VALUE;
  private int reads;

  static MemoryTree of(List<byte[]> entries) {
    MemoryTree t = new MemoryTree();
    for (byte[] e : entries) t.append(e);
    return t;
  }

  void append(byte[] entry) {
    entries.add(entry);
    for (CompactRange.Node n : range.append(Merkle.leafHash(entry))) {
      nodes.put(n.level() + "/" + n.index(), n.hash());
    }
  }

  /** Serve only subtrees within the first {@code size} leaves, as a tree of that size would. */
  MemoryTree limitedTo(long size) {
    limit = size;
    reads = 0;
    return this;
  }

  @Override
  public byte[] hash(int level, long index) {
    if ((index + 1) << level > limit) {
      throw new AssertionError("read (" + level + ", " + index + ") beyond size " + limit);
    }
    byte[] h = nodes.get(level + "/" + index);
    if (h == null) throw new AssertionError("no subtree (" + level + ", " + index + ")");
    reads++;
    return h.clone();
  }

  int reads() {
    return reads;
  }

  List<byte[]> entries(int size) {
    return entries.subList(0, size);
  }

  CompactRange range() {
    return range;
  }
}
