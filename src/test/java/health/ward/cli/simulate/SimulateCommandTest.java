package health.ward.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ward simulate} end to end on a small hospital: one seed, one warm-up day, every scenario.
 * The detection targets are checked by the command itself ({@code --check}); the report exists.
 */
class SimulateCommandTest {
  @TempDir Path dir;

  static final Path SYNTHEA = Path.of("..", "shared", "data", "synthea-small");

  private int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  @Test
  void aSmallHospital_everyScenarioIsCaught_andTheReportIsWritten() throws Exception {
    assertTrue(Files.isDirectory(SYNTHEA), "the Synthea test data is beside the repository: " + SYNTHEA.toAbsolutePath());
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = run(out, err, "simulate", "--seeds", "1", "--warmup-days", "1", "--patients", "80", "--repeats", "1",
        "--synthea", SYNTHEA.toString(), "--report", dir.resolve("report").toString(), "--work", dir.resolve("work").toString(),
        "--check");
    assertEquals(0, code, out + "\n" + err);
    String md = Files.readString(dir.resolve("report").resolve("report.md"));
    for (String s : Simulation.SCENARIOS) assertTrue(md.contains(s), s + " is in the report:\n" + md);
    assertTrue(Files.readString(dir.resolve("report").resolve("report.html")).contains("<svg"));
  }

  @Test
  void badInput_isAUsageError() {
    StringWriter out = new StringWriter(), err = new StringWriter();
    assertEquals(2, run(out, err, "simulate", "--scenario", "moon-landing"));
    assertTrue(err.toString().contains("unknown scenario 'moon-landing'"), err.toString());
    assertEquals(2, run(out, err, "simulate", "--seeds", "0"));
    assertEquals(2, run(out, err, "simulate", "--synthea", dir.resolve("nothing").toString()));
  }
}
