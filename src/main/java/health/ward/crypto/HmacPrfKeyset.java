package health.ward.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.prf.HmacPrfKey;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.prf.Prf;
import com.google.crypto.tink.prf.PrfSet;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * An HMAC-SHA256 pseudorandom function (Tink PRF): the keyed, deterministic digest behind
 * pseudonyms and blind-index tokens.
 *
 * <p>Guarantee: without the key, outputs are indistinguishable from random and reveal nothing about
 * the input; with the same key and input the output is always the same. Callers must feed it a
 * {@code health.ward.common.Canonical} encoding so distinct field lists never share an input.
 * Immutable and thread-safe.
 */
public final class HmacPrfKeyset {
  /** Shortest output allowed: 128 bits keeps accidental collisions out of reach (birthday bound 2^64). */
  public static final int MIN_OUTPUT_BYTES = 16;

  private final KeysetHandle handle;
  private final Prf prf;

  private HmacPrfKeyset(KeysetHandle handle) throws GeneralSecurityException {
    for (int i = 0; i < handle.size(); i++) {
      if (!(handle.getAt(i).getKey() instanceof HmacPrfKey)) {
        throw new GeneralSecurityException("not an HMAC-PRF keyset");
      }
    }
    this.handle = handle;
    PrfSet set = handle.getPrimitive(RegistryConfiguration.get(), PrfSet.class);
    this.prf = set.getPrfs().get(set.getPrimaryId());
  }

  /** A new keyset with one fresh HMAC-SHA256 PRF key. */
  public static HmacPrfKeyset generate() {
    TinkRuntime.ensure();
    try {
      return new HmacPrfKeyset(KeysetHandle.generateNew(PredefinedPrfParameters.HMAC_SHA256_PRF));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not generate an HMAC-PRF key", e);
    }
  }

  /** Parses key material made by {@link #toSecretBytes()}. */
  public static HmacPrfKeyset fromSecretBytes(byte[] keyset) throws GeneralSecurityException {
    TinkRuntime.ensure();
    return new HmacPrfKeyset(TinkProtoKeysetFormat.parseKeyset(keyset, InsecureSecretKeyAccess.get()));
  }

  /** Secret: the serialized keyset (Tink binary format). Wrap it at once; never store it bare. */
  public byte[] toSecretBytes() {
    try {
      return TinkProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Tink could not serialize a keyset", e);
    }
  }

  /** HMAC-SHA256 of {@code input} under the primary key, truncated to {@code length} bytes. */
  public byte[] compute(byte[] input, int length) {
    Objects.requireNonNull(input, "input");
    if (length < MIN_OUTPUT_BYTES || length > 32) {
      throw new IllegalArgumentException("length must be 16..32, was " + length);
    }
    try {
      return prf.compute(input, length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-PRF failed", e);
    }
  }

  @Override
  public String toString() {
    return "HmacPrfKeyset[keys=" + handle.size() + "]";
  }
}
