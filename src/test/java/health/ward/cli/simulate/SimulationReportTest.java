package health.ward.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationReportTest {
  static final String ODD = "a<b&\"c";

  static ScenarioRun run(
      String scenario, long seed, Long alertMillis, Long cutMillis, int records) {
    return new ScenarioRun(
        scenario,
        seed,
        alertMillis != null,
        alertMillis == null ? null : Duration.ofMillis(alertMillis),
        cutMillis == null ? null : Duration.ofMillis(cutMillis),
        records,
        alertMillis == null ? List.of() : List.of("bulk-read"));
  }

  /** Three scenarios × three seeds; slow-snoop misses its target (one run never detected). */
  static SimulationReport report(List<BenignRun> benign) {
    List<ScenarioRun> runs =
        List.of(
            run("bulk-export", 1, 200L, 350L, 5),
            run("bulk-export", 2, 100L, 300L, 12),
            run("bulk-export", 3, 400L, 900L, 20),
            run("slow-snoop", 1, 42_000L, 186_000L, 30),
            run("slow-snoop", 2, null, null, 400),
            run("slow-snoop", 3, 60_000L, 300_000L, 41),
            run(ODD, 1, 1_000L, null, 7),
            run(ODD, 2, 2_000L, null, 9),
            run(ODD, 3, 3_000L, null, 11));
    List<Target> targets =
        List.of(
            new Target(
                "bulk-export",
                "cut off within 1 s and ≤ 20 records",
                Duration.ofSeconds(1),
                20,
                null,
                1.0),
            new Target(
                "slow-snoop",
                "alert within 5 min in every run",
                null,
                null,
                Duration.ofMinutes(5),
                1.0),
            new Target(ODD, "alert within 10 s", null, null, Duration.ofSeconds(10), 1.0));
    Map<String, String> setup = new LinkedHashMap<>();
    setup.put("seeds", "1..3");
    setup.put("patients", "120");
    setup.put("command", "./ward simulate --seeds 1..3");
    return new SimulationReport(runs, benign, targets, setup);
  }

  static List<BenignRun> quietBenign() {
    return List.of(
        new BenignRun(1, 1_000, 40_000, 0, Map.of()),
        new BenignRun(2, 1_000, 41_000, 1, Map.of("after-hours", 1)),
        new BenignRun(3, 1_000, 39_500, 0, Map.of()));
  }

  @Test
  void markdown_showsRecallMediansAndMetPerScenario() {
    String md = report(quietBenign()).markdown();
    assertTrue(md.startsWith("## Ward detection simulation\n"), md);
    assertTrue(md.contains("- **seeds**: 1..3\n- **patients**: 120\n"), md);
    assertTrue(
        md.contains(
            "| bulk-export | 3 | 3 | 100% | 0.2 s / 0.4 s | 0.35 s / 0.9 s | 12 / 20 | cut off"
                + " within 1 s and ≤ 20 records | yes |"),
        md);
    assertTrue(
        md.contains(
            "| slow-snoop | 3 | 2 | 66.7% | 51 s / 1 min (2 of 3 runs) | 4.1 min / 5 min (2 of 3"
                + " runs) | 41 / 400 | alert within 5 min in every run | no |"),
        md);
    assertTrue(
        md.contains(
            "| a\\<b\\&\"c | 3 | 3 | 100% | 2 s / 3 s | — | 9 / 11 | alert within 10 s | yes |"),
        md);
  }

  @Test
  void markdown_benignTable_ratePerThousandClinicianDays_andDetectorLine() {
    String md = report(quietBenign()).markdown();
    assertTrue(
        md.contains(
            "| seeds | clinician-days | requests | false alerts | per 1,000 clinician-days | target"
                + " | met |"),
        md);
    assertTrue(md.contains("| 1..3 | 3,000.0 | 120,500 | 1 | 0.33 | ≤ 1 | yes |"), md);
    assertTrue(md.contains("False alerts by detector: after-hours 1."), md);
  }

  @Test
  void unmetTargets_nameTheScenarioAndWhy() {
    SimulationReport r = report(quietBenign());
    assertFalse(r.allTargetsMet());
    assertEquals(
        List.of(
            "slow-snoop: alert within 5 min in every run — not met: runs meeting it 66.7% < 100%;"
                + " seed 2: no alert"),
        r.unmetTargets());
    assertTrue(r.markdown().contains("Not met:\n\n- slow-snoop: alert within 5 min"), r.markdown());
  }

  @Test
  void benignTarget_aboveOnePerThousandClinicianDays_isNotMet() {
    SimulationReport r =
        report(List.of(new BenignRun(7, 800, 10_000, 2, Map.of("after-hours", 1, "velocity", 1))));
    assertTrue(r.markdown().contains("| 7 | 800.0 | 10,000 | 2 | 2.50 | ≤ 1 | no |"), r.markdown());
    assertTrue(
        r.unmetTargets()
            .contains(
                "benign workload: ≤ 1 false alert per 1,000 clinician-days — not met: 2.50 per"
                    + " 1,000 clinician-days"),
        r.unmetTargets().toString());
  }

  @Test
  void allTargetsMet_whenEveryTargetAndBenignMet() {
    SimulationReport r =
        new SimulationReport(
            List.of(run("bulk-export", 1, 100L, 200L, 3)),
            List.of(new BenignRun(1, 1_000, 5_000, 1, Map.of("after-hours", 1))),
            List.of(
                new Target(
                    "bulk-export", "cut off within 1 s", Duration.ofSeconds(1), null, null, 1.0)),
            Map.of());
    assertTrue(r.allTargetsMet(), r.unmetTargets().toString());
    assertTrue(r.markdown().contains("All targets met."));
  }

  @Test
  void noBenignRuns_benignTargetNotMet() {
    SimulationReport r = new SimulationReport(List.of(), List.of(), List.of(), Map.of());
    assertEquals(
        List.of(
            "benign workload: ≤ 1 false alert per 1,000 clinician-days — not met: no benign"
                + " clinician-days simulated"),
        r.unmetTargets());
    r.html(); // renders without data
  }

  @Test
  void html_isSelfContained_withCharts_andEscapesEveryName() throws Exception {
    String html = report(quietBenign()).html();
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("<title>Ward detection simulation</title>"), html);
    assertTrue(html.contains("<svg"), html);
    assertEquals(3, count(html, "<svg"));
    assertEquals(count(html, "<svg"), count(html, "</svg>"));
    assertEquals(count(html, "<table"), count(html, "</table>"));
    assertFalse(html.contains(ODD), "raw scenario name leaked into HTML");
    assertTrue(html.contains("a&lt;b&amp;&quot;c"), html);
    for (String external :
        List.of("<script", "src=", "href=", "url(", "@import", "http:", "https:")) {
      assertFalse(html.contains(external), external);
    }
    assertTrue(html.contains("class=\"unmet\">no</td>"), html);
    assertTrue(html.contains("records returned to the attacker before cut-off (log scale)"), html);
    assertTrue(html.contains("simulated time from attack start (log scale)"), html);

    // Each chart must be well-formed XML (so every inserted string was escaped).
    Matcher svg = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
    while (svg.find()) {
      DocumentBuilderFactory.newInstance()
          .newDocumentBuilder()
          .parse(new ByteArrayInputStream(svg.group().getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void html_targetLines_andColoursFollowMet() {
    String html = report(quietBenign()).html();
    assertTrue(html.contains("class=\"target\""), "dashed target line");
    assertTrue(html.contains("#66bb6a"), "met colour");
    assertTrue(html.contains("#ef5350"), "not-met colour");
  }

  @Test
  void write_createsBothFiles_utf8() throws Exception {
    SimulationReport r = report(quietBenign());
    Path dir = tmp.resolve("out/sim");
    r.write(dir);
    assertEquals(r.html(), Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8));
    assertEquals(r.markdown(), Files.readString(dir.resolve("report.md"), StandardCharsets.UTF_8));
  }

  @Test
  void simTime_isHumanReadable() {
    assertEquals("—", SimulationReport.simTime(null));
    assertEquals("0 s", SimulationReport.simTime(Duration.ZERO));
    assertEquals("4 ms", SimulationReport.simTime(Duration.ofMillis(4)));
    assertEquals("0.35 s", SimulationReport.simTime(Duration.ofMillis(350)));
    assertEquals("1.5 s", SimulationReport.simTime(Duration.ofMillis(1_500)));
    assertEquals("42 s", SimulationReport.simTime(Duration.ofSeconds(42)));
    assertEquals("3.1 min", SimulationReport.simTime(Duration.ofSeconds(186)));
    assertEquals("2.5 h", SimulationReport.simTime(Duration.ofMinutes(150)));
    assertEquals("1.5 d", SimulationReport.simTime(Duration.ofHours(36)));
  }

  @Test
  void seedRanges_compressRuns() {
    assertEquals(
        "1..20",
        SimulationReport.seedRanges(
            java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList()));
    assertEquals("1, 2, 5..7, 9", SimulationReport.seedRanges(List.of(9L, 7L, 6L, 5L, 2L, 1L)));
  }

  @TempDir Path tmp;

  static int count(String s, String sub) {
    int n = 0;
    for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
    return n;
  }
}
