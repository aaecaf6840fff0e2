package health.ward.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where Ward's data, keys and database are: shared by every command that opens Ward. */
final class CommonOptions {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "ward-data",
      description = "Data directory: embedded PostgreSQL, TLS material (default: ./${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--keys",
      paramLabel = "DIR",
      defaultValue = "ward-keys",
      description = "Key directory, kept apart from the data (default: ./${DEFAULT-VALUE}).")
  Path keys;

  @Option(
      names = "--db-url",
      paramLabel = "URL",
      description = "External PostgreSQL JDBC URL (env WARD_DB_URL). Default: embedded under --data.")
  String dbUrl;

  @Option(names = "--db-user", paramLabel = "USER", description = "Database user (env WARD_DB_USER).")
  String dbUser;

  @Option(
      names = "--db-password",
      paramLabel = "PASSWORD",
      description = "Database password (env WARD_DB_PASSWORD; prefer the environment: arguments show in ps).")
  String dbPassword;
}
