package health.ward.cli;

import health.ward.records.CareSettings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything Ward needs to start, resolved from flags and environment by the CLI.
 *
 * @param dataDir data directory (embedded PostgreSQL, TLS material); default ./ward-data
 * @param keysDir key directory, kept apart from the data; default ./ward-keys
 * @param dbUrl external PostgreSQL JDBC URL, or {@code null} for the embedded one
 * @param passphrase WARD_MASTER_PASSPHRASE, or {@code null}; protects the key-encryption key
 */
public record WardConfig(
    Path dataDir,
    Path keysDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    char[] passphrase,
    int dbPoolSize,
    int keyCacheSize,
    CareSettings care) {
  public WardConfig {
    Objects.requireNonNull(care, "care");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(keysDir, "keysDir");
    if (dbPoolSize < 1) throw new IllegalArgumentException("dbPoolSize must be >= 1");
    if (keyCacheSize < 1) throw new IllegalArgumentException("keyCacheSize must be >= 1");
  }

  public static WardConfig defaults(Path dataDir, Path keysDir) {
    return new WardConfig(dataDir, keysDir, null, null, null, null, 24, 10_000, CareSettings.DEFAULT);
  }

  public WardConfig withPassphrase(char[] p) {
    return new WardConfig(dataDir, keysDir, dbUrl, dbUser, dbPassword, p, dbPoolSize, keyCacheSize, care);
  }

  public WardConfig withDatabase(String url, String user, String password) {
    return new WardConfig(dataDir, keysDir, url, user, password, passphrase, dbPoolSize, keyCacheSize, care);
  }

  public WardConfig withCare(CareSettings c) {
    return new WardConfig(dataDir, keysDir, dbUrl, dbUser, dbPassword, passphrase, dbPoolSize, keyCacheSize, c);
  }

  @Override
  public String toString() {
    return "WardConfig[data=" + dataDir + ", keys=" + keysDir + ", db=" + (dbUrl == null ? "embedded" : "external") + "]";
  }
}
