package health.ward.watch;

/** How much an alert matters, as RFC 5424 severities say it to a SIEM. */
public enum Severity {
  /** Worth a look (RFC 5424 severity 5, notice). */
  LOW(5),
  /** Likely a policy breach (4, warning). */
  MEDIUM(4),
  /** A breach or an attack in progress (3, error). */
  HIGH(3),
  /** No legitimate explanation, acted on at once (2, critical). */
  CRITICAL(2);

  private final int syslog;

  Severity(int syslog) {
    this.syslog = syslog;
  }

  /** The RFC 5424 severity number. */
  public int syslog() {
    return syslog;
  }

  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
