package health.ward.bench;

import health.ward.common.Pseudonym;
import health.ward.keys.KeyEncryptionKey;
import health.ward.keys.PatientKeyring;
import health.ward.store.StoredRecord;
import health.ward.store.WrappedKeyStore;
import health.ward.vault.RecordVault;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hot-path cost of the vault with warm key caches: seal/open of a 1 KiB record, a blind-index token,
 * a pseudonym. The wrapped keys live in memory so only the crypto and the cache are measured. Run:
 * {@code java -cp <test classpath> org.openjdk.jmh.Main VaultBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class VaultBenchmark {
  RecordVault vault;
  Pseudonym[] patients = new Pseudonym[1000];
  StoredRecord[] sealed = new StoredRecord[1000];
  byte[] body = new byte[1024];

  @Setup
  public void setUp() throws Exception {
    Path keys = Files.createTempDirectory("ward-bench").resolve("keys");
    vault = new RecordVault(new PatientKeyring(KeyEncryptionKey.load(keys, null), new MemoryStore(), 10_000));
    for (int i = 0; i < patients.length; i++) {
      patients[i] = vault.patientPseudonym("p" + i);
      sealed[i] = new StoredRecord("Observation", "o" + i, 1, patients[i], false,
          vault.seal(patients[i], "Observation", "o" + i, 1, body));
    }
  }

  @Benchmark
  public byte[] seal1KiB() {
    int i = ThreadLocalRandom.current().nextInt(patients.length);
    return vault.seal(patients[i], "Observation", "o" + i, 2, body);
  }

  @Benchmark
  public byte[] open1KiB() {
    return vault.open(sealed[ThreadLocalRandom.current().nextInt(sealed.length)]);
  }

  @Benchmark
  public byte[] token() {
    return vault.token("Patient", "family", "smith");
  }

  @Benchmark
  public Pseudonym pseudonym() {
    return vault.patientPseudonym("patient-12345");
  }

  /** Bench-only store: no durability, no contract beyond what the keyring needs. */
  public static final class MemoryStore implements WrappedKeyStore {
    final ConcurrentHashMap<ByteBuffer, byte[]> rows = new ConcurrentHashMap<>();

    static ByteBuffer key(String kind, byte[] name) {
      return ByteBuffer.wrap(health.ward.common.Canonical.builder().text(kind).bytes(name).encode());
    }

    @Override public Optional<byte[]> find(String kind, byte[] name) {
      return Optional.ofNullable(rows.get(key(kind, name)));
    }

    @Override public byte[] putIfAbsent(String kind, byte[] name, byte[] wrapped) {
      byte[] prev = rows.putIfAbsent(key(kind, name), wrapped);
      return prev == null ? wrapped : prev;
    }

    @Override public long rewrapAll(int batchSize, Rewrap rewrap, Consumer<Long> progress) {
      throw new UnsupportedOperationException();
    }

    @Override public void forEach(int batchSize, Consumer<Entry> action) {
      throw new UnsupportedOperationException();
    }

    @Override public boolean delete(String kind, byte[] name) {
      return rows.remove(key(kind, name)) != null;
    }

    @Override public long count(String kind) {
      throw new UnsupportedOperationException();
    }
  }
}
