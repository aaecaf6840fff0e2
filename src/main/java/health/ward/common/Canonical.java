package health.ward.common;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The one canonical encoding for everything Ward hashes, MACs or binds as associated data.
 * Fields are never joined with separators; each is typed and length-prefixed, so two different
 * field lists never encode to the same bytes.
 *
 * <pre>
 * encoding = magic(1 byte 0xC7) field*
 * field    = tag(1 byte) length(4 bytes, big-endian, unsigned) value(length bytes)
 * tag      = 0x01 UTF-8 text | 0x02 signed 64-bit integer (big-endian, length 8)
 *          | 0x03 raw bytes  | 0x04 absent value (length 0)
 * </pre>
 */
public final class Canonical {
  private static final byte MAGIC = (byte) 0xC7;
  private static final byte TEXT = 0x01, NUMBER = 0x02, BYTES = 0x03, ABSENT = 0x04;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

  private Canonical() {
    out.write(MAGIC);
  }

  /** Starts an encoding. */
  public static Canonical builder() {
    return new Canonical();
  }

  /** Appends a text field; {@code null} is encoded as an absent value, distinct from "". */
  public Canonical text(String value) {
    if (value == null) return field(ABSENT, new byte[0]);
    return field(TEXT, value.getBytes(StandardCharsets.UTF_8));
  }

  public Canonical number(long value) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) value;
      value >>>= 8;
    }
    return field(NUMBER, b);
  }

  /** Appends an instant as epoch milliseconds. */
  public Canonical instant(Instant value) {
    return value == null ? field(ABSENT, new byte[0]) : number(value.toEpochMilli());
  }

  /** Appends raw bytes; {@code null} is encoded as an absent value. */
  public Canonical bytes(byte[] value) {
    return value == null ? field(ABSENT, new byte[0]) : field(BYTES, value);
  }

  private Canonical field(byte tag, byte[] value) {
    out.write(tag);
    int n = value.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.writeBytes(value);
    return this;
  }

  /** The encoded bytes; a fresh copy on each call. */
  public byte[] encode() {
    return out.toByteArray();
  }
}
