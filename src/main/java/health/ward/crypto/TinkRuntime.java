package health.ward.crypto;

import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.prf.PrfConfig;
import java.security.GeneralSecurityException;

/** Registers the Tink key managers Ward uses (AEAD and PRF), once per JVM, before any key is made. */
final class TinkRuntime {
  private TinkRuntime() {}

  static {
    try {
      AeadConfig.register();
      PrfConfig.register();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Forces the static registration above; cheap after the first call. */
  static void ensure() {}
}
