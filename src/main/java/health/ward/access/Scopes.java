package health.ward.access;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SMART on FHIR scopes on a credential: {@code <context>/<type or *>.<permissions>}, where context
 * is {@code user}, {@code system} or {@code patient} and permissions are SMART v2 letters in order
 * ({@code c r u d s}, any subset, e.g. {@code rs}) or v1 words ({@code read}, {@code write},
 * {@code *}). Scopes only narrow: a credential may never do more than its role allows.
 *
 * <p>Ward issues no patient-context launches, so {@code patient/} scopes are accepted but grant
 * nothing. Non-resource scopes ({@code openid}, {@code fhirUser}, {@code offline_access},
 * {@code launch…}) are accepted and ignored.
 */
public final class Scopes {
  /** Everything (the operator's and the default of tokens that predate scopes). */
  public static final Scopes ALL = new Scopes(List.of(new Scope("system", "*", "cruds"), new Scope("user", "*", "cruds")));

  private static final Pattern RESOURCE_SCOPE =
      Pattern.compile("(patient|user|system)/(\\*|[A-Z][A-Za-z]{1,63})\\.(\\*|read|write|c?r?u?d?s?)");
  private static final Pattern OTHER_SCOPE = Pattern.compile("openid|fhirUser|profile|offline_access|online_access|launch(/[a-z]+)?");

  /** One resource scope. */
  public record Scope(String context, String type, String permissions) {
    @Override
    public String toString() {
      return context + "/" + type + "." + permissions;
    }
  }

  private final List<Scope> scopes;

  private Scopes(List<Scope> scopes) {
    this.scopes = List.copyOf(scopes);
  }

  /**
   * Parses a space-separated scope string (as in OAuth's {@code scope} parameter).
   *
   * @throws IllegalArgumentException naming the first scope that is not SMART syntax
   */
  public static Scopes parse(String text) {
    List<Scope> out = new ArrayList<>();
    if (text == null) return new Scopes(out);
    for (String s : text.strip().split("\\s+")) {
      if (s.isEmpty() || OTHER_SCOPE.matcher(s).matches()) continue;
      Matcher m = RESOURCE_SCOPE.matcher(s);
      if (!m.matches() || m.group(3).isEmpty()) {
        throw new IllegalArgumentException(
            "'" + (s.length() > 40 ? s.substring(0, 40) + "…" : s)
                + "' is not a SMART scope (e.g. user/Observation.rs, system/*.cruds, patient/*.read)");
      }
      String perms = switch (m.group(3)) {
        case "*" -> "cruds";
        case "read" -> "rs";
        case "write" -> "cud";
        default -> m.group(3);
      };
      out.add(new Scope(m.group(1), m.group(2), perms));
    }
    return new Scopes(out);
  }

  /** The scopes in {@code this} that {@code allowed} also grants, per scope (an intersection). */
  public Scopes within(Scopes allowed) {
    List<Scope> out = new ArrayList<>();
    for (Scope s : scopes) {
      StringBuilder p = new StringBuilder();
      for (char c : s.permissions().toCharArray()) {
        if (allowed.grants(s.context(), s.type(), c)) p.append(c);
      }
      if (!p.isEmpty()) out.add(new Scope(s.context(), s.type(), p.toString()));
    }
    return new Scopes(out);
  }

  /** Only the scopes of one context (e.g. "system" for client credentials). */
  public Scopes onlyContext(String context) {
    return new Scopes(scopes.stream().filter(s -> s.context().equals(context)).toList());
  }

  /** True if a user- or system-context scope lets the holder perform {@code action} on {@code type}. */
  public boolean permits(Action action, String type) {
    if (action == Action.TRANSACTION) return !scopes.isEmpty();
    char letter = switch (action) {
      case CREATE -> 'c';
      case READ, HISTORY -> 'r';
      case UPDATE -> 'u';
      case DELETE -> 'd';
      case SEARCH -> 's';
      case TRANSACTION -> throw new AssertionError();
    };
    return grants("user", type, letter) || grants("system", type, letter);
  }

  private boolean grants(String context, String type, char letter) {
    for (Scope s : scopes) {
      if (s.context().equals(context)
          && (s.type().equals("*") || s.type().equals(type))
          && s.permissions().indexOf(letter) >= 0) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return scopes.isEmpty();
  }

  /** The scopes as an OAuth scope string, in the SMART v2 letter form. */
  @Override
  public String toString() {
    Set<String> out = new LinkedHashSet<>();
    for (Scope s : scopes) out.add(s.toString());
    return String.join(" ", out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Scopes other && toString().equals(other.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
