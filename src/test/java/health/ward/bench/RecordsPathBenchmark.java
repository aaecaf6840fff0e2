package health.ward.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.audit.AuditTrail;
import health.ward.audit.Touch;
import health.ward.cli.WardApp;
import health.ward.cli.WardConfig;
import health.ward.common.Pseudonym;
import health.ward.keys.KeyEncryptionKey;
import health.ward.keys.PatientKeyring;
import health.ward.ledger.PostgresLedger;
import health.ward.records.RecordsService;
import health.ward.records.RequestContext;
import health.ward.records.SearchRequest;
import health.ward.records.SearchResult;
import health.ward.records.WriteResult;
import health.ward.store.PostgresRecordStore;
import health.ward.store.PostgresWrappedKeyStore;
import health.ward.store.StoredRecord;
import health.ward.vault.RecordVault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the time of one records operation goes. The end-to-end benchmarks ({@code readFull},
 * {@code searchSubject}, {@code createObservation}) run the real {@link RecordsService} of a
 * {@link WardApp} on a fresh embedded PostgreSQL (fsync and synchronous_commit on) holding 1,000
 * loadgen-like patients with 10 Observations each; the component benchmarks run each part of
 * {@code readFull} on its own, on the same database and keys, so that the parts can be added up:
 * policy + {@code store.current} + ledger append (durable, group-committed) + {@code vault.open} +
 * HAPI parse.
 *
 * <p>The components that need internals (store, ledger, vault) are built here from the app's
 * DataSource and key directory exactly as {@link WardApp#open} builds them. The extra
 * {@link PostgresLedger} of {@code ledgerAppend*} shares the app's table; it is only created for
 * those benchmarks, in which the app's own ledger is idle, so the chain stays contiguous.
 *
 * <p>Run (each benchmark forks a JVM and loads its own database, ~8 s):
 * {@code java -cp <test classpath> org.openjdk.jmh.Main RecordsPathBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s}.
 * Throughput is reported in ops/µs like the averages (one time unit per run); read it from
 * {@code -rf json} or run {@code -bm thrpt -tu s}. Results and analysis: docs/benchmarks.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RecordsPathBenchmark {
  static final int PATIENTS = 1_000;
  static final int OBSERVATIONS_PER_PATIENT = 10;
  static final int PATIENTS_PER_BUNDLE = 10;
  static final FhirContext FHIR = FhirContext.forR4Cached();

  /** A loaded Ward: the app, its records service, and the parts below it built from its DataSource. */
  @State(Scope.Benchmark)
  public static class Ward {
    Path dir;
    WardApp app;
    RecordsService records;
    RequestContext ctx;
    PostgresRecordStore store;
    RecordVault vault;
    String[] patientIds;
    /** The stored (sealed) current version of every patient, for {@code vault.open}. */
    StoredRecord[] sealedPatients;
    byte[] kib = new byte[1024];
    /** A read event as RecordsService writes it: one touched resource. */
    byte[] auditEntry;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("ward-jmh-");
      app = WardApp.open(WardConfig.defaults(dir.resolve("data"), dir.resolve("keys")));
      records = app.records();
      ctx = new RequestContext(new Principal("bench-token", "bench", Principal.Kind.API_TOKEN), "10.0.0.7", "jmh");
      store = new PostgresRecordStore(app.dataSource());
      vault = new RecordVault(new PatientKeyring(
          KeyEncryptionKey.load(dir.resolve("keys"), null),
          new PostgresWrappedKeyStore(app.dataSource()),
          app.config().keyCacheSize()));
      new SplittableRandom(3).nextBytes(kib);
      load();
      sealedPatients = new StoredRecord[patientIds.length];
      for (int i = 0; i < patientIds.length; i++) {
        sealedPatients[i] = store.current("Patient", patientIds[i]).orElseThrow();
      }
      // The search benchmark must open real hits: each patient's 10 Observations reference it.
      long hits = records.search(ctx, "Observation",
          new SearchRequest(Map.of("subject", List.of("Patient/" + patientIds[0])), 0, 20, null, false)).total();
      if (hits != OBSERVATIONS_PER_PATIENT) throw new IllegalStateException("subject search found " + hits);
      StoredRecord p = sealedPatients[0];
      auditEntry = new AuditTrail(new BenchServerLedger(), vault).seal(new AccessEvent(Instant.now(), "bench-token", "bench",
          "integration", "token:bench-token", "read", "Patient", "", List.of(new Touch(p.patient(), "Patient", p.id())),
          AccessEvent.Outcome.ALLOWED, "api-token", false, "TREAT", "10.0.0.7", "jmh")).encode();
      System.out.printf("%nloaded %d patients x %d observations; sealed Patient %d B; audit entry %d B%n",
          PATIENTS, OBSERVATIONS_PER_PATIENT, p.ciphertext().length, auditEntry.length);
    }

    /** A ledger that takes nothing: sealing an entry needs one, the benchmark appends elsewhere. */
    private static final class BenchServerLedger implements health.ward.ledger.Ledger {
      @Override
      public long append(byte[] entry) {
        throw new UnsupportedOperationException();
      }

      @Override
      public long size() {
        return 0;
      }

      @Override
      public void close() {}
    }

    private void load() {
      IParser json = FHIR.newJsonParser();
      List<String> ids = new ArrayList<>(PATIENTS);
      for (int b = 0; b < PATIENTS / PATIENTS_PER_BUNDLE; b++) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (int k = 0; k < PATIENTS_PER_BUNDLE; k++) {
          int i = b * PATIENTS_PER_BUNDLE + k;
          String urn = "urn:uuid:00000000-0000-4000-8000-" + String.format(Locale.ROOT, "%012d", i);
          add(bundle, urn, json.parseResource(Samples.patientJson(i)));
          for (int o = 0; o < OBSERVATIONS_PER_PATIENT; o++) {
            add(bundle, null, json.parseResource(Samples.observationJson(i * 100 + o, urn)));
          }
        }
        Bundle response = records.transaction(ctx, bundle);
        for (Bundle.BundleEntryComponent e : response.getEntry()) {
          IdType loc = new IdType(e.getResponse().getLocation());
          if ("Patient".equals(loc.getResourceType())) ids.add(loc.getIdPart());
        }
      }
      if (ids.size() != PATIENTS) throw new IllegalStateException("loaded " + ids.size() + " patients");
      patientIds = ids.toArray(String[]::new);
    }

    private static void add(Bundle bundle, String fullUrl, IBaseResource r) {
      Resource res = (Resource) r;
      bundle.addEntry()
          .setFullUrl(fullUrl == null ? "urn:uuid:" + UUID.randomUUID() : fullUrl)
          .setResource(res)
          .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(res.fhirType());
    }

    String randomPatient() {
      return patientIds[ThreadLocalRandom.current().nextInt(patientIds.length)];
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      app.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** A second ledger writer on the app's table, for appends on their own (the app's ledger is idle). */
  @State(Scope.Benchmark)
  public static class Audit {
    PostgresLedger ledger;

    @Setup(Level.Trial)
    public void open(Ward ward) {
      ledger = new PostgresLedger(ward.app.dataSource(), Clock.systemUTC());
    }

    @TearDown(Level.Trial)
    public void close() {
      ledger.close();
    }
  }

  /** Loadgen-like Patient and Observation, as JSON and as parsed resources; no database. */
  @State(Scope.Benchmark)
  public static class Samples {
    static final String[] FAMILY = {"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis"};
    static final String[] GIVEN = {"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda"};
    static final String[][] CITY = {{"Springfield", "IL", "62701"}, {"Madison", "WI", "53703"}, {"Austin", "TX", "78701"}};

    String patientJson;
    String observationJson;
    Resource patient;
    Resource observation;

    @Setup(Level.Trial)
    public void build() {
      // The stored form: what Codec.encode writes (compact JSON, with meta).
      IParser p = FHIR.newJsonParser();
      patient = (Resource) p.parseResource(patientJson(42));
      patient.setId("Patient/0123456789abcdef0123456789abcdef");
      patient.getMeta().setVersionId("1").setLastUpdated(new Date());
      observation = (Resource) p.parseResource(observationJson(42, "Patient/0123456789abcdef0123456789abcdef"));
      observation.setId("Observation/fedcba9876543210fedcba9876543210");
      observation.getMeta().setVersionId("1").setLastUpdated(new Date());
      patientJson = p.encodeResourceToString(patient);
      observationJson = p.encodeResourceToString(observation);
      System.out.printf("%nPatient JSON %d B; Observation JSON %d B%n",
          patientJson.getBytes(StandardCharsets.UTF_8).length, observationJson.getBytes(StandardCharsets.UTF_8).length);
    }

    /** As {@code /work/shared/tools/loadgen} posts them: identifier, name, telecom, address. */
    static String patientJson(int i) {
      SplittableRandom r = new SplittableRandom(1_000_003L + i);
      boolean male = r.nextBoolean();
      String family = FAMILY[r.nextInt(FAMILY.length)];
      String given = GIVEN[r.nextInt(GIVEN.length)];
      String middle = GIVEN[r.nextInt(GIVEN.length)];
      LocalDate birth = LocalDate.of(1930, 1, 1).plusDays(r.nextInt(365 * 90));
      String[] city = CITY[r.nextInt(CITY.length)];
      String phone = String.format(Locale.ROOT, "+1-555-%03d-%04d", r.nextInt(1000), r.nextInt(10000));
      String email = (given + "." + family + i + "@example.org").toLowerCase(Locale.ROOT);
      return "{\"resourceType\":\"Patient\","
          + "\"identifier\":[{\"use\":\"usual\",\"type\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v2-0203\",\"code\":\"MR\",\"display\":\"Medical record number\"}]},"
          + "\"system\":\"http://loadgen.example.org/fhir/sid/mrn\",\"value\":\"MRN-" + (100_000 + i) + "\"}],"
          + "\"active\":true,"
          + "\"name\":[{\"use\":\"official\",\"family\":\"" + family + "\",\"given\":[\"" + given + "\",\"" + middle + "\"]}],"
          + "\"telecom\":[{\"system\":\"phone\",\"value\":\"" + phone + "\",\"use\":\"home\"},{\"system\":\"email\",\"value\":\"" + email + "\"}],"
          + "\"gender\":\"" + (male ? "male" : "female") + "\","
          + "\"birthDate\":\"" + birth + "\","
          + "\"address\":[{\"use\":\"home\",\"type\":\"physical\",\"line\":[\"" + (1 + r.nextInt(9999)) + " Main St\"],"
          + "\"city\":\"" + city[0] + "\",\"state\":\"" + city[1] + "\",\"postalCode\":\"" + city[2] + "\",\"country\":\"US\"}]}";
    }

    /** A vital-sign Observation as loadgen posts it (LOINC code, valueQuantity, subject). */
    static String observationJson(int i, String subject) {
      SplittableRandom r = new SplittableRandom(7_000_003L + i);
      Instant when = Instant.parse("2024-01-01T00:00:00Z").plusSeconds(r.nextInt(365 * 24 * 3600));
      return "{\"resourceType\":\"Observation\",\"status\":\"final\","
          + "\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"vital-signs\",\"display\":\"Vital Signs\"}]}],"
          + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\",\"display\":\"Heart rate\"}],\"text\":\"Heart rate\"},"
          + "\"subject\":{\"reference\":\"" + subject + "\"},"
          + "\"effectiveDateTime\":\"" + when + "\","
          + "\"valueQuantity\":{\"value\":" + (50 + r.nextInt(60)) + ",\"unit\":\"beats/minute\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";
    }
  }

  // ---- end to end ------------------------------------------------------------------------------

  /** The whole read: policy, store.current, durable ledger append, vault.open, HAPI parse. */
  @Benchmark
  @Threads(16)
  @BenchmarkMode({Mode.AverageTime, Mode.Throughput})
  public Resource readFull(Ward w) {
    return w.records.read(w.ctx, "Patient", w.randomPatient());
  }

  /** The same with one caller: the latency of a read when the ledger batch holds one entry. */
  @Benchmark
  @Threads(1)
  public Resource readFull1(Ward w) {
    return w.records.read(w.ctx, "Patient", w.randomPatient());
  }

  /** Observation?subject=Patient/x, page 20 (all 10 fit): search, count skipped, 10 opens + parses. */
  @Benchmark
  @Threads(16)
  @BenchmarkMode({Mode.AverageTime, Mode.Throughput})
  public SearchResult searchSubject(Ward w) {
    return w.records.search(w.ctx, "Observation",
        new SearchRequest(Map.of("subject", List.of("Patient/" + w.randomPatient())), 0, 20, null, false));
  }

  /** POST Observation as loadgen does it: parse, index tokens, seal, ledger append, store write. */
  @Benchmark
  @Threads(16)
  @BenchmarkMode({Mode.AverageTime, Mode.Throughput})
  public WriteResult createObservation(Ward w) {
    int i = ThreadLocalRandom.current().nextInt(1 << 20);
    Observation o = (Observation) FHIR.newJsonParser().parseResource(
        Samples.observationJson(i, "Patient/" + w.randomPatient()));
    return w.records.create(w.ctx, o, null);
  }

  // ---- components of readFull ------------------------------------------------------------------

  @Benchmark
  @Threads(16)
  public StoredRecord storeCurrent(Ward w) {
    return w.store.current("Patient", w.randomPatient()).orElseThrow();
  }

  @Benchmark
  @Threads(1)
  public StoredRecord storeCurrent1(Ward w) {
    return w.store.current("Patient", w.randomPatient()).orElseThrow();
  }

  /** A read's audit entry with 16 appenders: the group commit shares one fsync among a batch. */
  @Benchmark
  @Threads(16)
  @BenchmarkMode({Mode.AverageTime, Mode.Throughput})
  public long ledgerAppend16(Ward w, Audit a) {
    return a.ledger.append(w.auditEntry);
  }

  /** The same with one appender: one commit (one WAL fsync) per entry. */
  @Benchmark
  @Threads(1)
  public long ledgerAppend1(Ward w, Audit a) {
    return a.ledger.append(w.auditEntry);
  }

  /** Opens a stored Patient (~1 KiB sealed) with a warm key cache. */
  @Benchmark
  public byte[] vaultOpen(Ward w) {
    return w.vault.open(w.sealedPatients[ThreadLocalRandom.current().nextInt(w.sealedPatients.length)]);
  }

  @Benchmark
  public byte[] vaultSeal1KiB(Ward w) {
    StoredRecord p = w.sealedPatients[ThreadLocalRandom.current().nextInt(w.sealedPatients.length)];
    return w.vault.seal(p.patient(), "Observation", "bench", 2, w.kib);
  }

  @Benchmark
  public byte[] vaultToken(Ward w) {
    return w.vault.token("Observation", "subject", "Patient/" + w.randomPatient());
  }

  /** The pseudonyms RecordsService computes per read (actor, address, touched resource). */
  @Benchmark
  public Pseudonym vaultPseudonym(Ward w) {
    return w.vault.pseudonym("resource", "Patient/" + w.randomPatient());
  }

  @Benchmark
  public IBaseResource parsePatient(Samples s) {
    return FHIR.newJsonParser().parseResource(s.patientJson);
  }

  @Benchmark
  public String encodePatient(Samples s) {
    return FHIR.newJsonParser().encodeResourceToString(s.patient);
  }

  @Benchmark
  public IBaseResource parseObservation(Samples s) {
    return FHIR.newJsonParser().parseResource(s.observationJson);
  }

  @Benchmark
  public String encodeObservation(Samples s) {
    return FHIR.newJsonParser().encodeResourceToString(s.observation);
  }
}
