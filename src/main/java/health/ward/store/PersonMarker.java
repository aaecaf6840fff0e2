package health.ward.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A mark of who a person in the record is, stated by a Patient or Practitioner resource and stored
 * with it, so detectors can compare people without decrypting them. Holds no plaintext: the token
 * is a keyed blind index.
 *
 * @param kind {@code surname}, {@code address}, {@code person} (name and birth date),
 *     {@code deceased} or {@code label} (a security label such as CEL or EMP)
 * @param token the blind token; {@code null} only for {@code deceased}
 * @param at when the patient died, for {@code deceased}; otherwise {@code null}
 */
public record PersonMarker(String kind, byte[] token, Instant at) {
  public static final String SURNAME = "surname";
  public static final String ADDRESS = "address";
  public static final String PERSON = "person";
  public static final String DECEASED = "deceased";
  public static final String LABEL = "label";
  private static final Set<String> KINDS = Set.of(SURNAME, ADDRESS, PERSON, DECEASED, LABEL);

  public PersonMarker {
    Objects.requireNonNull(kind, "kind");
    if (!KINDS.contains(kind)) throw new IllegalArgumentException("unknown person marker kind " + kind);
    if (token == null && !kind.equals(DECEASED)) throw new IllegalArgumentException(kind + " needs a token");
    token = token == null ? null : token.clone();
  }

  @Override
  public byte[] token() {
    return token == null ? null : token.clone();
  }
}
