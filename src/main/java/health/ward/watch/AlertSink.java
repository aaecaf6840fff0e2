package health.ward.watch;

/**
 * Somewhere alerts go besides the admin API: a webhook, a syslog collector. Called on a background
 * thread; an implementation may be slow or fail (it is retried) but never blocks an access.
 */
public interface AlertSink extends AutoCloseable {
  /** Delivers one alert; throws on failure so that it is retried. */
  void deliver(Alert alert) throws Exception;

  /** A short name for logs, e.g. {@code syslog udp://siem:514}. */
  String describe();

  @Override
  default void close() {}
}
