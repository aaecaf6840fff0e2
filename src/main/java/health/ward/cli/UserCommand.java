package health.ward.cli;

import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.auth.Enrolment;
import health.ward.auth.StaffDirectory;
import health.ward.auth.StaffUser;
import health.ward.records.RequestContext;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
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

/**
 * {@code ward user add|list|disable|enable|reenrol}: staff accounts from the host. A new account
 * gets a one-time enrolment link (no password is ever chosen for anyone); the first administrator
 * is created this way. Changes are ledger entries, staged while {@code ward serve} runs.
 */
@Command(
    name = "user",
    mixinStandardHelpOptions = true,
    description = "Manage staff accounts: add (prints a one-time enrolment link), list, disable, enable, reenrol.",
    subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Disable.class, UserCommand.Enable.class,
        UserCommand.Reenrol.class})
final class UserCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: add, list, disable, enable or reenrol");
  }

  static final RequestContext OPERATOR = RequestContext.local(Principal.operator("user"));

  static int withDirectory(CommandSpec spec, CommonOptions common, Function<StaffDirectory, Integer> work) {
    return TokenCommand.withTokens(spec, common, (app, tokens) -> work.apply(app.staffForCommand(tokens)));
  }

  static void printEnrolment(Enrolment e, String url, PrintWriter out, PrintWriter err) {
    out.println(e.link(url));
    out.flush();
    err.println("ward: give this one-time link to " + e.username() + " (and nobody else); it sets a password and"
        + " registers a security key, and expires " + e.expires().truncatedTo(ChronoUnit.SECONDS) + ".");
    err.flush();
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a staff account and print its one-time enrolment link.")
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "USERNAME", description = "Lowercase user name (letters, digits, . _ -).")
    String username;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
        description = "physician, nurse, clerk, security-officer, auditor or administrator.")
    String role;

    @Option(names = "--name", required = true, paramLabel = "TEXT", description = "Display name, e.g. \"Dr. A. Jansen\".")
    String displayName;

    @Option(names = "--practitioner", paramLabel = "REF", description = "The FHIR Practitioner this user is, e.g. Practitioner/123 (care teams and encounters name it).")
    String practitioner;

    @Option(names = "--department", paramLabel = "REF", description = "Organization/… or Location/… the user works in (repeatable).")
    List<String> departments = new ArrayList<>();

    @Option(names = "--url", paramLabel = "URL", defaultValue = "https://localhost:8443",
        description = "Address staff reach Ward at, for the link (default: ${DEFAULT-VALUE}).")
    String url;

    @Override
    public Integer call() {
      Role r;
      try {
        r = Role.of(role);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--role: " + e.getMessage());
      }
      if (!r.staff()) throw new CommandLine.ParameterException(spec.commandLine(), "--role: " + r.code() + " is not a staff role");
      return withDirectory(spec, common, d -> {
        Enrolment e = d.add(OPERATOR, new StaffDirectory.NewUser(username, displayName, r, practitioner, departments));
        printEnrolment(e, url.replaceAll("/+$", ""), spec.commandLine().getOut(), spec.commandLine().getErr());
        return ExitCodes.OK;
      });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List staff accounts (never passwords or secrets).")
  static final class ListUsers implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      return withDirectory(spec, common, d -> {
        PrintWriter out = spec.commandLine().getOut();
        List<StaffUser> all = d.list();
        String format = "%-20s  %-16s  %-9s  %-14s  %-24s  %s%n";
        out.printf(Locale.ROOT, format, "USER", "ROLE", "STATUS", "FACTORS", "PRACTITIONER", "DEPARTMENTS");
        for (StaffUser u : all) {
          String factors = (u.webauthnCredentials() > 0 ? "webauthn×" + u.webauthnCredentials() : "") + (u.totp() ? " totp" : "");
          String status = u.lockedUntil() != null ? "locked" : u.status();
          out.printf(Locale.ROOT, format, u.username(), u.role().code(), status, factors.isBlank() ? "-" : factors.strip(),
              u.practitioner() == null ? "-" : u.practitioner(), u.departments().isEmpty() ? "-" : String.join(",", u.departments()));
        }
        out.flush();
        return ExitCodes.OK;
      });
    }
  }

  /** A change to one account by name, with what to say when it is done. */
  abstract static class OneAccount implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "USERNAME")
    String username;

    abstract String apply(StaffDirectory d);

    @Override
    public Integer call() {
      return withDirectory(spec, common, d -> {
        spec.commandLine().getErr().println("ward: " + apply(d));
        spec.commandLine().getErr().flush();
        return ExitCodes.OK;
      });
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable an account and end all its sessions at once.")
  static final class Disable extends OneAccount {
    @Override
    String apply(StaffDirectory d) {
      d.disable(OPERATOR, username);
      return "disabled " + username + "; its sessions are revoked";
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a disabled account and clear a sign-in lock.")
  static final class Enable extends OneAccount {
    @Override
    String apply(StaffDirectory d) {
      d.enable(OPERATOR, username);
      return "enabled " + username;
    }
  }

  @Command(name = "reenrol", mixinStandardHelpOptions = true,
      description = "Reset an account's password and second factors (lost key, forgotten password) and print a new enrolment link.")
  static final class Reenrol implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Parameters(index = "0", paramLabel = "USERNAME")
    String username;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "https://localhost:8443", description = "Address staff reach Ward at (default: ${DEFAULT-VALUE}).")
    String url;

    @Override
    public Integer call() {
      return withDirectory(spec, common, d -> {
        printEnrolment(d.reenrol(OPERATOR, username), url.replaceAll("/+$", ""), spec.commandLine().getOut(), spec.commandLine().getErr());
        return ExitCodes.OK;
      });
    }
  }
}
