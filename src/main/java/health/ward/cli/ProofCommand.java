package health.ward.cli;

import com.google.gson.GsonBuilder;
import health.ward.breach.LedgerTransparency;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ward proof inclusion|consistency}: the RFC 9162 proofs of {@code GET /ledger/proof/…},
 * printed as the same JSON, read from the database (works while {@code ward serve} runs).
 */
@Command(
    name = "proof",
    mixinStandardHelpOptions = true,
    description = "Print an RFC 9162 inclusion or consistency proof of the audit ledger (JSON).",
    subcommands = {ProofCommand.Inclusion.class, ProofCommand.Consistency.class})
final class ProofCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: inclusion or consistency");
  }

  static int print(CommandSpec spec, CommonOptions common, Function<LedgerTransparency, Map<String, Object>> proof) {
    return Main.withJoinedApp(spec, common, (app, out, err) -> {
      out.println(new GsonBuilder().setPrettyPrinting().create().toJson(proof.apply(app.transparency())));
      out.flush();
      return ExitCodes.OK;
    });
  }

  @Command(name = "inclusion", mixinStandardHelpOptions = true, description = "Prove that entry INDEX is in the tree of SIZE entries.")
  static final class Inclusion implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--index", required = true, paramLabel = "INDEX", description = "The entry's index (from 0).")
    long index;

    @Option(names = "--size", required = true, paramLabel = "SIZE", description = "Tree size, e.g. that of a checkpoint you hold.")
    long size;

    @Override
    public Integer call() {
      return print(spec, common, t -> t.inclusion(index, size));
    }
  }

  @Command(name = "consistency", mixinStandardHelpOptions = true, description = "Prove that the tree of FROM entries is a prefix of the tree of TO.")
  static final class Consistency implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin CommonOptions common;

    @Option(names = "--from", required = true, paramLabel = "FROM", description = "The older tree size.")
    long from;

    @Option(names = "--to", required = true, paramLabel = "TO", description = "The newer tree size.")
    long to;

    @Override
    public Integer call() {
      return print(spec, common, t -> t.consistency(from, to));
    }
  }
}
