package health.ward.cli;

import health.ward.ledger.ChainVerification;
import health.ward.ledger.ChainVerifier;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ward verify}: recomputes the audit ledger's hash chain from the database and names the
 * first entry that was changed, removed, reordered or inserted. Works while {@code ward serve} runs
 * (it joins the server's database and reads one consistent snapshot).
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Check the audit ledger's hash chain; exit 5 and name the first bad entry if it was altered.")
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    Main main = Main.of(spec);
    return Main.guard(
        spec,
        () -> {
          // `ward serve` may be running on this data directory: join its database.
          WardConfig config = RunningEmbeddedDatabase.joiningServer(main.config(common), common.data);
          try (WardApp app = main.open(config)) {
            return report(new ChainVerifier(app.dataSource()).verify(), spec.commandLine().getOut());
          }
        });
  }

  static int report(ChainVerification result, PrintWriter out) {
    int code =
        switch (result) {
          case ChainVerification.Intact ok -> {
            out.printf(
                "ledger intact: %,d entries, head %s%n",
                ok.head().size(), HexFormat.of().formatHex(ok.head().hash()));
            yield ExitCodes.OK;
          }
          case ChainVerification.Broken bad -> {
            out.printf(
                "ledger BROKEN at entry %d (%s): %s%n"
                    + "Entries before %d are intact. Keep this database as evidence (copy it before any"
                    + " restart) and compare it with a backup or an exported checkpoint.%n",
                bad.index(), bad.fault(), bad.detail(), bad.index());
            yield ExitCodes.INTEGRITY;
          }
        };
    out.flush();
    return code;
  }
}
