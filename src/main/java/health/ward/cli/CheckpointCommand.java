package health.ward.cli;

import health.ward.common.WardException;
import health.ward.ledger.CheckpointSink;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ward checkpoint export|key}: the ledger's signed checkpoints and the key to check them. */
@Command(
    name = "checkpoint",
    mixinStandardHelpOptions = true,
    description = "Export the audit ledger's signed checkpoints, or print the key that verifies them.",
    subcommands = {CheckpointCommand.Export.class, CheckpointCommand.Key.class})
final class CheckpointCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: export or key");
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Without --to: print the newest signed checkpoint (C2SP signed note) on stdout, e.g. to keep as a",
        "  file for `ward verify --trusted`. With --to: push every stored checkpoint the sink lacks to a",
        "  directory or http(s) witness, as `serve --checkpoint-sink` does."
      })
  static final class Export implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--to", paramLabel = "DIR|URL", description = "A directory or http(s) URL to push the checkpoints to.")
    String to;

    @Override
    public Integer call() {
      CheckpointSink sink;
      try {
        sink = to == null ? null : CheckpointSink.parse(to);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--to: " + e.getMessage());
      }
      return Main.withJoinedApp(spec, common, (app, out, err) -> {
        if (sink == null) {
          out.print(app.transparency().latestCheckpoint());
          out.flush();
          return ExitCodes.OK;
        }
        var checkpoints = app.storedCheckpoints();
        int pushed = 0;
        for (var c : checkpoints) {
          try {
            sink.publish(c.size(), c.note());
          } catch (IOException e) {
            throw new WardException.StoreUnavailable(
                "could not push the checkpoint of size " + c.size() + " to " + sink.describe() + ": " + e.getMessage()
                    + " (" + pushed + " of " + checkpoints.size() + " pushed)", e);
          }
          pushed++;
        }
        err.println("ward: " + pushed + " checkpoints pushed to " + sink.describe()
            + (checkpoints.isEmpty() ? "" : " (newest: " + checkpoints.getLast().size() + " entries)"));
        err.flush();
        return ExitCodes.OK;
      });
    }
  }

  @Command(name = "key", mixinStandardHelpOptions = true, description = "Print the verifier key of the ledger's checkpoints (C2SP vkey).")
  static final class Key implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      return Main.withJoinedApp(spec, common, (app, out, err) -> {
        out.println(app.verifierKey());
        out.flush();
        return ExitCodes.OK;
      });
    }
  }
}
