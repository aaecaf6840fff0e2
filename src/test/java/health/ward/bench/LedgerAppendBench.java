package health.ward.bench;

import health.ward.ledger.LedgerVerifier;
import health.ward.ledger.PostgresLedger;
import health.ward.store.Database;
import java.time.Clock;
import java.util.Random;

/**
 * Group-commit throughput of {@link PostgresLedger}: N threads append 200-byte entries for T seconds
 * to a fresh embedded PostgreSQL with fsync on. Arguments: [threads=64] [seconds=10].
 * Not a unit test; run with the test classpath.
 */
public final class LedgerAppendBench {
  private LedgerAppendBench() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
    byte[] entry = new byte[200];
    new Random(1).nextBytes(entry);
    try (Database db = BenchSupport.freshEmbedded("ledger", 4);
        PostgresLedger ledger = new PostgresLedger(db.dataSource(), Clock.systemUTC())) {
      BenchSupport.measure("ledger warm-up", threads, Math.min(2, seconds), (t, i) -> ledger.append(entry));
      for (int n : new int[] {1, 8, threads}) {
        BenchSupport.measure("ledger append (200 B, fsync on)", n, seconds, (t, i) -> ledger.append(entry));
      }
      long started = System.nanoTime();
      var result = new LedgerVerifier(db.dataSource()).verify(n -> { throw new IllegalStateException(); },
          java.util.List.of(), LedgerVerifier.Progress.NONE);
      System.out.printf("verify %d entries: %s in %.2f s%n", ledger.size(), result.intact() ? "intact" : result,
          (System.nanoTime() - started) / 1e9);
    }
  }
}
