package health.ward.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: one embedded cluster per test JVM (under target/), and a fresh,
 * migrated database for every call of {@link #fresh()}.
 */
public final class TestDatabase {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres cluster;

  private TestDatabase() {}

  private static synchronized EmbeddedPostgres cluster() {
    if (cluster == null) {
      try {
        cluster =
            EmbeddedPostgres.builder()
                .setDataDirectory(Path.of("target", "test-pg-" + ProcessHandle.current().pid()))
                .setCleanDataDirectory(true)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "300")
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cluster;
  }

  /** A new empty database in the shared cluster, migrated, with its own connection pool. */
  public static Database fresh() {
    return Database.external(freshUrl(), "postgres", "", 8);
  }

  /** The JDBC URL of a new empty database in the shared cluster (user postgres, no password). */
  public static String freshUrl() {
    EmbeddedPostgres pg = cluster();
    String name = "t" + COUNTER.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return pg.getJdbcUrl("postgres", name);
  }
}
