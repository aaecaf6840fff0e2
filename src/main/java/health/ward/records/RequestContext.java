package health.ward.records;

import health.ward.access.Principal;
import java.util.Objects;

/**
 * Who is asking and from where, as the HTTP layer (or a local command) saw it.
 *
 * @param address client address, or {@code null} for local commands
 * @param userAgent client software, or {@code null}
 */
public record RequestContext(Principal principal, String address, String userAgent) {
  public RequestContext {
    Objects.requireNonNull(principal, "principal");
  }

  public static RequestContext local(Principal principal) {
    return new RequestContext(principal, null, null);
  }
}
