package health.ward.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import health.ward.common.WardException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Ward's PostgreSQL: an embedded server under the data directory, or an external one by JDBC URL.
 * One schema (Flyway migrations in {@code db/migration}), one code path for both.
 */
public final class Database implements AutoCloseable {
  /** The embedded cluster's superuser, which owns the schema and runs migrations. */
  static final String OWNER = "postgres";
  /** The embedded database's role for requests: no UPDATE, DELETE or TRUNCATE on the ledger. */
  public static final String APP_ROLE = "ward_app";

  private final EmbeddedPostgres embedded;
  private final HikariDataSource pool;

  private Database(EmbeddedPostgres embedded, HikariDataSource pool) {
    this.embedded = embedded;
    this.pool = pool;
  }

  /**
   * Starts (or re-opens) an embedded PostgreSQL whose cluster lives in {@code dir}, with durable
   * commits (fsync and synchronous_commit on), then migrates the schema.
   */
  public static Database embedded(Path dir, int poolSize) {
    return embedded(dir, poolSize, List.of());
  }

  /** As {@link #embedded(Path, int)}, with migrations written in Java besides the SQL ones. */
  public static Database embedded(Path dir, int poolSize, List<JavaMigration> javaMigrations) {
    try {
      Files.createDirectories(dir);
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("max_connections", "100")
              .setServerConfig("shared_buffers", "128MB")
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("log_statement", "none")
              .setServerConfig("log_min_error_statement", "panic")
              .setServerConfig("log_min_messages", "warning")
              .setRegisterShutdownHook(true)
              .start();
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        var rs = s.executeQuery("select 1 from pg_database where datname = 'ward'");
        if (!rs.next()) s.execute("create database ward");
      }
      // The schema owner migrates; requests run as APP_ROLE, which may not change or remove
      // ledger rows, nor disable the triggers that guard them (only an owner may).
      try {
        migrate(pg.getDatabase(OWNER, "ward"), javaMigrations);
        grantAppRole(pg.getDatabase(OWNER, "ward"));
      } catch (RuntimeException | SQLException e) {
        closeQuietly(pg);
        throw e;
      }
      return open(pg, pg.getJdbcUrl(APP_ROLE, "ward"), APP_ROLE, "", poolSize, javaMigrations);
    } catch (IOException | SQLException e) {
      throw new WardException.StoreUnavailable(
          "could not start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Connects to an external PostgreSQL and migrates the schema. */
  public static Database external(String jdbcUrl, String user, String password, int poolSize) {
    return external(jdbcUrl, user, password, poolSize, List.of());
  }

  /** As {@link #external(String, String, String, int)}, with migrations written in Java. */
  public static Database external(
      String jdbcUrl, String user, String password, int poolSize, List<JavaMigration> javaMigrations) {
    return open(null, jdbcUrl, user, password, poolSize, javaMigrations);
  }

  private static Database open(
      EmbeddedPostgres pg, String url, String user, String password, int poolSize, List<JavaMigration> javaMigrations) {
    HikariConfig cfg = new HikariConfig();
    cfg.setJdbcUrl(url);
    if (user != null) cfg.setUsername(user);
    if (password != null) cfg.setPassword(password);
    cfg.setMaximumPoolSize(poolSize);
    cfg.setMinimumIdle(Math.min(4, poolSize));
    cfg.setPoolName("ward");
    cfg.setInitializationFailTimeout(10_000);
    cfg.addDataSourceProperty("reWriteBatchedInserts", "true");
    cfg.addDataSourceProperty("prepareThreshold", "1");
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(cfg);
    } catch (RuntimeException e) {
      closeQuietly(pg);
      throw new WardException.StoreUnavailable(
          "could not connect to PostgreSQL at " + redact(url) + ": " + e.getMessage(), e);
    }
    if (pg == null) {
      try {
        migrate(ds, javaMigrations);
      } catch (RuntimeException e) {
        ds.close();
        throw e;
      }
    }
    return new Database(pg, ds);
  }

  private static void migrate(DataSource ds, List<JavaMigration> javaMigrations) {
    try {
      // A database migrated with a Java migration may later be opened by a tool that does not
      // carry it (a test fixture, a benchmark): that is not an error.
      Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/migration")
          .javaMigrations(javaMigrations.toArray(JavaMigration[]::new))
          .ignoreMigrationPatterns("*:missing")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new WardException.StoreUnavailable("could not migrate the schema: " + innermost(e), e);
    }
  }

  /** The message of the deepest cause: Flyway wraps a failed migration's reason in its own. */
  private static String innermost(Throwable e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t.getMessage() != null) message = t.getMessage();
    }
    return message;
  }

  /**
   * Creates (once) the role requests run as and gives it what it needs on every table, except
   * changing or removing ledger rows and touching the migration history. Run after every migration
   * so new tables are covered.
   */
  private static void grantAppRole(DataSource owner) throws SQLException {
    try (Connection c = owner.getConnection(); Statement s = c.createStatement()) {
      s.execute(
          "do $$ begin if not exists (select 1 from pg_roles where rolname = '" + APP_ROLE + "') then"
              + " create role " + APP_ROLE + " login; end if; end $$");
      s.execute("grant connect on database ward to " + APP_ROLE);
      s.execute("grant usage on schema public to " + APP_ROLE);
      s.execute("grant select, insert, update, delete on all tables in schema public to " + APP_ROLE);
      s.execute("grant usage, select, update on all sequences in schema public to " + APP_ROLE);
      s.execute("revoke insert, update, delete, truncate on flyway_schema_history from " + APP_ROLE);
      s.execute("revoke update, delete, truncate on ledger_batch, ledger_checkpoint from " + APP_ROLE);
    }
  }

  private static String redact(String url) {
    return url.replaceAll("password=[^&]*", "password=***");
  }

  private static void closeQuietly(EmbeddedPostgres pg) {
    if (pg == null) return;
    try {
      pg.close();
    } catch (IOException ignored) {
      // Start-up already failed; the original error is the one to report.
    }
  }

  /** Connections for Ward's work; on the embedded database as {@link #APP_ROLE}. */
  public DataSource dataSource() {
    return pool;
  }

  /**
   * Unpooled connections as the schema owner, for operator tooling that must change the schema or
   * inspect it as its owner; never used for requests. For an external database, the configured user.
   */
  public DataSource ownerDataSource() {
    return embedded != null ? embedded.getDatabase(OWNER, "ward") : pool;
  }

  /** True when this database is the embedded one under the data directory. */
  public boolean isEmbedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    pool.close();
    closeQuietly(embedded);
  }
}
