package health.ward.ledger;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The state of a chained ledger: how many entries it holds and the chain hash after the last one
 * (32 zero bytes when empty). Whoever keeps an earlier head can detect truncation and rewriting.
 */
public record ChainHead(long size, byte[] hash) {
  public ChainHead {
    if (size < 0) throw new IllegalArgumentException("size must be >= 0, was " + size);
    if (hash == null || hash.length != HashChain.HASH_LENGTH) {
      throw new IllegalArgumentException("hash must be " + HashChain.HASH_LENGTH + " bytes");
    }
    hash = hash.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChainHead h && h.size == size && Arrays.equals(h.hash, hash);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(size) * 31 + Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "ChainHead[size=" + size + ", hash=" + HexFormat.of().formatHex(hash) + "]";
  }
}
