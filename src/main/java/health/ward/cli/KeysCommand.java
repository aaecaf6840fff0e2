package health.ward.cli;

import health.ward.keys.KeyRotation;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ward keys rotate}: key management. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Manage the key-encryption key.",
    subcommands = {KeysCommand.Rotate.class})
final class KeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: rotate");
  }

  @Command(
      name = "rotate",
      mixinStandardHelpOptions = true,
      description = {
        "Create a new key-encryption key and re-wrap every patient data key under it.",
        "Uses WARD_MASTER_PASSPHRASE from the environment when set."
      })
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Override
    public Integer call() {
      Main main = Main.of(spec);
      var err = spec.commandLine().getErr();
      return Main.guard(
          spec,
          () -> {
            // A running server would keep wrapping new keys under the old KEK.
            RunningEmbeddedDatabase.refuseWhileServing(common.data, "rotating keys");
            char[] passphrase = main.passphrase();
            try (WardApp app = main.open(main.config(common))) {
              rotate(
                  app,
                  passphrase,
                  line -> {
                    err.println("ward keys: " + line);
                    err.flush();
                  });
            } finally {
              if (passphrase != null) Arrays.fill(passphrase, '\0');
            }
            err.println("ward keys: rotation complete");
            err.flush();
            return ExitCodes.OK;
          });
    }
  }

  /** Rotates the key-encryption key and rewraps every data key (Ward must not be serving). */
  static void rotate(WardApp app, char[] passphrase, Consumer<String> progress) {
    long rewrapped =
        KeyRotation.rotate(app.config().keysDir(), passphrase, app.wrappedKeys(), progress);
    progress.accept("rewrapped " + rewrapped + " keys in all");
  }
}
