package health.ward.audit;

import health.ward.audit.AccessEvent.Outcome;
import health.ward.common.Canonical;
import health.ward.common.Pseudonym;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A ledger entry as stored: NEN 7513's fields with keyed pseudonyms for every identifying value,
 * and the plain details sealed ({@link Sealed}) so that only Ward, on behalf of someone allowed, can
 * read them. Anyone can hash and verify it; nothing in it is PHI.
 *
 * <p>Byte layout ({@link Canonical} fields, in this order):
 *
 * <pre>
 * public part:
 *   text "ward.access", number 2 (format), number time (epoch ms),
 *   bytes actor pseudonym, text actor role, bytes session pseudonym | absent,
 *   text interaction, text resource type, text search shape, text outcome, text rule,
 *   number emergency (0 or 1), text purpose of use,
 *   bytes address pseudonym | absent, bytes user-agent pseudonym | absent,
 *   number n, then n touches: bytes patient pseudonym | absent, text resource type, bytes resource pseudonym
 * sealed part:
 *   number m, then m details: bytes patient pseudonym | absent, bytes ciphertext
 * </pre>
 *
 * A detail with a patient is sealed under that patient's data key and holds the references touched
 * for them; the one detail without a patient is sealed under the key for resources of no patient
 * and holds who acted (credential id and name, session), from where (address, user agent) and the
 * references of no patient. Each is bound to this entry's public part and its patient (see {@link
 * #detailContext}), so it cannot be moved to another entry or patient.
 */
