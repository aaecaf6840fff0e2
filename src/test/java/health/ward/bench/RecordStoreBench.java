package health.ward.bench;

import health.ward.common.Pseudonym;
import health.ward.store.Database;
import health.ward.store.PostgresRecordStore;
import health.ward.store.Query;
import health.ward.store.VersionWrite;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Throughput of {@link PostgresRecordStore} on a fresh embedded PostgreSQL (fsync on): point reads
 * of the current version, one-token subject searches (limit 20 plus count), and single-resource
 * creates. Arguments: [threads=8] [seconds=5] [patients=1000] [observationsPerPatient=20].
 * Not a unit test; run with the test classpath.
 */
public final class RecordStoreBench {
  private RecordStoreBench() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    int patients = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int perPatient = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    Random random = new Random(7);
    byte[] body = new byte[800];
    random.nextBytes(body);
    try (Database db = BenchSupport.freshEmbedded("store", threads + 2)) {
      PostgresRecordStore store = new PostgresRecordStore(db.dataSource());
      long loadStart = System.nanoTime();
      for (int p = 0; p < patients; p++) {
        List<VersionWrite> batch = new ArrayList<>();
        for (int o = 0; o < perPatient; o++) {
          batch.add(observation("o-" + p + "-" + o, p, random.nextInt(50), body));
        }
        store.write(batch);
      }
      int total = patients * perPatient;
      System.out.printf("loaded %d observations in batches of %d: %.0f resources/s%n", total, perPatient,
          total / ((System.nanoTime() - loadStart) / 1e9));
      try (var c = db.dataSource().getConnection(); var s = c.createStatement()) {
        s.execute("vacuum analyze");
      }

      BenchSupport.measure("read current(type, id)", threads, seconds, (t, i) -> {
        var r = ThreadLocalRandom.current();
        store.current("Observation", "o-" + r.nextInt(patients) + "-" + r.nextInt(perPatient)).orElseThrow();
      });
      BenchSupport.measure("search subject, limit 20 + count", threads, seconds, (t, i) -> {
        Query q = new Query(List.of(List.of(subject(ThreadLocalRandom.current().nextInt(patients)))), 0, 20, true);
        if (store.search("Observation", q).isEmpty()) throw new IllegalStateException("no results");
        store.count("Observation", q);
      });
      BenchSupport.measure("search subject AND code, limit 20", threads, seconds, (t, i) -> {
        var r = ThreadLocalRandom.current();
        Query q = new Query(List.of(List.of(subject(r.nextInt(patients))), List.of(code(r.nextInt(50)))), 0, 20, true);
        store.search("Observation", q);
      });
      BenchSupport.measure("write one new resource", threads, seconds, (t, i) -> {
        int p = ThreadLocalRandom.current().nextInt(patients);
        store.write(List.of(observation("w-" + t + "-" + i, p, (int) (i % 50), body)));
      });
    }
  }

  static VersionWrite observation(String id, int patient, int code, byte[] body) {
    List<byte[]> tokens = List.of(subject(patient), code(code), token("date", patient * 31 + code),
        token("status", 0), token("category", code % 5));
    return new VersionWrite("Observation", id, 1, pseudonym(patient), false, body, tokens);
  }

  static byte[] subject(int patient) {
    return token("subject", patient);
  }

  static byte[] code(int code) {
    return token("code", code);
  }

  // Blind-index tokens are 32-byte MACs in the vault; here a fixed-width stand-in.
  static byte[] token(String param, int value) {
    return ByteBuffer.allocate(32).putInt(param.hashCode()).putInt(value).array();
  }

  static Pseudonym pseudonym(int patient) {
    return Pseudonym.of(ByteBuffer.allocate(16).putInt(patient).array());
  }
}
