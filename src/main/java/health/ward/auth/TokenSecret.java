package health.ward.auth;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The secret of an API token, as handed to its owner exactly once. {@link #toString()} shows only
 * the length, so a secret that reaches a log line or an exception message leaks nothing.
 */
public final class TokenSecret {
  private final char[] chars;

  TokenSecret(String value) {
    Objects.requireNonNull(value, "value");
    this.chars = value.toCharArray();
  }

  /** The secret itself, for printing it once to the person who created the token. */
  public String reveal() {
    return new String(chars);
  }

  /** Number of characters. */
  public int length() {
    return chars.length;
  }

  byte[] utf8() {
    return new String(chars).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "TokenSecret[" + chars.length + " chars]";
  }
}
