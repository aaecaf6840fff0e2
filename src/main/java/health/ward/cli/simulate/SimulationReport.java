package health.ward.cli.simulate;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The report of a {@code ward simulate} run: per attack scenario, how often and how fast Ward's
 * detectors caught the attacker and how much the attacker read first; for the benign workload, how
 * often a detector raised a false alert; and whether each target was met.
 *
 * <p>Rendered as a Markdown section ({@link #markdown()}) and as a self-contained HTML page with
 * inline SVG charts ({@link #html()}: no scripts, no external resources, every inserted string
 * escaped). All times are simulated time. The benign target is built in: at most {@value
 * #MAX_FALSE_ALERTS_PER_1000_CLINICIAN_DAYS} false alert per 1,000 clinician-days; with no benign
 * run it counts as not met. A scenario target with no run of its scenario counts as not met.
 */
final class SimulationReport {
  static final String TITLE = "Ward detection simulation";
  static final double MAX_FALSE_ALERTS_PER_1000_CLINICIAN_DAYS = 1.0;
  private static final String NONE = "—";
  private static final String BENIGN_TARGET = "≤ 1 false alert per 1,000 clinician-days";

  private final Map<String, String> setup;
  private final List<Scenario> scenarios;
  private final BenignTotals benignTotals;

  /**
   * Builds the report.
   *
   * @param scenarios every attack run, of every scenario and seed
   * @param benign every benign-workload run
   * @param targets the scenario targets; a scenario may have several, or none
   * @param setup how the simulation was run, as ordered label/value lines (seeds, patients,
   *     machine, command, …)
   */
  SimulationReport(
      List<ScenarioRun> scenarios,
      List<BenignRun> benign,
      List<Target> targets,
      Map<String, String> setup) {
    List<ScenarioRun> scenarioRuns = List.copyOf(requireNonNull(scenarios, "scenarios"));
    List<Target> allTargets = List.copyOf(requireNonNull(targets, "targets"));
    LinkedHashMap<String, String> lines = new LinkedHashMap<>();
    requireNonNull(setup, "setup")
        .forEach((k, v) -> lines.put(requireNonNull(k, "setup label"), requireNonNull(v, k)));
    this.setup = Collections.unmodifiableMap(lines);

    // Scenarios in the order they were run; targets without runs still get a (failing) row.
    LinkedHashMap<String, List<ScenarioRun>> runsByName = new LinkedHashMap<>();
    for (ScenarioRun r : scenarioRuns) {
      runsByName.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r);
    }
    for (Target t : allTargets) runsByName.computeIfAbsent(t.scenario(), k -> new ArrayList<>());
    List<Scenario> rows = new ArrayList<>();
    runsByName.forEach(
        (name, runs) ->
            rows.add(
                new Scenario(
                    name,
                    runs,
                    allTargets.stream().filter(t -> t.scenario().equals(name)).toList())));
    this.scenarios = List.copyOf(rows);
    this.benignTotals = new BenignTotals(List.copyOf(requireNonNull(benign, "benign")));
  }

  /** Whether every scenario target and the benign false-alert target are met. */
  boolean allTargetsMet() {
    return unmetTargets().isEmpty();
  }

  /** Each target not met, as a sentence naming the target and why it was missed. */
  List<String> unmetTargets() {
    List<String> unmet = new ArrayList<>();
    for (Scenario s : scenarios) {
      for (Target t : s.targets) {
        List<String> why = t.shortfalls(s.runs);
        if (!why.isEmpty()) {
          unmet.add(s.name + ": " + t.what() + " — not met: " + String.join("; ", why));
        }
      }
    }
    if (!benignTotals.met()) {
      unmet.add(
          "benign workload: "
              + BENIGN_TARGET
              + " — not met: "
              + (benignTotals.clinicianDays > 0
                  ? benignTotals.ratePerThousand() + " per 1,000 clinician-days"
                  : "no benign clinician-days simulated"));
    }
    return List.copyOf(unmet);
  }

  /** The report as a Markdown section (level-2 heading, setup list, tables, unmet targets). */
  String markdown() {
    StringBuilder md = new StringBuilder();
    md.append("## ").append(TITLE).append("\n\n");
    setup.forEach(
        (k, v) ->
            md.append("- **").append(mdEscape(k)).append("**: ").append(mdEscape(v)).append('\n'));
    if (!setup.isEmpty()) md.append('\n');

    md.append("### Attack scenarios\n\n");
    mdTable(
        md,
        SCENARIO_HEADER,
        SCENARIO_RIGHT_ALIGNED,
        scenarios.stream().map(Scenario::cells).toList());
    md.append('\n').append(TIMES_NOTE).append('\n');
    Map<String, String> detectorsByScenario = detectorsByScenario();
    if (!detectorsByScenario.isEmpty()) {
      md.append("\nDetectors that alerted on the attacker (runs in which each alerted):\n\n");
      detectorsByScenario.forEach(
          (scenario, counts) ->
              md.append("- **")
                  .append(mdEscape(scenario))
                  .append("**: ")
                  .append(mdEscape(counts))
                  .append('\n'));
    }

    md.append("\n### Benign workload\n\n");
    mdTable(md, BENIGN_HEADER, BENIGN_RIGHT_ALIGNED, List.of(benignTotals.cells()));
    if (!benignTotals.byDetector.isEmpty()) {
      md.append("\nFalse alerts by detector: ")
          .append(mdEscape(benignTotals.byDetectorText()))
          .append(".\n");
    }

    md.append("\n### Targets\n\n");
    List<String> unmet = unmetTargets();
    if (unmet.isEmpty()) {
      md.append("All targets met.\n");
    } else {
      md.append("Not met:\n\n");
      for (String u : unmet) md.append("- ").append(mdEscape(u)).append('\n');
    }
    return md.toString();
  }

  /** The report as a self-contained HTML5 page: inline CSS and SVG, no scripts, nothing fetched. */
  String html() {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(esc(TITLE))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(esc(TITLE))
        .append("</h1>\n");

    List<String> unmet = unmetTargets();
    if (unmet.isEmpty()) {
      h.append("<p class=\"verdict met\">All targets met.</p>\n");
    } else {
      h.append("<div class=\"verdict unmet\"><p>")
          .append(unmet.size() == 1 ? "1 target not met:" : unmet.size() + " targets not met:")
          .append("</p>\n<ul>\n");
      for (String u : unmet) h.append("<li>").append(esc(u)).append("</li>\n");
      h.append("</ul></div>\n");
    }

    if (!setup.isEmpty()) {
      h.append("<h2>Setup</h2>\n<ul class=\"setup\">\n");
      setup.forEach(
          (k, v) ->
              h.append("<li><strong>")
                  .append(esc(k))
                  .append("</strong>: ")
                  .append(k.equals("command") ? "<code>" + esc(v) + "</code>" : esc(v))
                  .append("</li>\n"));
      h.append("</ul>\n");
    }

    h.append("<h2>Attack scenarios</h2>\n");
    htmlTable(
        h,
        SCENARIO_HEADER,
        SCENARIO_RIGHT_ALIGNED,
        scenarios.stream().map(Scenario::cells).toList());
    h.append("<p class=\"note\">").append(esc(TIMES_NOTE)).append("</p>\n");
    Map<String, String> detectorsByScenario = detectorsByScenario();
    if (!detectorsByScenario.isEmpty()) {
      h.append(
          "<p>Detectors that alerted on the attacker (runs in which each alerted):</p>\n<ul>\n");
      detectorsByScenario.forEach(
          (scenario, counts) ->
              h.append("<li><strong>")
                  .append(esc(scenario))
                  .append("</strong>: ")
                  .append(esc(counts))
                  .append("</li>\n"));
      h.append("</ul>\n");
    }

    h.append("<figure>\n")
        .append(recordsChart())
        .append("<figcaption>")
        .append(
            "Records returned to the attacker before Ward cut them off: bar = median, whisker = max"
                + " over seeds; a run never cut off counts every record it read.")
        .append("</figcaption>\n</figure>\n");
    h.append("<figure>\n")
        .append(timeChart())
        .append("<figcaption>")
        .append(
            "Simulated time from attack start to the first alert and to the cut-off: bar = median,"
                + " whisker = max over the runs that reached that point.")
        .append("</figcaption>\n</figure>\n");
    h.append("<figure>\n")
        .append(recallChart())
        .append("<figcaption>")
        .append(
            "Recall: share of runs in which a detector alerted on the attacker, against the target"
                + " recall.")
        .append("</figcaption>\n</figure>\n");

    h.append("<h2>Benign workload</h2>\n");
    htmlTable(h, BENIGN_HEADER, BENIGN_RIGHT_ALIGNED, List.of(benignTotals.cells()));
    if (!benignTotals.byDetector.isEmpty()) {
      h.append("<p>False alerts by detector: ")
          .append(esc(benignTotals.byDetectorText()))
          .append(".</p>\n");
    }
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  /** Writes {@code report.html} and {@code report.md} (UTF-8) into {@code dir}, creating it. */
  void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("report.html"), html(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // Tables

  private static final List<String> SCENARIO_HEADER =
      List.of(
          "scenario",
          "runs",
          "detected",
          "recall",
          "first alert median / max",
          "cut-off median / max",
          "records before cut-off median / max",
          "target",
          "met");
  private static final List<Boolean> SCENARIO_RIGHT_ALIGNED =
      List.of(false, true, true, true, true, true, true, false, false);
  private static final List<String> BENIGN_HEADER =
      List.of(
          "seeds",
          "clinician-days",
          "requests",
          "false alerts",
          "per 1,000 clinician-days",
          "target",
          "met");
  private static final List<Boolean> BENIGN_RIGHT_ALIGNED =
      List.of(false, true, true, true, true, false, false);
  private static final String TIMES_NOTE =
      "Times are simulated time from attack start; medians and maxima are over the runs that"
          + " reached that point (shown as \"n of m runs\" when not all did). A run never cut off"
          + " counts every record it read.";

  private static void mdTable(
      StringBuilder md, List<String> header, List<Boolean> right, List<List<String>> rows) {
    md.append('|');
    for (String c : header) md.append(' ').append(mdEscape(c)).append(" |");
    md.append("\n|");
    for (boolean r : right) md.append(r ? "---:|" : "---|");
    md.append('\n');
    for (List<String> row : rows) {
      md.append('|');
      for (String c : row) md.append(' ').append(mdEscape(c)).append(" |");
      md.append('\n');
    }
  }

  private static void htmlTable(
      StringBuilder h, List<String> header, List<Boolean> right, List<List<String>> rows) {
    h.append("<table>\n<thead><tr>");
    for (String c : header) h.append("<th scope=\"col\">").append(esc(c)).append("</th>");
    h.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : rows) {
      h.append("<tr>");
      for (int i = 0; i < row.size(); i++) {
        String c = row.get(i);
        String cls = right.get(i) ? "num" : "";
        if (i == row.size() - 1) cls = c.equals("yes") ? "met" : c.equals("no") ? "unmet" : "";
        h.append(i == 0 ? "<th scope=\"row\"" : "<td");
        if (!cls.isEmpty()) h.append(" class=\"").append(cls).append('"');
        h.append('>').append(esc(c)).append(i == 0 ? "</th>" : "</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>\n");
  }

  /**
   * Per scenario in which any detector alerted, "detector n, detector n": the runs in which each
   * detector alerted on the attacker, most first.
   */
  private Map<String, String> detectorsByScenario() {
    LinkedHashMap<String, String> lines = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      TreeMap<String, Integer> runsPerDetector = new TreeMap<>();
      for (ScenarioRun r : s.runs) {
        for (String d : new TreeSet<>(r.detectors())) runsPerDetector.merge(d, 1, Integer::sum);
      }
      if (!runsPerDetector.isEmpty()) lines.put(s.name, countsText(runsPerDetector));
    }
    return lines;
  }

  private static String countsText(Map<String, Integer> counts) {
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(
        Map.Entry.<String, Integer>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Integer> e : entries) parts.add(e.getKey() + " " + e.getValue());
    return String.join(", ", parts);
  }

  /** One attack scenario's runs and targets, summarised. */
  private static final class Scenario {
    final String name;
    final List<ScenarioRun> runs;
    final List<Target> targets;
    final List<Duration> firstAlerts;
    final List<Duration> cutOffs;
    final int[] records;

    Scenario(String name, List<ScenarioRun> runs, List<Target> targets) {
      this.name = name;
      this.runs = List.copyOf(runs);
      this.targets = targets;
      this.firstAlerts = sortedPresent(runs, ScenarioRun::firstAlert);
      this.cutOffs = sortedPresent(runs, ScenarioRun::cutOff);
      this.records = runs.stream().mapToInt(ScenarioRun::recordsBeforeCutOff).sorted().toArray();
    }

    private static List<Duration> sortedPresent(
        List<ScenarioRun> runs, Function<ScenarioRun, Duration> f) {
      return runs.stream().map(f).filter(d -> d != null).sorted().toList();
    }

    long detected() {
      return runs.stream().filter(ScenarioRun::detected).count();
    }

    double recall() {
      return runs.isEmpty() ? 0 : (double) detected() / runs.size();
    }

    /** Yes/no/none: whether every target of this scenario is met; {@code null} without targets. */
    Boolean met() {
      if (targets.isEmpty()) return null;
      return targets.stream().allMatch(t -> t.met(runs));
    }

    Integer tightestMaxRecords() {
      return targets.stream()
          .map(Target::maxRecords)
          .filter(b -> b != null)
          .min(Integer::compare)
          .orElse(null);
    }

    Duration tightestMaxFirstAlert() {
      return targets.stream()
          .map(Target::maxFirstAlert)
          .filter(b -> b != null)
          .min(Duration::compareTo)
          .orElse(null);
    }

    Duration tightestMaxCutOff() {
      return targets.stream()
          .map(Target::maxCutOff)
          .filter(b -> b != null)
          .min(Duration::compareTo)
          .orElse(null);
    }

    Double highestMinRecall() {
      return targets.stream().map(Target::minRecall).max(Double::compare).orElse(null);
    }

    List<String> cells() {
      Boolean met = met();
      return List.of(
          name,
          String.format(Locale.ROOT, "%,d", runs.size()),
          String.format(Locale.ROOT, "%,d", detected()),
          runs.isEmpty() ? NONE : Target.percent(recall()),
          durationCell(firstAlerts),
          durationCell(cutOffs),
          records.length == 0
              ? NONE
              : recordCount(median(records)) + " / " + recordCount(records[records.length - 1]),
          targets.isEmpty() ? NONE : String.join("; ", targets.stream().map(Target::what).toList()),
          met == null ? NONE : met ? "yes" : "no");
    }

    private String durationCell(List<Duration> present) {
      if (present.isEmpty()) return NONE;
      String cell = simTime(median(present)) + " / " + simTime(present.get(present.size() - 1));
      if (present.size() < runs.size())
        cell += " (" + present.size() + " of " + runs.size() + " runs)";
      return cell;
    }
  }

  /** The benign runs added up. */
  private static final class BenignTotals {
    final List<Long> seeds;
    final double clinicianDays;
    final long requests;
    final long falseAlerts;
    final Map<String, Integer> byDetector;

    BenignTotals(List<BenignRun> runs) {
      this.seeds = runs.stream().map(BenignRun::seed).toList();
      this.clinicianDays = runs.stream().mapToDouble(BenignRun::clinicianDays).sum();
      this.requests = runs.stream().mapToLong(BenignRun::requests).sum();
      this.falseAlerts = runs.stream().mapToLong(BenignRun::falseAlerts).sum();
      TreeMap<String, Integer> sum = new TreeMap<>();
      for (BenignRun r : runs)
        r.falseAlertsByDetector().forEach((d, n) -> sum.merge(d, n, Integer::sum));
      sum.values().removeIf(n -> n == 0);
      this.byDetector = Collections.unmodifiableMap(sum);
    }

    double perThousand() {
      return falseAlerts / clinicianDays * 1000;
    }

    String ratePerThousand() {
      return String.format(Locale.ROOT, "%,.2f", perThousand());
    }

    boolean met() {
      return clinicianDays > 0 && perThousand() <= MAX_FALSE_ALERTS_PER_1000_CLINICIAN_DAYS;
    }

    String byDetectorText() {
      return countsText(byDetector);
    }

    List<String> cells() {
      return List.of(
          seeds.isEmpty() ? NONE : seedRanges(seeds),
          String.format(Locale.ROOT, "%,.1f", clinicianDays),
          String.format(Locale.ROOT, "%,d", requests),
          String.format(Locale.ROOT, "%,d", falseAlerts),
          clinicianDays > 0 ? ratePerThousand() : NONE,
          "≤ 1",
          met() ? "yes" : "no");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Charts (inline SVG)

  private static final int LABEL_RIGHT = 178;
  private static final int PLOT_WIDTH = 420;
  private static final int VALUE_WIDTH = 250;
  private static final int TOP = 40;
  private static final int BOTTOM = 52;
  private static final String OK_FILL = "#66bb6a";
  private static final String OK_LINE = "#1b5e20";
  private static final String BAD_FILL = "#ef5350";
  private static final String BAD_LINE = "#b71c1c";
  private static final String NO_TARGET_FILL = "#90a4ae";
  private static final String NO_TARGET_LINE = "#37474f";
  private static final double[] TIME_TICKS_SECONDS = {
    0.001, 0.01, 0.1, 1, 10, 60, 600, 3_600, 36_000, 86_400, 864_000, 8_640_000
  };

  /** Bar colour state: met, not met, or no bound to meet. */
  private enum Mark {
    OK(OK_FILL, OK_LINE),
    BAD(BAD_FILL, BAD_LINE),
    NO_TARGET(NO_TARGET_FILL, NO_TARGET_LINE);

    final String fill;
    final String line;

    Mark(String fill, String line) {
      this.fill = fill;
      this.line = line;
    }

    static Mark of(Object bound, boolean ok) {
      return bound == null ? NO_TARGET : ok ? OK : BAD;
    }
  }

  private String recordsChart() {
    int rowH = 30;
    int x0 = LABEL_RIGHT + 10;
    int plotH = Math.max(1, scenarios.size()) * rowH;
    int width = x0 + PLOT_WIDTH + VALUE_WIDTH;
    int height = TOP + plotH + BOTTOM;

    long most = 1;
    for (Scenario s : scenarios) {
      if (s.records.length > 0) most = Math.max(most, s.records[s.records.length - 1]);
      Integer bound = s.tightestMaxRecords();
      if (bound != null) most = Math.max(most, bound);
    }
    long hi = 10;
    while (hi < most) hi *= 10;
    double logHi = Math.log10(1 + hi);
    Function<Double, Double> x = r -> x0 + PLOT_WIDTH * Math.log10(1 + r) / logHi;

    StringBuilder svg =
        svgOpen("chart-records", "Records read before cut-off, per scenario", width, height);
    legend(svg, x0, width, "target", true);
    for (long t = 0; t <= hi; t = t == 0 ? 1 : t * 10) {
      gridTick(svg, x.apply((double) t), TOP, TOP + plotH, String.format(Locale.ROOT, "%,d", t));
    }
    axisLabel(
        svg,
        x0 + PLOT_WIDTH / 2.0,
        TOP + plotH + 40,
        "records returned to the attacker before cut-off (log scale)");

    for (int i = 0; i < scenarios.size(); i++) {
      Scenario s = scenarios.get(i);
      double yTop = TOP + i * rowH;
      double yMid = yTop + rowH / 2.0;
      rowLabel(svg, s.name, yMid);
      if (s.records.length == 0) {
        note(svg, x0 + 4, yMid, "no runs");
        continue;
      }
      double median = median(s.records);
      int max = s.records[s.records.length - 1];
      Integer bound = s.tightestMaxRecords();
      Mark mark = Mark.of(bound, bound != null && max <= bound);
      String tip =
          s.name
              + ": median "
              + recordCount(median)
              + ", max "
              + recordCount(max)
              + " records before cut-off"
              + (bound == null ? "" : "; target ≤ " + recordCount(bound));
      barWithWhisker(svg, x0, x.apply(median), x.apply((double) max), yMid, 14, mark, tip);
      if (bound != null) targetLine(svg, x.apply((double) bound), yTop + 3, yTop + rowH - 3, false);
      valueText(
          svg,
          x0 + PLOT_WIDTH + 10,
          yMid,
          recordCount(median)
              + " / "
              + recordCount(max)
              + (bound == null ? "" : "  (target ≤ " + recordCount(bound) + ")"));
    }
    return svg.append("</svg>\n").toString();
  }

  private String timeChart() {
    int rowH = 44;
    int subLabelWidth = 70;
    int x0 = LABEL_RIGHT + 10 + subLabelWidth;
    int plotH = Math.max(1, scenarios.size()) * rowH;
    int width = x0 + PLOT_WIDTH + VALUE_WIDTH;
    int height = TOP + plotH + BOTTOM;

    double least = Double.POSITIVE_INFINITY;
    double most = 0;
    for (Scenario s : scenarios) {
      List<Duration> all = new ArrayList<>(s.firstAlerts);
      all.addAll(s.cutOffs);
      if (s.tightestMaxFirstAlert() != null) all.add(s.tightestMaxFirstAlert());
      if (s.tightestMaxCutOff() != null) all.add(s.tightestMaxCutOff());
      for (Duration d : all) {
        double sec = seconds(d);
        if (sec > 0) least = Math.min(least, sec);
        most = Math.max(most, sec);
      }
    }
    double lo = TIME_TICKS_SECONDS[0];
    for (double t : TIME_TICKS_SECONDS) if (t <= least) lo = t;
    if (least == Double.POSITIVE_INFINITY) lo = 1;
    double hi = Double.NaN;
    for (double t : TIME_TICKS_SECONDS) {
      if (t > lo && t >= most) {
        hi = t;
        break;
      }
    }
    if (Double.isNaN(hi)) hi = Math.max(most, lo * 10);
    double loF = lo;
    double logSpan = Math.log(hi / lo);
    Function<Duration, Double> x =
        d -> {
          double sec = seconds(d);
          return sec <= loF ? x0 : x0 + PLOT_WIDTH * Math.log(sec / loF) / logSpan;
        };

    StringBuilder svg =
        svgOpen("chart-time", "Time to first alert and to cut-off, per scenario", width, height);
    legend(svg, x0, width, "target (dashed: first alert, dotted: cut-off)", true);
    for (double t : TIME_TICKS_SECONDS) {
      if (t >= lo && t <= hi) {
        gridTick(svg, x.apply(ofSeconds(t)), TOP, TOP + plotH, simTime(ofSeconds(t)));
      }
    }
    double hiF = hi;
    if (Arrays.stream(TIME_TICKS_SECONDS).noneMatch(t -> t == hiF)) {
      gridTick(svg, x0 + PLOT_WIDTH, TOP, TOP + plotH, simTime(ofSeconds(hi)));
    }
    axisLabel(
        svg,
        x0 + PLOT_WIDTH / 2.0,
        TOP + plotH + 40,
        "simulated time from attack start (log scale)");

    for (int i = 0; i < scenarios.size(); i++) {
      Scenario s = scenarios.get(i);
      double yTop = TOP + i * rowH;
      rowLabel(svg, s.name, yTop + rowH / 2.0);
      timeBar(
          svg, s, "first alert", s.firstAlerts, s.tightestMaxFirstAlert(), false, x, x0, yTop + 13);
      timeBar(svg, s, "cut-off", s.cutOffs, s.tightestMaxCutOff(), true, x, x0, yTop + 31);
      if (i > 0) {
        svg.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"8\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eceff1\"/>\n",
                yTop,
                width - 8,
                yTop));
      }
    }
    return svg.append("</svg>\n").toString();
  }

  private static void timeBar(
      StringBuilder svg,
      Scenario s,
      String what,
      List<Duration> present,
      Duration bound,
      boolean dotted,
      Function<Duration, Double> x,
      int x0,
      double yMid) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%.1f\" class=\"sub\" text-anchor=\"end\""
                + " dominant-baseline=\"middle\">%s</text>\n",
            x0 - 6,
            yMid,
            esc(what)));
    if (present.isEmpty()) {
      note(svg, x0 + 4, yMid, s.runs.isEmpty() ? "no runs" : "none in " + s.runs.size() + " runs");
      if (bound != null) targetLine(svg, x.apply(bound), yMid - 8, yMid + 8, dotted);
      return;
    }
    Duration median = median(present);
    Duration max = present.get(present.size() - 1);
    boolean all = present.size() == s.runs.size();
    Mark mark = Mark.of(bound, bound != null && all && max.compareTo(bound) <= 0);
    String counted = all ? "" : " (" + present.size() + " of " + s.runs.size() + " runs)";
    String tip =
        s.name
            + ": "
            + what
            + " median "
            + simTime(median)
            + ", max "
            + simTime(max)
            + counted
            + (bound == null ? "" : "; target ≤ " + simTime(bound));
    barWithWhisker(svg, x0, x.apply(median), x.apply(max), yMid, 12, mark, tip);
    if (bound != null) targetLine(svg, x.apply(bound), yMid - 8, yMid + 8, dotted);
    valueText(
        svg,
        x0 + PLOT_WIDTH + 10,
        yMid,
        simTime(median)
            + " / "
            + simTime(max)
            + counted
            + (bound == null ? "" : "  (target ≤ " + simTime(bound) + ")"));
  }

  private String recallChart() {
    int rowH = 24;
    int x0 = LABEL_RIGHT + 10;
    int plotH = Math.max(1, scenarios.size()) * rowH;
    int width = x0 + PLOT_WIDTH + VALUE_WIDTH;
    int height = TOP + plotH + BOTTOM;
    Function<Double, Double> x = f -> x0 + PLOT_WIDTH * f;

    StringBuilder svg =
        svgOpen("chart-recall", "Recall per scenario against target recall", width, height);
    legend(svg, x0, width, "target recall", false);
    for (int p = 0; p <= 100; p += 25) gridTick(svg, x.apply(p / 100.0), TOP, TOP + plotH, p + "%");
    axisLabel(
        svg,
        x0 + PLOT_WIDTH / 2.0,
        TOP + plotH + 40,
        "recall: share of runs in which the attacker was detected (%)");

    for (int i = 0; i < scenarios.size(); i++) {
      Scenario s = scenarios.get(i);
      double yTop = TOP + i * rowH;
      double yMid = yTop + rowH / 2.0;
      rowLabel(svg, s.name, yMid);
      if (s.runs.isEmpty()) {
        note(svg, x0 + 4, yMid, "no runs");
        continue;
      }
      Double bound = s.highestMinRecall();
      double recall = s.recall();
      Mark mark = Mark.of(bound, bound != null && recall >= bound);
      String text =
          Target.percent(recall)
              + " ("
              + s.detected()
              + " of "
              + s.runs.size()
              + ")"
              + (bound == null ? "" : "  (target ≥ " + Target.percent(bound) + ")");
      barWithWhisker(
          svg, x0, x.apply(recall), x.apply(recall), yMid, 10, mark, s.name + ": recall " + text);
      if (bound != null) targetLine(svg, x.apply(bound), yTop + 3, yTop + rowH - 3, false);
      valueText(svg, x0 + PLOT_WIDTH + 10, yMid, text);
    }
    return svg.append("</svg>\n").toString();
  }

  private static StringBuilder svgOpen(String id, String title, int width, int height) {
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\""
                + " aria-labelledby=\"%s-title\">\n",
            width,
            height,
            width,
            height,
            id));
    svg.append("<title id=\"")
        .append(id)
        .append("-title\">")
        .append(esc(title))
        .append("</title>\n");
    svg.append(
        String.format(
            Locale.ROOT, "<text x=\"8\" y=\"16\" class=\"title\">%s</text>\n", esc(title)));
    return svg;
  }

  /** Colour key and target-line key under the title; the bar/whisker key at the title's right. */
  private static void legend(
      StringBuilder svg, int x, int width, String targetLabel, boolean whisker) {
    double y = 30;
    int cx = x;
    cx = swatch(svg, cx, y, Mark.OK, "meets target");
    cx = swatch(svg, cx, y, Mark.BAD, "misses target");
    cx = swatch(svg, cx, y, Mark.NO_TARGET, "no target");
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"target\"/>\n",
            cx,
            y - 6,
            cx,
            y + 4));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%.1f\" class=\"legend\" dominant-baseline=\"middle\">%s</text>\n",
            cx + 6,
            y - 1,
            esc(targetLabel)));
    if (whisker) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"16\" class=\"legend\" text-anchor=\"end\">bar = median, whisker ="
                  + " max</text>\n",
              width - 8));
    }
  }

  private static int swatch(StringBuilder svg, int x, double y, Mark mark, String label) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"%s\" stroke=\"%s\"/>\n",
            x,
            y - 6,
            mark.fill,
            mark.line));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%.1f\" class=\"legend\" dominant-baseline=\"middle\">%s</text>\n",
            x + 16,
            y - 1,
            esc(label)));
    return x + 16 + label.length() * 7 + 14;
  }

  private static void gridTick(
      StringBuilder svg, double x, double top, double bottom, String label) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n",
            x,
            top,
            x,
            bottom));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%s</text>\n",
            x,
            bottom + 16,
            esc(label)));
  }

  private static void axisLabel(StringBuilder svg, double x, double y, String label) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">%s</text>\n",
            x,
            y,
            esc(label)));
  }

  private static void rowLabel(StringBuilder svg, String scenario, double yMid) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%.1f\" class=\"label\" text-anchor=\"end\""
                + " dominant-baseline=\"middle\"><title>%s</title>%s</text>\n",
            LABEL_RIGHT,
            yMid,
            esc(scenario),
            esc(shorten(scenario, 26))));
  }

  private static void note(StringBuilder svg, double x, double yMid, String text) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" class=\"note\" dominant-baseline=\"middle\">%s</text>\n",
            x,
            yMid,
            esc(text)));
  }

  private static void valueText(StringBuilder svg, double x, double yMid, String text) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%.1f\" y=\"%.1f\" class=\"value\" dominant-baseline=\"middle\">%s</text>\n",
            x,
            yMid,
            esc(text)));
  }

  private static void barWithWhisker(
      StringBuilder svg,
      double x0,
      double xMedian,
      double xMax,
      double yMid,
      double h,
      Mark mark,
      String tip) {
    svg.append("<g><title>").append(esc(tip)).append("</title>\n");
    // At least 2 px so that a zero (records, time) still shows where the bar would start.
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\""
                + " stroke=\"%s\"/>\n",
            x0,
            yMid - h / 2,
            Math.max(2, xMedian - x0),
            h,
            mark.fill,
            mark.line));
    if (xMax > xMedian + 0.5) {
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                  + " stroke-width=\"1.5\"/>\n",
              xMedian,
              yMid,
              xMax,
              yMid,
              mark.line));
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                  + " stroke-width=\"1.5\"/>\n",
              xMax,
              yMid - h / 2 + 2,
              xMax,
              yMid + h / 2 - 2,
              mark.line));
    }
    svg.append("</g>\n");
  }

  /** A dashed (or, for cut-off bounds, dotted) vertical target line across one bar's row. */
  private static void targetLine(
      StringBuilder svg, double x, double y1, double y2, boolean dotted) {
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"target%s\"/>\n",
            x,
            y1,
            x,
            y2,
            dotted ? " dot" : ""));
  }

  private static final String CSS =
      """
      body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #212121;
             margin: 2rem auto; max-width: 72rem; padding: 0 1rem; line-height: 1.4; }
      h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
      table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
      th, td { border: 1px solid #cfd8dc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
      thead th { background: #eceff1; }
      tbody th { font-weight: 600; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      td.met { color: #1b5e20; background: #e8f5e9; font-weight: 600; }
      td.unmet { color: #b71c1c; background: #ffebee; font-weight: 600; }
      .verdict { padding: 0.5rem 1rem; border-radius: 4px; }
      .verdict.met { background: #e8f5e9; color: #1b5e20; font-weight: 600; }
      .verdict.unmet { background: #ffebee; color: #b71c1c; }
      .note { color: #546e7a; font-size: 0.85rem; }
      code { font-size: 0.85rem; }
      figure { margin: 1.5rem 0; }
      figcaption { color: #546e7a; font-size: 0.85rem; max-width: 52rem; }
      svg { max-width: 100%; height: auto; background: #fff; }
      svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #212121; }
      svg .title { font-size: 14px; font-weight: 600; }
      svg .label { font-size: 12px; }
      svg .sub, svg .legend, svg .tick { font-size: 11px; fill: #455a64; }
      svg .axis { font-size: 12px; fill: #37474f; }
      svg .value { font-size: 11px; fill: #263238; }
      svg .note { font-size: 11px; fill: #78909c; font-style: italic; }
      svg .grid { stroke: #eceff1; stroke-width: 1; }
      svg .target { stroke: #212121; stroke-width: 2; stroke-dasharray: 5 3; }
      svg .target.dot { stroke-dasharray: 2 2; }
      """;

  // ---------------------------------------------------------------------------------------------
  // Formatting

  /**
   * A simulated duration for people: "4 ms", "0.35 s", "42 s", "3.1 min", "2.5 h", "1.5 d"; "—" for
   * {@code null}.
   */
  static String simTime(Duration d) {
    if (d == null) return NONE;
    double s = seconds(d);
    if (s == 0) return "0 s";
    if (s < 0.1) return trim(String.format(Locale.ROOT, "%.1f", s * 1000)) + " ms";
    if (s < 1) return trim(String.format(Locale.ROOT, "%.2f", s)) + " s";
    if (s < 10) return trim(String.format(Locale.ROOT, "%.1f", s)) + " s";
    if (s < 60) return String.format(Locale.ROOT, "%.0f", s) + " s";
    if (s < 3_600) return trim(String.format(Locale.ROOT, "%.1f", s / 60)) + " min";
    if (s < 86_400) return trim(String.format(Locale.ROOT, "%.1f", s / 3_600)) + " h";
    return trim(String.format(Locale.ROOT, "%,.1f", s / 86_400)) + " d";
  }

  /** Seeds as sorted ranges: "1..20", "1, 2, 5..9". */
  static String seedRanges(List<Long> seeds) {
    List<Long> sorted = new ArrayList<>(new TreeSet<>(seeds));
    List<String> parts = new ArrayList<>();
    int i = 0;
    while (i < sorted.size()) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) j++;
      if (j - i >= 2) {
        parts.add(sorted.get(i) + ".." + sorted.get(j));
      } else {
        for (int k = i; k <= j; k++) parts.add(Long.toString(sorted.get(k)));
      }
      i = j + 1;
    }
    return String.join(", ", parts);
  }

  private static String recordCount(double n) {
    if (n == Math.rint(n)) return String.format(Locale.ROOT, "%,.0f", n);
    return String.format(Locale.ROOT, "%,.1f", n);
  }

  private static double median(int[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
  }

  private static Duration median(List<Duration> sorted) {
    int n = sorted.size();
    return n % 2 == 1
        ? sorted.get(n / 2)
        : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }

  private static Duration ofSeconds(double s) {
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  private static String trim(String decimal) {
    if (!decimal.contains(".")) return decimal;
    String t = decimal.replaceAll("0+$", "");
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }

  private static String shorten(String s, int codePoints) {
    if (s.codePointCount(0, s.length()) <= codePoints) return s;
    return s.substring(0, s.offsetByCodePoints(0, codePoints - 1)) + "…";
  }

  /** Escapes text for HTML element content and double- or single-quoted attribute values. */
  static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Escapes text for a Markdown table cell or list item: the characters Markdown or inline HTML
   * would act on are backslash-escaped, line breaks become spaces.
   */
  static String mdEscape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\', '|', '`', '*', '_', '[', ']', '<', '>', '&' -> out.append('\\').append(c);
        case '\r', '\n' -> out.append(' ');
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
