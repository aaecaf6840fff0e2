package health.ward.cli.simulate;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ward simulate}: a hospital in a box, run against a live Ward over HTTPS on a simulated
 * clock, with attack scenarios switched on by name; reports, per scenario, whether and how fast the
 * watch caught it, and the false alerts of the benign workload, as a table, an HTML report with
 * charts and a Markdown file.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Run a simulated hospital (staff, shifts, care relationships, Synthea patients) against a live Ward over"
          + " HTTPS with the watch on, switch attack scenarios on by name, and report detection: detected or not,"
          + " time to first alert, time to cut-off, records read before cut-off, false alerts per 1,000"
          + " clinician-days. Seeded and repeatable; time is simulated (days pass in minutes).",
      "Scenarios: bulk-scrape, slow-and-low, stolen-token, celebrity, co-worker, family, break-glass-abuse."
    })
public final class SimulateCommand implements Callable<Integer> {
  private static final String QUIET = "org.slf4j.simpleLogger.log.health.ward";
  @Spec CommandSpec spec;

  @Option(names = "--scenario", paramLabel = "NAME", split = ",",
      description = "Attack scenarios to run (repeatable or comma-separated; default: all; 'none' for benign workload only).")
  List<String> scenarios = new ArrayList<>();

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "First seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--seeds", paramLabel = "N", defaultValue = "3", description = "How many seeds (hospitals) to run, from --seed (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--warmup-days", paramLabel = "N", defaultValue = "5",
      description = "Days of benign workload before the attack day, for the detectors to learn baselines (default: ${DEFAULT-VALUE}).")
  int warmupDays;

  @Option(names = "--patients", paramLabel = "N", defaultValue = "300", description = "Patients in the hospital (default: ${DEFAULT-VALUE}).")
  int patients;

  @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
      description = "Runs of each snooping scenario per seed, by different employees (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--synthea", paramLabel = "DIR",
      description = "Synthea R4 patient bundles to grow the population from (default: ../shared/data/synthea-small if present).")
  Path synthea;

  @Option(names = "--report", paramLabel = "DIR", defaultValue = "simulation-report",
      description = "Where to write report.html and report.md (default: ${DEFAULT-VALUE}).")
  Path report;

  @Option(names = "--work", paramLabel = "DIR", description = "Where the simulated hospitals keep their data (default: a temporary directory, deleted).")
  Path work;

  @Option(names = "--check", description = "Exit with 1 when a target is not met.")
  boolean check;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // The simulated hospital's alerts and break-the-glass grants are in the report, not the console.
    if (System.getProperty(QUIET) == null) System.setProperty(QUIET, "error");
    List<String> chosen = chosen();
    if (seeds < 1 || seeds > 1000) throw usage("--seeds must be between 1 and 1000");
    if (warmupDays < 1 || warmupDays > 60) throw usage("--warmup-days must be between 1 and 60");
    if (patients < 50 || patients > 100_000) throw usage("--patients must be between 50 and 100000");
    if (repeats < 1 || repeats > 5) throw usage("--repeats must be between 1 and 5");
    Path bundles = synthea != null ? synthea : Path.of("..", "shared", "data", "synthea-small");
    if (!Files.isDirectory(bundles)) throw usage("no Synthea bundles at " + bundles + " (give --synthea DIR)");
    boolean temporary = work == null;
    Path dir = temporary ? Files.createTempDirectory("ward-simulate") : Files.createDirectories(work);
    List<ScenarioRun> runs = new ArrayList<>();
    List<BenignRun> benign = new ArrayList<>();
    List<Long> lag = new ArrayList<>();
    long started = System.nanoTime();
    try {
      for (long s = seed; s < seed + seeds; s++) {
        err.printf("ward: simulating seed %d (%d of %d)%n", s, s - seed + 1, seeds);
        err.flush();
        Simulation.Options o = new Simulation.Options(s, warmupDays, patients, chosen, repeats, bundles, dir, line -> {
          err.println("ward: " + line);
          err.flush();
        });
        try (Simulation sim = new Simulation(o)) {
          Simulation.Result r = sim.run();
          runs.addAll(r.scenarios());
          benign.add(r.benign());
          lag.addAll(r.behindLagNanos());
        } catch (RuntimeException e) {
          err.println("ward: the simulation of seed " + s + " failed: " + e.getMessage());
          err.flush();
          return 1;
        }
      }
    } finally {
      if (temporary) deleteTree(dir);
    }
    Map<String, String> setup = new LinkedHashMap<>();
    List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
    if (!args.isEmpty() && args.get(0).equals("simulate")) args.remove(0);
    setup.put("command", "./ward simulate " + String.join(" ", args));
    setup.put("seeds", seed + ".." + (seed + seeds - 1));
    setup.put("hospital", "4 departments (3 wards, emergency), 8 physicians, 12 nurses on 3 shifts, 3 registration clerks, "
        + patients + " patients grown from " + bundles.getFileName() + ", ADT and lab feeds");
    setup.put("days", warmupDays + " days of benign workload, then one attack day (benign workload continues)");
    setup.put("date", LocalDate.now(java.time.ZoneOffset.UTC).toString());
    setup.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + Runtime.version());
    setup.put("detectors behind the response", lagLine(lag));
    setup.put("wall time", Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s");
    SimulationReport rep = new SimulationReport(runs, benign, targets(chosen), setup);
    rep.write(report);
    out.println(rep.markdown());
    out.println("Report: " + report.resolve("report.html").toAbsolutePath());
    out.flush();
    if (check && !rep.allTargetsMet()) {
      err.println("ward: targets not met: " + String.join("; ", rep.unmetTargets()));
      return 1;
    }
    return 0;
  }

  /** How long, in real time, the detectors behind the response were still busy after an action's responses. */
  static String lagLine(List<Long> nanos) {
    if (nanos.isEmpty()) return "not measured";
    long[] v = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    java.util.function.IntFunction<String> ms = i -> String.format(java.util.Locale.ROOT, "%.1f ms", v[i] / 1e6);
    return "done this long after the responses (real time, " + String.format(java.util.Locale.ROOT, "%,d", v.length)
        + " actions): median " + ms.apply(v.length / 2) + ", p99 " + ms.apply((int) Math.min(v.length - 1, Math.floor(v.length * 0.99)))
        + ", max " + ms.apply(v.length - 1);
  }

  private List<String> chosen() {
    if (scenarios.isEmpty()) return Simulation.SCENARIOS;
    if (scenarios.size() == 1 && scenarios.get(0).equals("none")) return List.of();
    for (String s : scenarios) {
      if (!Simulation.SCENARIOS.contains(s)) {
        throw usage("unknown scenario '" + s + "' (" + String.join(", ", Simulation.SCENARIOS) + ")");
      }
    }
    return List.copyOf(new java.util.LinkedHashSet<>(scenarios));
  }

  /** The targets, for the scenarios that ran. */
  static List<Target> targets(List<String> scenarios) {
    List<Target> all = List.of(
        new Target("bulk-scrape", "cut off within 1 s and ≤ 20 records", Duration.ofSeconds(1), 20, null, 0.95),
        new Target("slow-and-low", "stopped before 200 records", Duration.ofDays(1), 199, null, 0.95),
        new Target("stolen-token", "detected, recall ≥ 95 %", null, null, null, 0.95),
        new Target("celebrity", "flagged within 1 min, recall ≥ 95 %", null, null, Duration.ofMinutes(1), 0.95),
        new Target("co-worker", "flagged within 1 min, recall ≥ 95 %", null, null, Duration.ofMinutes(1), 0.95),
        new Target("family", "flagged within 1 min, recall ≥ 95 %", null, null, Duration.ofMinutes(1), 0.95),
        new Target("break-glass-abuse", "flagged within 1 min, recall ≥ 95 %", null, null, Duration.ofMinutes(1), 0.95));
    return all.stream().filter(t -> scenarios.contains(t.scenario())).toList();
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // A temporary directory left behind is not worth failing the report for.
    }
  }
}
