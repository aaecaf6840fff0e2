package health.ward.cli;

import health.ward.ledger.LedgerVerifier;
import health.ward.ledger.Verification;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ward verify}: recomputes the audit ledger's Merkle tree from the database and names the
 * first entry that was changed, removed, reordered or inserted. Works while {@code ward serve} runs
 * (it joins the server's database and reads one consistent snapshot).
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Recompute the audit ledger's Merkle tree; exit 5 and name the first bad entry if it was altered.")
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
            Verification result =
                new LedgerVerifier(app.dataSource())
                    .verify(
                        note -> {
                          throw new IllegalStateException("checkpoints are not supported yet");
                        },
                        List.of(),
                        LedgerVerifier.Progress.NONE);
            return report(result, spec.commandLine().getOut());
          }
        });
  }

  static int report(Verification result, PrintWriter out) {
    int code =
        switch (result) {
          case Verification.Intact ok -> {
            out.printf(
                "ledger intact: %,d entries, root %s, %d signed checkpoints matched%n",
                ok.head().size(), HexFormat.of().formatHex(ok.head().root()), ok.checkpoints());
            yield ExitCodes.OK;
          }
          case Verification.Broken bad -> {
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
