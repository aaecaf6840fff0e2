package health.ward.cli;

import health.ward.access.Principal;
import health.ward.records.RequestContext;
import health.ward.records.SearchRequest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ward import PATH...}: Synthea bundles through the records service. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import Synthea R4 bundles (.json, .json.gz; directories are searched) as FHIR transactions.",
      "Hospital and practitioner bundles go first. Re-importing updates instead of duplicating.",
      "A bad bundle is reported and skipped; the exit code is then 1."
    })
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Bundle files or directories.")
  List<Path> paths;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "2",
      description = "Bundles parsed and stored concurrently (default: ${DEFAULT-VALUE}).")
  int workers;

  @Override
  public Integer call() {
    Main main = Main.of(spec);
    if (workers < 1 || workers > 64) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--workers must be 1..64, was " + workers);
    }
    return Main.guard(
        spec,
        () -> {
          List<Path> files = SyntheaImport.expand(paths);
          if (common.dbUrl == null) RunningEmbeddedDatabase.refuseWhileServing(common.data, "importing (one process owns the audit ledger)");
          try (WardApp app = main.open(main.config(common))) {
            RequestContext who = RequestContext.local(Principal.operator("import"));
            SyntheaImport importer =
                new SyntheaImport(
                    bundle -> app.records().transaction(who, bundle),
                    (type, query) ->
                        app.records().search(who, type, new SearchRequest(query, 0, 1, null, true)).total() > 0,
                    workers,
                    new ImportProgress(spec.commandLine().getErr(), main.terminal(), main.nanoTime()));
            SyntheaImport.Summary summary = importer.run(files);
            return summary.bundlesFailed() == 0 ? ExitCodes.OK : ExitCodes.PARTLY_FAILED;
          }
        });
  }
}
