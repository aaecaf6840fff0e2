package health.ward.cli;

import health.ward.access.Principal;
import health.ward.auth.Clients;
import health.ward.records.RequestContext;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ward client add|list|disable}: system integrations using the OAuth client-credentials grant. */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    description = "Manage OAuth clients (client-credentials grant at POST /auth/token): add, list, disable.",
    subcommands = {ClientCommand.Add.class, ClientCommand.ListClients.class, ClientCommand.Disable.class})
final class ClientCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: add, list or disable");
  }

  static final RequestContext OPERATOR = RequestContext.local(Principal.operator("client"));

  static int withClients(CommandSpec spec, CommonOptions common, Function<Clients, Integer> work) {
    return TokenCommand.withTokens(spec, common, (app, tokens) -> work.apply(app.clientsForCommand(tokens)));
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Register a client; prints its id and secret (once).")
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "CLIENT_ID")
    String name;

    @Option(names = "--scope", required = true, paramLabel = "SCOPES",
        description = "SMART system scopes it may ask for, space-separated, e.g. \"system/Observation.cruds system/Patient.rs\".")
    String scope;

    @Override
    public Integer call() {
      return withClients(spec, common, c -> {
        Clients.Registered r = c.register(OPERATOR, name, scope);
        PrintWriter out = spec.commandLine().getOut();
        out.println("client_id=" + r.clientId());
        out.println("client_secret=" + r.secret().reveal());
        out.println("scope=" + r.scopes());
        out.flush();
        spec.commandLine().getErr().println("ward: the secret is shown only this once; get tokens with"
            + " POST /auth/token grant_type=client_credentials");
        spec.commandLine().getErr().flush();
        return ExitCodes.OK;
      });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List clients and their scopes.")
  static final class ListClients implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      return withClients(spec, common, c -> {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%-24s  %-9s  %s%n", "CLIENT_ID", "STATUS", "SCOPES");
        for (Clients.ClientInfo i : c.list()) {
          out.printf(Locale.ROOT, "%-24s  %-9s  %s%n", i.clientId(), i.disabled() ? "disabled" : "active", i.scopes());
        }
        out.flush();
        return ExitCodes.OK;
      });
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a client and revoke its tokens at once.")
  static final class Disable implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "CLIENT_ID")
    String name;

    @Override
    public Integer call() {
      return withClients(spec, common, c -> {
        c.disable(OPERATOR, name);
        spec.commandLine().getErr().println("ward: disabled client " + name + "; its tokens are revoked");
        spec.commandLine().getErr().flush();
        return ExitCodes.OK;
      });
    }
  }
}
