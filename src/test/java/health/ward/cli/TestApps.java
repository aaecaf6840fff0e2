package health.ward.cli;

import health.ward.store.TestDatabase;
import java.nio.file.Path;

/** Real Ward applications for tests: a fresh database in the shared embedded PostgreSQL each. */
public final class TestApps {
  private TestApps() {}

  /** A configuration with keys under {@code dir}/keys and a fresh database. */
  public static WardConfig config(Path dir) {
    return WardConfig.defaults(dir.resolve("data"), dir.resolve("keys"))
        .withDatabase(TestDatabase.freshUrl(), "postgres", "");
  }

  public static WardApp open(Path dir) {
    return WardApp.open(config(dir));
  }
}