public record AuditEntry(
    Instant at,
    Pseudonym actor,
    String actorRole,
    Pseudonym session,
    String interaction,
    String resourceType,
    String searchShape,
    Outcome outcome,
    String rule,
    boolean emergency,
    String purposeOfUse,
    Pseudonym address,
    Pseudonym userAgent,
    List<Touched> touched,
    List<Sealed> details) {

  static final String KIND = "ward.access";
  static final long FORMAT = 2;

  /** A touched resource, pseudonymised. */
  public record Touched(Pseudonym patient, String resourceType, Pseudonym resource) {
    public Touched {
      Objects.requireNonNull(resourceType, "resourceType");
      Objects.requireNonNull(resource, "resource");
    }
  }

  /** A sealed detail; {@code patient} is {@code null} for the one about the actor. */
  public record Sealed(Pseudonym patient, byte[] ciphertext) {
    public Sealed {
      Objects.requireNonNull(ciphertext, "ciphertext");
      ciphertext = ciphertext.clone();
    }

    @Override
    public byte[] ciphertext() {
      return ciphertext.clone();
    }
  }

  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(actorRole, "actorRole");
    Objects.requireNonNull(interaction, "interaction");
    Objects.requireNonNull(resourceType, "resourceType");
    Objects.requireNonNull(searchShape, "searchShape");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(purposeOfUse, "purposeOfUse");
    touched = List.copyOf(touched);
    details = List.copyOf(details);
  }

  /** The distinct patients this entry touched, in order of first touch. */
  public List<Pseudonym> patients() {
    List<Pseudonym> out = new ArrayList<>();
    for (Touched t : touched) if (t.patient() != null && !out.contains(t.patient())) out.add(t.patient());
    return out;
  }

  /** The canonical bytes of this entry (the ledger leaf's input). */
  public byte[] encode() {
    Canonical c = publicPart();
    c.number(details.size());
    for (Sealed s : details) c.bytes(s.patient() == null ? null : s.patient().bytes()).bytes(s.ciphertext);
    return c.encode();
  }

  /**
   * The associated data a detail about {@code patient} ({@code null}: the actor detail) is sealed
   * with: {@code Canonical(bytes public part, bytes patient | absent)}.
   */
  byte[] detailContext(Pseudonym patient) {
    return Canonical.builder().bytes(publicPart().encode()).bytes(patient == null ? null : patient.bytes()).encode();
  }

  private Canonical publicPart() {
    Canonical c =
        Canonical.builder()
            .text(KIND)
            .number(FORMAT)
            .instant(at)
            .bytes(actor.bytes())
            .text(actorRole)
            .bytes(session == null ? null : session.bytes())
            .text(interaction)
            .text(resourceType)
            .text(searchShape)
            .text(outcome.name())
            .text(rule)
            .number(emergency ? 1 : 0)
            .text(purposeOfUse)
            .bytes(address == null ? null : address.bytes())
            .bytes(userAgent == null ? null : userAgent.bytes())
            .number(touched.size());
    for (Touched t : touched) {
      c.bytes(t.patient() == null ? null : t.patient().bytes()).text(t.resourceType()).bytes(t.resource().bytes());
    }
    return c;
  }

  /**
   * Decodes stored bytes. Throws {@link IllegalArgumentException} saying what is wrong when they are
   * not a format-2 access entry (another kind or format, a missing or extra field, a bad value).
   */
  public static AuditEntry decode(byte[] bytes) {
    Canonical.Reader r = Canonical.reader(bytes);
    String kind = r.text();
    if (!KIND.equals(kind)) throw new IllegalArgumentException("not an access entry (kind " + kind + ")");
    long format = r.number();
    if (format == 1) return decodeFormat1(r, bytes.length);
    if (format != FORMAT) throw new IllegalArgumentException("unsupported access entry format " + format);
    Instant at = required(r.instant(), "time");
    Pseudonym actor = pseudonym(required(r.bytes(), "actor"));
    String role = required(r.text(), "actor role");
    Pseudonym session = pseudonymOrNull(r.bytes());
    String interaction = required(r.text(), "interaction");
    String type = required(r.text(), "resource type");
    String shape = required(r.text(), "search shape");
    Outcome outcome = readOutcome(r);
    String rule = required(r.text(), "rule");
    long emergency = r.number();
    if (emergency != 0 && emergency != 1) throw new IllegalArgumentException("emergency flag must be 0 or 1");
    String purpose = required(r.text(), "purpose of use");
    Pseudonym address = pseudonymOrNull(r.bytes());
    Pseudonym userAgent = pseudonymOrNull(r.bytes());
    List<Touched> touched = readTouches(r, bytes.length);
    int m = count(r.number(), bytes.length);
    List<Sealed> details = new ArrayList<>(m);
    for (int i = 0; i < m; i++) {
      Pseudonym patient = pseudonymOrNull(r.bytes());
      details.add(new Sealed(patient, required(r.bytes(), "sealed detail")));
    }
    r.end();
    return new AuditEntry(at, actor, role, session, interaction, type, shape, outcome, rule, emergency == 1,
        purpose, address, userAgent, touched, details);
  }

  /**
   * Format 1, written by Ward before entries carried NEN 7513's further fields (and converted into
   * the Merkle log by {@code V7__Convert_hash_chain}): time, actor, interaction, type, search shape,
   * outcome, rule, address, touches. Role and purpose of use were not recorded (empty here), there
   * is no session or user agent, and no sealed details. Such an entry is only ever decoded: its
   * stored bytes, not {@link #encode()}, are what the tree covers.
   */
  private static AuditEntry decodeFormat1(Canonical.Reader r, int limit) {
    Instant at = required(r.instant(), "time");
    Pseudonym actor = pseudonym(required(r.bytes(), "actor"));
    String interaction = required(r.text(), "interaction");
    String type = required(r.text(), "resource type");
    String shape = required(r.text(), "search shape");
    Outcome outcome = readOutcome(r);
    String rule = required(r.text(), "rule");
    Pseudonym address = pseudonymOrNull(r.bytes());
    List<Touched> touched = readTouches(r, limit);
    r.end();
    return new AuditEntry(at, actor, "", null, interaction, type, shape, outcome, rule, false, "", address, null, touched, List.of());
  }

  /** True for entries of the first format, which recorded no role, purpose or sealed details. */
  public boolean firstFormat() {
    return details.isEmpty();
  }

  private static Outcome readOutcome(Canonical.Reader r) {
    try {
      return Outcome.valueOf(required(r.text(), "outcome"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown outcome", e);
    }
  }

  /** A count, then that many touches: patient pseudonym or absent, type, resource pseudonym. */
  private static List<Touched> readTouches(Canonical.Reader r, int limit) {
    int n = count(r.number(), limit);
    List<Touched> touched = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Pseudonym patient = pseudonymOrNull(r.bytes());
      String t = required(r.text(), "touched type");
      touched.add(new Touched(patient, t, pseudonym(required(r.bytes(), "touched resource"))));
    }
    return touched;
  }

  private static int count(long n, int limit) {
    if (n < 0 || n > limit) throw new IllegalArgumentException("a count of " + n + " cannot fit in " + limit + " bytes");
    return (int) n;
  }

  private static <T> T required(T value, String what) {
    if (value == null) throw new IllegalArgumentException("the " + what + " is missing");
    return value;
  }

  private static Pseudonym pseudonym(byte[] b) {
    if (b.length != Pseudonym.LENGTH) throw new IllegalArgumentException("a pseudonym is " + Pseudonym.LENGTH + " bytes");
    return Pseudonym.of(b);
  }

  private static Pseudonym pseudonymOrNull(byte[] b) {
    return b == null ? null : pseudonym(b);
  }
}
