package health.ward.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TotpTest {
  // RFC 6238 appendix B, SHA-1 seed; its 8-digit values end in these 6 digits.
  static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @Test
  void codes_matchRfc6238Vectors() {
    assertEquals("287082", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(59))));
    assertEquals("081804", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(1111111109))));
    assertEquals("050471", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(1111111111))));
    assertEquals("005924", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(1234567890))));
    assertEquals("279037", Totp.code(SEED, Totp.step(Instant.ofEpochSecond(2000000000))));
  }

  @Test
  void verify_allowsOneStepOfDrift_refusesReplayAndJunk() {
    Instant now = Instant.ofEpochSecond(1234567890);
    long step = Totp.step(now);
    assertEquals(step, Totp.verify(SEED, Totp.code(SEED, step), now, -1).getAsLong());
    assertEquals(step - 1, Totp.verify(SEED, Totp.code(SEED, step - 1), now, -1).getAsLong());
    assertEquals(step + 1, Totp.verify(SEED, Totp.code(SEED, step + 1), now, -1).getAsLong());
    assertTrue(Totp.verify(SEED, Totp.code(SEED, step - 2), now, -1).isEmpty(), "two steps off");
    assertTrue(Totp.verify(SEED, Totp.code(SEED, step), now, step).isEmpty(), "a used step is not accepted again");
    assertTrue(Totp.verify(SEED, "12345", now, -1).isEmpty());
    assertTrue(Totp.verify(SEED, "abcdef", now, -1).isEmpty());
    assertTrue(Totp.verify(SEED, null, now, -1).isEmpty());
  }

  @Test
  void base32AndUri_areWhatAuthenticatorAppsRead() {
    assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.base32(SEED));
    assertEquals("otpauth://totp/Ward:dr.jansen?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Ward&algorithm=SHA1&digits=6&period=30",
        Totp.uri("Ward", "dr.jansen", SEED));
  }
}
