package health.ward.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A progress bar for work counted in items (ledger entries, say) on stderr: done/total, a bar, rate
 * and ETA. On a terminal the line is redrawn in place at most four times a second; otherwise (CI
 * logs) a plain line is printed at most every five seconds. Thread-safe.
 */
final class CountProgress {
  private static final int BAR = 24;

  private final PrintWriter err;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final String label;
  private final String unit;
  private final long minGapNanos;
  private final long startNanos;
  private long lastDrawNanos;
  private long done;
  private long total;
  private boolean lineOpen;

  CountProgress(PrintWriter err, boolean terminal, LongSupplier nanoTime, String label, String unit) {
    this.err = Objects.requireNonNull(err, "err");
    this.terminal = terminal;
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.label = label;
    this.unit = unit;
    this.minGapNanos = terminal ? 250_000_000L : 5_000_000_000L;
    this.startNanos = nanoTime.getAsLong();
    this.lastDrawNanos = startNanos - minGapNanos;
  }

  synchronized void update(long done, long total) {
    this.done = done;
    this.total = total;
    long now = nanoTime.getAsLong();
    if (now - lastDrawNanos < minGapNanos) return;
    lastDrawNanos = now;
    if (terminal) {
      err.print("\r" + line(now) + "\u001b[K");
      lineOpen = true;
    } else {
      err.println(line(now));
    }
    err.flush();
  }

  /** Clears the bar and returns the seconds since the start. */
  synchronized double finish() {
    if (lineOpen) {
      err.print("\r\u001b[K");
      err.flush();
      lineOpen = false;
    }
    return (nanoTime.getAsLong() - startNanos) / 1e9;
  }

  String line(long now) {
    double seconds = (now - startNanos) / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    double fraction = total > 0 ? Math.min(1, (double) done / total) : 1;
    int filled = (int) Math.round(fraction * BAR);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%s %,d/%,d %s (%3.0f%%) [", label, done, total, unit, fraction * 100));
    sb.append("#".repeat(filled)).append(".".repeat(BAR - filled)).append(']');
    sb.append(String.format(Locale.ROOT, " %,.0f %s/s", rate, unit));
    if (rate > 0 && total > done) {
      long eta = Math.round((total - done) / rate);
      sb.append(String.format(Locale.ROOT, " ETA %d:%02d", eta / 60, eta % 60));
    }
    return sb.toString();
  }
}
