package health.ward.cli;

import health.ward.common.WardException;
import health.ward.ledger.CheckpointSink;
import health.ward.ledger.LedgerVerifier;
import health.ward.ledger.TreeHead;
import health.ward.ledger.Verification;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ward verify}: recomputes the audit ledger's whole Merkle tree from the database, checks
 * every stored signed checkpoint (signature, and that the tree has its root at its size) and every
 * checkpoint given from outside ({@code --trusted FILE}, {@code --witness DIR|URL}), and names the
 * first entry that is not proven. Works while {@code ward serve} runs (it joins the server's
 * database and reads one consistent snapshot).
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Recompute the audit ledger's Merkle tree and check it against every signed checkpoint.",
      "Exit 0 when intact; exit 5 and name the first entry not proven when anything was changed, removed,"
          + " reordered, inserted, truncated or rolled back."
    })
final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(
      names = "--trusted",
      paramLabel = "FILE",
      description = "A signed checkpoint kept outside Ward (e.g. from `ward checkpoint export` or a witness). Repeatable.")
  List<Path> trusted = new ArrayList<>();

  @Option(names = "--witness", paramLabel = "DIR|URL", description = "Also check against the newest checkpoint this sink holds. Repeatable.")
  List<String> witnesses = new ArrayList<>();

  @Override
  public Integer call() {
    Main main = Main.of(spec);
    return Main.withJoinedApp(spec, common, (app, out, err) -> {
      List<LedgerVerifier.Expected> expected = new ArrayList<>();
      for (Path file : trusted) expected.add(new LedgerVerifier.Expected(open(app, file), "the checkpoint in " + file));
      for (String w : witnesses) {
        CheckpointSink sink = parseSink(w);
        String note;
        try {
          note = sink.newest().orElseThrow(() -> new WardException.NotFound("the witness " + w + " holds no checkpoint"));
        } catch (IOException e) {
          throw new WardException.StoreUnavailable("could not read the witness " + w + ": " + e.getMessage(), e);
        }
        expected.add(new LedgerVerifier.Expected(openNote(app, note, "the witness " + w), "the newest checkpoint of " + w));
      }
      CountProgress progress = new CountProgress(err, main.terminal(), main.nanoTime(), "verify", "entries");
      Verification result = app.verifyLedger(expected, progress::update);
      double seconds = progress.finish();
      return report(result, seconds, out);
    });
  }

  private CheckpointSink parseSink(String w) {
    try {
      return CheckpointSink.parse(w);
    } catch (IllegalArgumentException e) {
      throw new WardException.InvalidRequest("--witness: " + e.getMessage());
    }
  }

  private static TreeHead open(WardApp app, Path file) {
    String note;
    try {
      note = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new WardException.InvalidRequest("cannot read the checkpoint file " + file + ": " + e.getMessage());
    }
    return openNote(app, note, file.toString());
  }

  private static TreeHead openNote(WardApp app, String note, String where) {
    try {
      return app.openCheckpoint(note);
    } catch (IllegalArgumentException e) {
      throw new WardException.IntegrityFailure(
          "the checkpoint from " + where + " is not a valid checkpoint of this ledger: " + e.getMessage());
    }
  }

  static int report(Verification result, double seconds, PrintWriter out) {
    int code =
        switch (result) {
          case Verification.Intact ok -> {
            out.printf(
                Locale.ROOT,
                "ledger intact: %,d entries, root %s, %d signed checkpoints matched (%.1f s, %,.0f entries/s)%n",
                ok.head().size(), HexFormat.of().formatHex(ok.head().root()), ok.checkpoints(), seconds,
                seconds > 0 ? ok.head().size() / seconds : 0);
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
