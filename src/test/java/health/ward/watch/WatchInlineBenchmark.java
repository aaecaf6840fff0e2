package health.ward.watch;

import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.audit.AccessEvent;
import health.ward.audit.Touch;
import health.ward.bench.VaultBenchmark;
import health.ward.common.Pseudonym;
import health.ward.keys.KeyEncryptionKey;
import health.ward.keys.PatientKeyring;
import health.ward.vault.RecordVault;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the watch adds, before the response, to one read by an integration token: the canary check
 * (one keyed token of the patient) and every inline detector under the actor's monitor, with the
 * actor's learned baseline in place (a token in its steady state). One thread, and sixteen threads
 * sharing the one token as the HTTP benchmark's readers do. Run: {@code ./ward bench jmh
 * WatchInlineBenchmark}. Compare with the CPU a read costs the server (docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class WatchInlineBenchmark {
  static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");
  RecordVault vault;
  Set<ByteBuffer> canaries;
  List<InlineDetector> inline;
  ActorState state;
  Principal feed = new Principal("7", "bench", Principal.Kind.API_TOKEN, Role.INTEGRATION);
  Pseudonym[] patients = new Pseudonym[2000];
  final AtomicLong clock = new AtomicLong();

  @Setup
  public void setUp() throws Exception {
    Path keys = Files.createTempDirectory("ward-bench").resolve("keys");
    vault = new RecordVault(new PatientKeyring(KeyEncryptionKey.load(keys, null), new VaultBenchmark.MemoryStore(), 10_000));
    for (int i = 0; i < patients.length; i++) patients[i] = vault.patientPseudonym("p" + i);
    canaries = Set.of(ByteBuffer.wrap(vault.token("WatchFlag", "canary", "not-a-patient")));
    Baselines b = new Baselines();
    inline = List.of(new NewAddress(), new RequestVelocity(b), new BulkAccess(b), new SearchEnumeration(b),
        new RefusedAccess(), new OffHours(ZoneOffset.UTC));
    state = new ActorState(feed.id(), "integration", true);
    for (int d = 0; d < 3; d++) state.noteHour(T0.minusSeconds(86_400L * (d + 1)), ZoneOffset.UTC);
    java.util.Arrays.fill(state.openPeak, 100_000);
    java.util.Arrays.fill(state.listPeak, 100_000);
    java.util.Arrays.fill(state.ratePeak, 100_000);
  }

  /** One read by the token, 0.5 ms after the previous one (2,000 reads a second). */
  AccessEvent read() {
    Pseudonym p = patients[ThreadLocalRandom.current().nextInt(patients.length)];
    Instant at = T0.plusNanos(500_000 * clock.incrementAndGet());
    return new AccessEvent(at, feed.id(), feed.name(), "integration", "token:7", "read", "Patient", "",
        List.of(new Touch(p, "Patient", "x")), AccessEvent.Outcome.ALLOWED, "api-token", false, "TREAT", "127.0.0.1", "LoadGen");
  }

  int inspect(AccessEvent e) {
    List<Finding> out = new ArrayList<>(2);
    for (Pseudonym p : Events.patients(e)) {
      if (canaries.contains(ByteBuffer.wrap(vault.token("WatchFlag", "canary", p.hex())))) out.add(null);
    }
    synchronized (state) {
      for (InlineDetector d : inline) d.inspect(feed, e, state, out);
    }
    return out.size();
  }

  @Benchmark
  public int oneReader() {
    return inspect(read());
  }

  @Benchmark
  @Threads(16)
  public int sixteenReadersOneToken() {
    return inspect(read());
  }

  @Benchmark
  public AccessEvent eventOnly() {
    return read();
  }
}
