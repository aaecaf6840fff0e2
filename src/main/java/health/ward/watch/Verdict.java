package health.ward.watch;

import java.util.Objects;

/**
 * What the watch says about one access before it is answered: pass, or the response that refuses
 * it (throttle, step-up, revoke) with the detector that asked for it and why.
 */
public record Verdict(Response response, String detector, String explanation) {
  public static final Verdict PASS = new Verdict(Response.ALERT, "", "");

  public Verdict {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(detector, "detector");
    Objects.requireNonNull(explanation, "explanation");
  }

  /** Whether the access must be refused. */
  public boolean blocks() {
    return response.blocks();
  }
}
