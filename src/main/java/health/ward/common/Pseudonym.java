package health.ward.common;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A keyed pseudonym: a truncated HMAC of an identifier under a key the database does not hold.
 * It links records and ledger entries about the same subject without revealing who it is.
 * Not secret in itself, so {@link #toString()} shows it in hex.
 */
public final class Pseudonym {
  public static final int LENGTH = 16;
  private final byte[] value;

  private Pseudonym(byte[] value) {
    this.value = value;
  }

  public static Pseudonym of(byte[] value) {
    if (value == null || value.length != LENGTH) {
      throw new IllegalArgumentException("pseudonym must be " + LENGTH + " bytes");
    }
    return new Pseudonym(value.clone());
  }

  public static Pseudonym fromHex(String hex) {
    return of(HexFormat.of().parseHex(hex));
  }

  public byte[] bytes() {
    return value.clone();
  }

  public String hex() {
    return HexFormat.of().formatHex(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Pseudonym p && Arrays.equals(value, p.value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return hex();
  }
}
