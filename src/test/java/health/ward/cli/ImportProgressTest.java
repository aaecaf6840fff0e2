package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ImportProgressTest {
  final AtomicLong now = new AtomicLong();
  final StringWriter sink = new StringWriter();

  @Test
  void terminal_redrawsOneLine_atMostFourTimesASecond() {
    ImportProgress p = new ImportProgress(new PrintWriter(sink, true), true, now::get);
    p.start(100, 100_000);
    for (int i = 0; i < 40; i++) {
      now.addAndGet(50_000_000L); // 50 ms per bundle: 2 s in all
      p.bundleDone(500, 1_000);
    }
    String shown = sink.toString();
    long redraws = shown.chars().filter(c -> c == '\r').count();
    assertTrue(redraws >= 8 && redraws <= 9, "redraws: " + redraws);
    assertFalse(shown.contains("\n"), "one line, redrawn");
    assertTrue(shown.endsWith("import 40/100 bundles  20,000 resources  10,000 resources/s  ETA 0:03\u001b[K"), shown);
  }

  @Test
  void plain_printsLinesNoCarriageReturns_andFailuresAndSummary() {
    ImportProgress p = new ImportProgress(new PrintWriter(sink, true), false, now::get);
    p.start(3, 3_000);
    now.addAndGet(1_000_000_000L);
    p.bundleDone(10_000, 1_000);
    p.bundleFailed(new SyntheaImport.Failure(Path.of("x.json"), "not a FHIR bundle: bad"), 1_000);
    now.addAndGet(6_000_000_000L);
    p.bundleDone(4_000, 1_000);
    p.finish(new SyntheaImport.Summary(2, 0, 1, 14_000, 7_000_000_000L, List.of()));

    String shown = sink.toString();
    assertFalse(shown.contains("\r"), shown);
    List<String> lines = shown.lines().toList();
    assertEquals("import 0/3 bundles  0 resources  0 resources/s", lines.get(0));
    assertEquals("ward import: FAILED x.json: not a FHIR bundle: bad", lines.get(1));
    assertEquals("import 3/3 bundles (1 failed)  14,000 resources  2,000 resources/s", lines.get(2));
    assertEquals("ward import: 2 bundles imported, 0 already present, 1 failed; 14,000 resources in 7.0 s (2,000 resources/s)", lines.get(3));
  }
}
