package health.ward.cli;

import health.ward.common.WardException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the embedded PostgreSQL of a running {@code ward serve} under a data directory, so that
 * {@code ward token …} run beside it connects to that cluster instead of failing to start a second
 * one on the same files (PostgreSQL's lock) — which is what makes {@code ward token revoke} work
 * while the server runs. Follows the conventions of {@link health.ward.store.Database#embedded}:
 * database {@code ward}, user {@code postgres}, no password, listening on loopback.
 */
final class RunningEmbeddedDatabase {
  static final String USER = "postgres";
  static final String PASSWORD = "";

  private RunningEmbeddedDatabase() {}

  /**
   * The JDBC URL of a live cluster whose {@code postmaster.pid} lies within two levels under
   * {@code dataDir}, or empty when there is none (or its postmaster is not running).
   */
  static Optional<String> jdbcUrl(Path dataDir) {
    if (!Files.isDirectory(dataDir)) return Optional.empty();
    try (Stream<Path> found = Files.find(dataDir, 3, (p, a) -> p.getFileName().toString().equals("postmaster.pid"))) {
      for (Path pidFile : found.toList()) {
        Optional<String> url = fromPidFile(pidFile);
        if (url.isPresent()) return url;
      }
    } catch (IOException | RuntimeException e) {
      // Unreadable data directory: no running cluster to join; opening Ward will say what is wrong.
    }
    return Optional.empty();
  }

  /**
   * Refuses to go on while {@code ward serve} runs on {@code dataDir}: commands that write the
   * ledger or the keys (import, key rotation) must own them alone.
   *
   * @throws WardException.InvalidRequest when a server is running there
   */
  static void refuseWhileServing(Path dataDir, String what) {
    if (jdbcUrl(dataDir).isPresent()) {
      throw new WardException.InvalidRequest(
          "ward serve is running on " + dataDir + "; stop it before " + what);
    }
  }

  /**
   * Reads PostgreSQL's {@code postmaster.pid}: line 1 the postmaster's pid, line 4 its port, line 6
   * its first listen address.
   */
  static Optional<String> fromPidFile(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.size() < 4) return Optional.empty();
    long pid;
    int port;
    try {
      pid = Long.parseLong(lines.get(0).trim());
      port = Integer.parseInt(lines.get(3).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (port < 1 || port > 65_535) return Optional.empty();
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) return Optional.empty();
    String host = lines.size() > 5 ? lines.get(5).trim() : "";
    if (host.isEmpty() || host.equals("*") || host.equals("0.0.0.0")) host = "127.0.0.1";
    if (host.contains(":")) host = "[" + host + "]";
    return Optional.of("jdbc:postgresql://" + host + ":" + port + "/ward");
  }

  /**
   * The configuration to use while {@code ward serve} may be running on the same data directory:
   * with no external database configured, join the running server's embedded database if there is
   * one (a second embedded PostgreSQL cannot start on the same files).
   */
  static WardConfig joiningServer(WardConfig base, Path data) {
    if (base.dbUrl() != null) return base;
    return jdbcUrl(data).map(url -> base.withDatabase(url, USER, PASSWORD)).orElse(base);
  }
}
