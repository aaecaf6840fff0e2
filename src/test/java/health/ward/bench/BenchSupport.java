package health.ward.bench;

import health.ward.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** Shared pieces of the benchmark mains: a fresh durable embedded database and a timed load loop. */
final class BenchSupport {
  private BenchSupport() {}

  /** A fresh embedded PostgreSQL with fsync and synchronous_commit on, under target/. */
  static Database freshEmbedded(String name, int poolSize) {
    try {
      Files.createDirectories(Path.of("target"));
      Path dir = Files.createTempDirectory(Path.of("target"), "bench-" + name + "-");
      return Database.embedded(dir, poolSize);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  interface Operation {
    void run(int thread, long iteration) throws Exception;
  }

  /**
   * Runs {@code op} from {@code threads} threads for {@code seconds}; prints rate and latency. The
   * threads are platform threads, or virtual ones with {@code -Dbench.virtual=true}.
   */
  static void measure(String label, int threads, double seconds, Operation op) throws Exception {
    long[][] latencies = new long[threads][];
    int[] counts = new int[threads];
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] workers = new Thread[threads];
    Throwable[] failure = new Throwable[1];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      latencies[t] = new long[1 << 16];
      Thread.Builder builder = Boolean.getBoolean("bench.virtual") ? Thread.ofVirtual() : Thread.ofPlatform();
      workers[t] = builder.start(() -> {
        try {
          start.await();
          long i = 0;
          while (!stop.get()) {
            long t0 = System.nanoTime();
            op.run(thread, i++);
            long dt = System.nanoTime() - t0;
            if (counts[thread] == latencies[thread].length) {
              latencies[thread] = Arrays.copyOf(latencies[thread], latencies[thread].length * 2);
            }
            latencies[thread][counts[thread]++] = dt;
          }
        } catch (Throwable e) {
          synchronized (failure) {
            failure[0] = e;
          }
        }
      });
    }
    long began = System.nanoTime();
    start.countDown();
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread w : workers) w.join();
    double elapsed = (System.nanoTime() - began) / 1e9;
    if (failure[0] != null) throw new IllegalStateException(label + " failed", failure[0]);
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int k = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(latencies[t], 0, all, k, counts[t]);
      k += counts[t];
    }
    Arrays.sort(all);
    System.out.printf(
        "%-34s threads=%3d  ops=%8d  %9.0f ops/s  p50=%7.2f ms  p99=%7.2f ms%n",
        label, threads, total, total / elapsed, pct(all, 0.50), pct(all, 0.99));
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
  }
}
