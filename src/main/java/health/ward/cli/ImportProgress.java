package health.ward.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Progress of an import on stderr: bundles done/total, resources/s and ETA. On a terminal one line
 * is redrawn with {@code \r} at most {@value #TERMINAL_REDRAWS_PER_SECOND} times per second; otherwise
 * (CI logs) a plain line is printed at most every {@value #PLAIN_LINE_SECONDS} seconds. Failures are
 * always printed on their own line. Thread-safe.
 */
final class ImportProgress {
  static final int TERMINAL_REDRAWS_PER_SECOND = 4;
  static final int PLAIN_LINE_SECONDS = 5;

  private final PrintWriter err;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final long minGapNanos;

  private long startNanos;
  private long lastDrawNanos;
  private int total;
  private long totalBytes;
  private int done;
  private int failed;
  private long resources;
  private long bytesDone;
  private boolean lineOpen;

  ImportProgress(PrintWriter err, boolean terminal, LongSupplier nanoTime) {
    this.err = Objects.requireNonNull(err, "err");
    this.terminal = terminal;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.minGapNanos =
        terminal ? 1_000_000_000L / TERMINAL_REDRAWS_PER_SECOND : PLAIN_LINE_SECONDS * 1_000_000_000L;
  }

  synchronized void start(int bundles, long bytes) {
    total = bundles;
    totalBytes = bytes;
    startNanos = nanoTime.getAsLong();
    lastDrawNanos = startNanos;
    draw();
  }

  synchronized void bundleDone(int resourceCount, long bytes) {
    done++;
    resources += resourceCount;
    bytesDone += bytes;
    maybeDraw();
  }

  synchronized void bundleFailed(SyntheaImport.Failure f, long bytes) {
    failed++;
    bytesDone += bytes;
    clearLine();
    err.println("ward import: FAILED " + f.file() + ": " + f.reason());
    err.flush();
    maybeDraw();
  }

  synchronized long elapsedNanos() {
    return nanoTime.getAsLong() - startNanos;
  }

  synchronized void finish(SyntheaImport.Summary s) {
    clearLine();
    err.printf(
        Locale.ROOT,
        "ward import: %d bundles imported, %d already present, %d failed; %,d resources in %.1f s (%,.0f resources/s)%n",
        s.bundlesOk(),
        s.bundlesSkipped(),
        s.bundlesFailed(),
        s.resources(),
        s.elapsedNanos() / 1e9,
        s.resourcesPerSecond());
    err.flush();
  }

  private void maybeDraw() {
    long now = nanoTime.getAsLong();
    if (now - lastDrawNanos >= minGapNanos) draw();
  }

  private void draw() {
    long now = nanoTime.getAsLong();
    lastDrawNanos = now;
    String line = line(now);
    if (terminal) {
      err.print("\r" + line + "\u001b[K");
      lineOpen = true;
    } else {
      err.println(line);
    }
    err.flush();
  }

  private void clearLine() {
    if (lineOpen) {
      err.print("\r\u001b[K");
      lineOpen = false;
    }
  }

  String line(long now) {
    double seconds = (now - startNanos) / 1e9;
    double rate = seconds > 0 ? resources / seconds : 0;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "import %d/%d bundles", done + failed, total));
    if (failed > 0) sb.append(String.format(Locale.ROOT, " (%d failed)", failed));
    sb.append(String.format(Locale.ROOT, "  %,d resources  %,.0f resources/s", resources, rate));
    if (bytesDone > 0 && totalBytes > bytesDone) {
      long eta = Math.round(seconds * (totalBytes - bytesDone) / bytesDone);
      sb.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
    }
    return sb.toString();
  }
}
