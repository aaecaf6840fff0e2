package health.ward.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code ward} commands in-process against one data and key directory, as the command line
 * would (picocli, exit codes, stdout and stderr), with a given environment.
 */
final class WardRunner {
  /** What a command printed and its exit code. */
  record Run(int code, String out, String err) {}

  private final Path data;
  private final Path keys;
  private final Map<String, String> env;

  WardRunner(Path data, Path keys, Map<String, String> env) {
    this.data = data;
    this.keys = keys;
    this.env = Map.copyOf(env);
  }

  /** Runs {@code args} with {@code --data} and {@code --keys}; {@code shutdown} stands in for SIGTERM. */
  Run run(Main.ShutdownSignal shutdown, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Main main = new Main(WardApp::open, env, Clock.systemUTC(), new SecureRandom(), System::nanoTime, false, shutdown);
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--data", data.toString(), "--keys", keys.toString()));
    int code =
        new CommandLine(main).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** Runs a command that does not wait for a shutdown signal. */
  Run run(String... args) {
    return run(Runnable::run, args);
  }
}
