package health.ward.cli;

import health.ward.auth.ApiTokens;
import health.ward.common.WardException;
import java.io.Console;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.LongSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code ward} command. Dependencies that differ between a real run and a test (how Ward is
 * opened, the environment, time, randomness, whether stderr is a terminal) are constructor
 * parameters; {@link #main} supplies the real ones.
 *
 * <p>Every subcommand runs its work through {@link #guard}: a {@link WardException} becomes its
 * message on stderr and the exit code of {@link ExitCodes#of}; picocli's usage errors exit with
 * {@link ExitCodes#USAGE}. Expected failures never print a stack trace.
 */
@Command(
    name = "ward",
    mixinStandardHelpOptions = true,
    version = "ward 0.1.0",
    description = "FHIR R4 patient-record server built for the day the hospital is breached.",
    subcommands = {
      ServeCommand.class,
      TokenCommand.class,
      UserCommand.class,
      ClientCommand.class,
      KeysCommand.class,
      ImportCommand.class,
      VerifyCommand.class,
      ProofCommand.class,
      CheckpointCommand.class,
      BreachScopeCommand.class,
      health.ward.cli.simulate.SimulateCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.INTERNAL,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:partly failed (e.g. bundles skipped by import; each is reported)",
      "2:usage error or invalid input",
      "3:unauthenticated or forbidden",
      "4:not found",
      "5:integrity failure (stored data or ledger altered)",
      "6:unavailable: keys, ledger or database",
      "70:internal error (a bug; please report it)"
    })
public final class Main implements Callable<Integer> {
  /** Environment variable holding the passphrase of the key-encryption key. */
  static final String PASSPHRASE_ENV = "WARD_MASTER_PASSPHRASE";

  private static final String QUIET_HAPI = "org.slf4j.simpleLogger.log.ca.uhn.fhir";

  private final Function<WardConfig, WardApp> opener;
  private final Map<String, String> env;
  private final Clock clock;
  private final SecureRandom random;
  private final LongSupplier nanoTime;
  private final boolean terminal;
  private final ShutdownSignal shutdown;

  @Spec CommandSpec spec;

  /** Waits until the process is asked to stop, then runs {@code stop}. */
  @FunctionalInterface
  interface ShutdownSignal {
    void awaitThen(Runnable stop);
  }

  /** The real thing: opens Ward with {@link WardApp#open}, reads the process environment. */
  public Main() {
    this(
        WardApp::open,
        System.getenv(),
        Clock.systemUTC(),
        new SecureRandom(),
        System::nanoTime,
        interactive(),
        Main::awaitTermination);
  }

  Main(
      Function<WardConfig, WardApp> opener,
      Map<String, String> env,
      Clock clock,
      SecureRandom random,
      LongSupplier nanoTime,
      boolean terminal,
      ShutdownSignal shutdown) {
    this.opener = Objects.requireNonNull(opener, "opener");
    this.env = Map.copyOf(env);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.terminal = terminal;
    this.shutdown = Objects.requireNonNull(shutdown, "shutdown");
  }

  public static void main(String[] args) {
    // HAPI's start-up INFO lines would break the import progress line and clutter serve's output.
    if (System.getProperty(QUIET_HAPI) == null) System.setProperty(QUIET_HAPI, "warn");
    System.exit(new CommandLine(new Main()).execute(args));
  }

  /** {@code ward} alone prints the usage and exits with the usage code. */
  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a command is required: serve, token, keys or import");
  }

  /** The body of a command that may fail with Ward's error family. */
  @FunctionalInterface
  interface Work {
    int run();
  }

  /** The body of a command that reads Ward's database. */
  @FunctionalInterface
  interface AppWork {
    int run(WardApp app, PrintWriter out, PrintWriter err);
  }

  /**
   * Opens Ward for a command that may run beside {@code ward serve} (joining its embedded database),
   * runs {@code work} under {@link #guard}, and closes Ward.
   */
  static int withJoinedApp(CommandSpec spec, CommonOptions common, AppWork work) {
    Main main = of(spec);
    return guard(
        spec,
        () -> {
          WardConfig config = RunningEmbeddedDatabase.joiningServer(main.config(common), common.data);
          try (WardApp app = main.open(config)) {
            return work.run(app, spec.commandLine().getOut(), spec.commandLine().getErr());
          }
        });
  }

  /**
   * Runs a command's work: a {@link WardException} is reported as {@code ward: MESSAGE [CODE]} and
   * mapped to its exit code; any other exception is a bug and is reported with its stack trace.
   */
  static int guard(CommandSpec spec, Work work) {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return work.run();
    } catch (CommandLine.ParameterException e) {
      throw e;
    } catch (WardException e) {
      err.println("ward: " + e.getMessage() + " [" + e.code() + "]");
      err.flush();
      return ExitCodes.of(e);
    } catch (RuntimeException e) {
      err.println("ward: internal error: " + e);
      e.printStackTrace(err);
      err.flush();
      return ExitCodes.INTERNAL;
    }
  }

  static Main of(CommandSpec spec) {
    return (Main) spec.root().userObject();
  }

  /** The configuration from the common options and the environment (flags win). */
  WardConfig config(CommonOptions o) {
    WardConfig c = WardConfig.defaults(o.data, o.keys);
    String url = firstNonBlank(o.dbUrl, env.get("WARD_DB_URL"));
    if (url != null) {
      c =
          c.withDatabase(
              url,
              firstNonBlank(o.dbUser, env.get("WARD_DB_USER")),
              firstNonBlank(o.dbPassword, env.get("WARD_DB_PASSWORD")));
    }
    char[] passphrase = passphrase();
    return passphrase == null ? c : c.withPassphrase(passphrase);
  }

  /** WARD_MASTER_PASSPHRASE as characters, or {@code null} when unset or empty. */
  char[] passphrase() {
    String p = env.get(PASSPHRASE_ENV);
    return p == null || p.isEmpty() ? null : p.toCharArray();
  }

  WardApp open(WardConfig config) {
    return opener.apply(config);
  }

  /** The token store of an opened Ward; close it before the app. */
  ApiTokens tokens(WardApp app) {
    return new ApiTokens(app.dataSource(), clock, random, app.stagedEvents());
  }

  Clock clock() {
    return clock;
  }

  LongSupplier nanoTime() {
    return nanoTime;
  }

  boolean terminal() {
    return terminal;
  }

  ShutdownSignal shutdown() {
    return shutdown;
  }

  private static String firstNonBlank(String a, String b) {
    if (a != null && !a.isBlank()) return a;
    if (b != null && !b.isBlank()) return b;
    return null;
  }

  /**
   * True when a person is watching (there is a console), false for CI logs and pipes. From JDK 22
   * {@code System.console()} may exist without a terminal; {@code Console.isTerminal()} tells, but
   * Ward is compiled for 21, hence the look-up by name.
   */
  static boolean interactive() {
    Console console = System.console();
    if (console == null) return false;
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return true;
    }
  }

  /** Blocks until SIGTERM or SIGINT, then runs {@code stop} in the shutdown hook. */
  static void awaitTermination(Runnable stop) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    stop.run();
                  } finally {
                    stopped.countDown();
                  }
                },
                "ward-shutdown"));
    while (true) {
      try {
        stopped.await();
        return;
      } catch (InterruptedException e) {
        // Only the shutdown hook ends serving.
      }
    }
  }
}
