package health.ward.watch;

import java.util.Locale;

/**
 * What Ward does about an alert, in increasing order of force. Each response includes the ones
 * before it: a revoked session was also alerted about.
 */
public enum Response {
  /** Nothing: the detector is switched off. */
  OFF,
  /** Tell security officers (admin API, webhook, syslog). */
  ALERT,
  /** Let the credential make one request every two seconds for the next ten minutes. */
  THROTTLE,
  /** End the session; its user must sign in again with a passkey (WebAuthn) before the next one. */
  STEP_UP,
  /** End the session and lock the account (or revoke the token) until an administrator acts. */
  REVOKE;

  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses {@code off}, {@code alert}, {@code throttle}, {@code step-up} or {@code revoke}. */
  public static Response of(String code) {
    for (Response r : values()) {
      if (r.code().equals(code)) return r;
    }
    throw new IllegalArgumentException("unknown response '" + code + "' (off, alert, throttle, step-up, revoke)");
  }

  /** Whether this response refuses the request that triggered it. */
  public boolean blocks() {
    return compareTo(THROTTLE) >= 0;
  }
}
