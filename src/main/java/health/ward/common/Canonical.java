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

  /** Reads an encoding back, field by field, in the order it was written. */
  public static Reader reader(byte[] encoded) {
    return new Reader(encoded);
  }

  /**
   * Reads the fields of an encoding in order. Every method throws {@link IllegalArgumentException}
   * naming the field position when the bytes are not what is asked for (wrong tag, cut short, too
   * long), so a decoder never returns garbage.
   */
  public static final class Reader {
    private final byte[] in;
    private int pos;
    private int field;

    private Reader(byte[] in) {
      this.in = in.clone();
      if (this.in.length < 1 || this.in[0] != MAGIC) throw new IllegalArgumentException("not a canonical encoding");
      pos = 1;
    }

    /** A text field, or {@code null} for an absent value. */
    public String text() {
      byte[] v = next(TEXT);
      return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** A number field (absent is not allowed). */
    public long number() {
      byte[] v = next(NUMBER);
      if (v == null || v.length != 8) throw bad("a number");
      long n = 0;
      for (byte b : v) n = (n << 8) | (b & 0xFF);
      return n;
    }

    /** An instant written by {@link Canonical#instant}, or {@code null}. */
    public Instant instant() {
      if (peekAbsent()) {
        next(NUMBER);
        return null;
      }
      return Instant.ofEpochMilli(number());
    }

    /** A bytes field, or {@code null} for an absent value. */
    public byte[] bytes() {
      return next(BYTES);
    }

    /** True when every field was read. */
    public boolean atEnd() {
      return pos == in.length;
    }

    /** Throws unless every field was read. */
    public void end() {
      if (!atEnd()) throw new IllegalArgumentException((in.length - pos) + " bytes follow the last field");
    }

    private boolean peekAbsent() {
      return pos < in.length && in[pos] == ABSENT;
    }

    private byte[] next(byte tag) {
      field++;
      if (in.length - pos < 5) throw bad("a field");
      byte t = in[pos];
      int n = ((in[pos + 1] & 0xFF) << 24) | ((in[pos + 2] & 0xFF) << 16) | ((in[pos + 3] & 0xFF) << 8) | (in[pos + 4] & 0xFF);
      if (n < 0 || n > in.length - pos - 5) throw bad("a field of " + Integer.toUnsignedString(n) + " bytes");
      pos += 5;
      if (t == ABSENT) {
        if (n != 0) throw bad("an absent value");
        return null;
      }
      if (t != tag) throw bad("tag " + tag + " (found " + t + ")");
      byte[] v = java.util.Arrays.copyOfRange(in, pos, pos + n);
      pos += n;
      return v;
    }

    private IllegalArgumentException bad(String expected) {
      return new IllegalArgumentException("field " + field + ": expected " + expected);
    }
  }
}
