package health.ward.cli;

import health.ward.access.Role;
import health.ward.access.Scopes;
import health.ward.auth.ApiTokens;
import health.ward.auth.IssuedToken;
import health.ward.auth.TokenInfo;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ward token create|revoke|list}: API tokens for the FHIR API. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Create, revoke and list API tokens (Authorization: Bearer) for the FHIR API.",
    subcommands = {TokenCommand.Create.class, TokenCommand.Revoke.class, TokenCommand.ListTokens.class})
final class TokenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create, revoke or list");
  }

  /**
   * Opens Ward beside a running server if there is one (joining its database), runs {@code work}
   * with a token store whose ledger entries are staged for the server, and closes both.
   */
  static int withTokens(CommandSpec spec, CommonOptions common, java.util.function.BiFunction<WardApp, ApiTokens, Integer> work) {
    Main main = Main.of(spec);
    return Main.guard(
        spec,
        () -> {
          WardConfig config = RunningEmbeddedDatabase.joiningServer(main.config(common), common.data);
          try (WardApp app = main.open(config);
              ApiTokens tokens = main.tokens(app)) {
            return work.apply(app, tokens);
          }
        });
  }

  static int withTokens(CommandSpec spec, CommonOptions common, Function<ApiTokens, Integer> work) {
    return withTokens(spec, common, (app, tokens) -> work.apply(tokens));
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a token and print its secret, once.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Name of the token, unique among active tokens (letters, digits, . _ @ -).")
    String name;

    @Option(names = {"-q", "--quiet"}, description = "Print only the secret, without the hint on stderr.")
    boolean quiet;

    @Option(
        names = "--role",
        paramLabel = "ROLE",
        defaultValue = "integration",
        description = "integration (records: read, search, write; the default) or auditor (AuditEvent search only).")
    String role;

    @Option(names = "--scope", paramLabel = "SCOPES", defaultValue = "system/*.cruds",
        description = "SMART system scopes, space-separated, e.g. \"system/Observation.rs\" (default: ${DEFAULT-VALUE}).")
    String scope = "system/*.cruds";

    @Override
    public Integer call() {
      Scopes scopes;
      try {
        scopes = Scopes.parse(scope).onlyContext("system");
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--scope: " + e.getMessage());
      }
      if (scopes.isEmpty()) throw new CommandLine.ParameterException(spec.commandLine(), "--scope: give at least one system/ scope");
      Role r;
      try {
        r = Role.of(role);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--role: " + e.getMessage());
      }
      if (r != Role.INTEGRATION && r != Role.AUDITOR) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--role: a token is an integration or an auditor");
      }
      return withTokens(
          spec, common, t -> create(t, name, r, scopes, quiet, spec.commandLine().getOut(), spec.commandLine().getErr()));
    }

    static int create(ApiTokens tokens, String name, Role role, boolean quiet, PrintWriter out, PrintWriter err) {
      return create(tokens, name, role, Scopes.parse("system/*.cruds"), quiet, out, err);
    }

    /** Prints the secret alone on stdout (so {@code TOKEN=$(ward token create …)} works), hints on stderr. */
    static int create(ApiTokens tokens, String name, Role role, Scopes scopes, boolean quiet, PrintWriter out, PrintWriter err) {
      IssuedToken issued = tokens.create(name, role, scopes, null);
      out.println(issued.secret().reveal());
      out.flush();
      if (quiet) return ExitCodes.OK;
      err.println(
          "ward: created token '" + issued.name() + "'. Its secret (above) is shown only this once;"
              + " send it as the header  Authorization: Bearer <secret>");
      err.flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token; running servers refuse it from the next request.")
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Name of the active token to revoke.")
    String name;

    @Override
    public Integer call() {
      return withTokens(spec, common, t -> revoke(t, name, spec.commandLine().getErr()));
    }

    static int revoke(ApiTokens tokens, String name, PrintWriter err) {
      tokens.revoke(name);
      err.println("ward: revoked token '" + name + "'");
      err.flush();
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List tokens: names and dates, never secrets.")
  static final class ListTokens implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      return withTokens(spec, common, t -> list(t, spec.commandLine().getOut()));
    }

    static int list(ApiTokens tokens, PrintWriter out) {
      List<TokenInfo> all = tokens.list();
      int width = Math.max(4, all.stream().mapToInt(t -> t.name().length()).max().orElse(4));
      String format = "%-" + width + "s  %-11s  %-20s  %s%n";
      out.printf(Locale.ROOT, format, "NAME", "ROLE", "CREATED", "STATUS");
      for (TokenInfo t : all) {
        String status = t.active() ? "active" : "revoked " + t.revokedAt().truncatedTo(ChronoUnit.SECONDS);
        out.printf(Locale.ROOT, format, t.name(), t.role().code(), t.createdAt().truncatedTo(ChronoUnit.SECONDS), status);
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
