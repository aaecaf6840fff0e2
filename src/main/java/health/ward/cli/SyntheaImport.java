package health.ward.cli;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import health.ward.common.WardException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;

/**
 * Imports Synthea R4 bundles ({@code .json} or {@code .json.gz}) through the records service, one
 * FHIR transaction or batch per file.
 *
 * <p><b>Order.</b> {@code hospitalInformation*} then {@code practitionerInformation*} bundles go
 * first, one at a time, because patient bundles reference their resources conditionally ({@code
 * Practitioner?identifier=…}); patient bundles follow in a pipeline: {@code workers} threads parse
 * the next bundles while {@code workers} threads store earlier ones. Each file is read once.
 *
 * <p><b>Idempotence.</b> A patient bundle whose patient is already stored (found by the patient's
 * first identifier, see {@link #patientQuery}) is skipped whole: a transaction is all or nothing, so
 * a stored patient means the whole bundle was stored. Reference data (hospitals, practitioners)
 * uses conditional creates ({@code ifNoneExist}) and is sent again as it is. Resources keep the
 * server-assigned ids of an ordinary {@code POST}: Synthea's UUIDs are also identifier values, and
 * identifiers never appear in the clear in Ward's storage.
 *
 * <p><b>Failures.</b> A file that cannot be read or parsed, or whose transaction is refused for its
 * content, is reported with its path (and the entry, where the records service names it) and
 * skipped whole; the others continue. A failure of Ward itself (ledger, keys, store, integrity)
 * stops the import and is rethrown: retrying the next file would fail the same way.
 */
final class SyntheaImport {

  /** Where a parsed bundle goes: the records service's transaction, for the import principal. */
  @FunctionalInterface
  interface TransactionTarget {
    Bundle transaction(Bundle bundle);
  }

  /** Whether a resource matching a search is already stored (through the records service). */
  @FunctionalInterface
  interface StoredCheck {
    boolean contains(String type, Map<String, List<String>> query);
  }

  /** One file that was skipped, and why (no PHI: paths, entry indexes and Ward's messages). */
  record Failure(Path file, String reason) {
    Failure {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The outcome of one import run. */
  record Summary(
      int bundlesOk, int bundlesSkipped, int bundlesFailed, long resources, long elapsedNanos, List<Failure> failures) {
    Summary {
      failures = List.copyOf(failures);
    }

    double resourcesPerSecond() {
      return elapsedNanos <= 0 ? 0 : resources * 1e9 / elapsedNanos;
    }
  }

  private final TransactionTarget target;
  private final StoredCheck stored;
  private final int workers;
  private final ImportProgress progress;

  SyntheaImport(TransactionTarget target, StoredCheck stored, int workers, ImportProgress progress) {
    this.target = Objects.requireNonNull(target, "target");
    this.stored = Objects.requireNonNull(stored, "stored");
    if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, was " + workers);
    this.workers = workers;
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Expands directories (recursively) to their {@code .json} and {@code .json.gz} files and orders
   * everything: hospital information, then practitioner information, then the rest, each by name.
   * Files named explicitly are taken whatever their extension.
   *
   * @throws WardException.InvalidRequest if a path does not exist or nothing is left to import
   */
  static List<Path> expand(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile).filter(SyntheaImport::isBundleFile).forEach(files::add);
        } catch (IOException e) {
          throw new WardException.InvalidRequest("cannot list " + p + ": " + e.getMessage());
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new WardException.InvalidRequest("no such file or directory: " + p);
      }
    }
    if (files.isEmpty()) {
      throw new WardException.InvalidRequest("no .json or .json.gz bundles found in " + paths);
    }
    List<Path> ordered = new ArrayList<>(files.stream().distinct().toList());
    ordered.sort(importOrder());
    return List.copyOf(ordered);
  }

  /** Reference data (hospitals, then practitioners) before patients; then by file name. */
  static Comparator<Path> importOrder() {
    return Comparator.comparingInt(SyntheaImport::rank)
        .thenComparing(p -> p.getFileName().toString())
        .thenComparing(Path::toString);
  }

  static boolean isReferenceData(Path p) {
    return rank(p) < 2;
  }

  private static int rank(Path p) {
    String name = p.getFileName().toString();
    if (name.startsWith("hospitalInformation")) return 0;
    if (name.startsWith("practitionerInformation")) return 1;
    return 2;
  }

  private static boolean isBundleFile(Path p) {
    String name = p.getFileName().toString();
    return name.endsWith(".json") || name.endsWith(".json.gz");
  }

  /**
   * The search that finds the patient of a patient bundle: its first Patient entry's first
   * identifier with both system and value, as {@code identifier=system|value}; empty for bundles
   * without one (reference data), which are always sent.
   */
  static Optional<Map<String, List<String>>> patientQuery(Bundle bundle) {
    for (BundleEntryComponent entry : bundle.getEntry()) {
      if (entry.getResource() instanceof Patient patient) {
        for (Identifier id : patient.getIdentifier()) {
          if (id.hasSystem() && id.hasValue()) {
            return Optional.of(Map.of("identifier", List.of(id.getSystem() + "|" + id.getValue())));
          }
        }
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Parses one file (gzip when its name ends in {@code .gz}) into a transaction or batch bundle. */
  static Bundle parse(Path file) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      // Strict: a bundle with unknown elements or invalid values is refused whole, never half-read;
      // and unlike the default handler it does not log the offending value.
      IParser parser = FhirContext.forR4Cached().newJsonParser().setParserErrorHandler(new StrictErrorHandler());
      Bundle bundle = parser.parseResource(Bundle.class, reader);
      Bundle.BundleType type = bundle.getType();
      if (type != Bundle.BundleType.TRANSACTION && type != Bundle.BundleType.BATCH) {
        throw new DataFormatException(
            "bundle type is " + (type == null ? "missing" : type.toCode()) + ", not transaction or batch");
      }
      return bundle;
    }
  }

  /**
   * Imports the files (already {@link #expand expanded} and ordered).
   *
   * @throws WardException when Ward itself fails (see the class comment); bundle-level failures are
   *     in the summary instead
   */
  Summary run(List<Path> files) {
    List<Path> reference = files.stream().filter(SyntheaImport::isReferenceData).toList();
    List<Path> patients = files.stream().filter(p -> !isReferenceData(p)).toList();
    long totalBytes = 0;
    for (Path f : files) totalBytes += sizeOf(f);
    progress.start(files.size(), totalBytes);
    Tally tally = new Tally();
    for (Path file : reference) {
      importOne(file, parseOrFail(file, tally), tally);
    }
    pipeline(patients, tally);
    Summary summary = tally.summary(progress.elapsedNanos());
    progress.finish(summary);
    return summary;
  }

  private void pipeline(List<Path> files, Tally tally) {
    if (files.isEmpty()) return;
    // At most workers + 1 bundles in memory (parsing, waiting or storing): a 10-year Synthea bundle
    // is tens of MB once parsed, and the launcher's default heap is small.
    int permits = workers + 1;
    Semaphore inFlight = new Semaphore(permits);
    // The first failure of Ward itself (or of the JVM, e.g. out of memory) stops the import.
    AtomicReference<Throwable> fatal = new AtomicReference<>();
    // Parsing costs about as much CPU as storing: as many parser threads as storers.
    ExecutorService parser = Executors.newFixedThreadPool(workers, Thread.ofPlatform().name("ward-import-parse-", 0).daemon().factory());
    ExecutorService storers = Executors.newFixedThreadPool(workers, Thread.ofPlatform().name("ward-import-store-", 0).daemon().factory());
    try {
      for (Path file : files) {
        inFlight.acquireUninterruptibly();
        if (fatal.get() != null) {
          inFlight.release();
          break;
        }
        parser.execute(
            () -> {
              boolean handedOver = false;
              try {
                Bundle bundle = parseOrFail(file, tally);
                if (bundle != null && fatal.get() == null) {
                  storers.execute(
                      () -> {
                        try {
                          if (fatal.get() == null) importOne(file, bundle, tally);
                        } catch (WardException | Error e) {
                          fatal.compareAndSet(null, e);
                        } finally {
                          inFlight.release();
                        }
                      });
                  handedOver = true;
                }
              } catch (Error e) {
                fatal.compareAndSet(null, e);
              } finally {
                if (!handedOver) inFlight.release();
              }
            });
      }
      inFlight.acquireUninterruptibly(permits);
    } finally {
      parser.shutdownNow();
      storers.shutdownNow();
      awaitQuietly(parser);
      awaitQuietly(storers);
    }
    switch (fatal.get()) {
      case null -> {}
      case WardException e -> throw e;
      case Error e -> throw e;
      default -> throw new IllegalStateException(fatal.get());
    }
  }

  private Bundle parseOrFail(Path file, Tally tally) {
    try {
      return parse(file);
    } catch (NoSuchFileException e) {
      fail(file, "file disappeared", tally);
    } catch (IOException e) {
      fail(file, "cannot read: " + e.getMessage(), tally);
    } catch (DataFormatException e) {
      fail(file, "not a FHIR bundle: " + e.getMessage(), tally);
    } catch (RuntimeException e) {
      fail(file, "cannot parse: " + e, tally);
    }
    return null;
  }

  /** Stores one parsed bundle; a null bundle was already reported as failed. */
  private void importOne(Path file, Bundle bundle, Tally tally) {
    if (bundle == null) return;
    int resources = bundle.getEntry().size();
    long bytes = sizeOf(file);
    try {
      Optional<Map<String, List<String>>> patient = patientQuery(bundle);
      if (patient.isPresent() && stored.contains("Patient", patient.get())) {
        tally.skipped();
        progress.bundleDone(0, bytes);
        return;
      }
      target.transaction(bundle);
    } catch (WardException e) {
      if (!bundleAtFault(e)) throw e;
      fail(file, e.getMessage() + " [" + e.code() + "]", tally);
      return;
    } catch (RuntimeException e) {
      // Not one of Ward's refusals: report it against this file rather than lose it in a thread.
      fail(file, "unexpected error: " + e, tally);
      return;
    }
    tally.ok(resources);
    progress.bundleDone(resources, bytes);
  }

  /** True when the refusal is about this bundle's content, so the next file may well succeed. */
  static boolean bundleAtFault(WardException e) {
    return switch (e.code()) {
      case NOT_FOUND, GONE, INVALID_RESOURCE, INVALID_REQUEST, VERSION_CONFLICT, TOO_LARGE, FORBIDDEN -> true;
      case UNAUTHENTICATED, RATE_LIMITED, INTEGRITY_FAILURE, LEDGER_UNAVAILABLE, KEY_UNAVAILABLE, STORE_UNAVAILABLE -> false;
    };
  }

  private void fail(Path file, String reason, Tally tally) {
    Failure f = new Failure(file, reason);
    tally.failed(f);
    progress.bundleFailed(f, sizeOf(file));
  }

  private static long sizeOf(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return 0;
    }
  }

  private static void awaitQuietly(ExecutorService pool) {
    try {
      pool.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Counts shared by the pipeline threads. */
  private static final class Tally {
    private int ok;
    private int skipped;
    private long resources;
    private final List<Failure> failures = new ArrayList<>();

    synchronized void ok(int n) {
      ok++;
      resources += n;
    }

    synchronized void skipped() {
      skipped++;
    }

    synchronized void failed(Failure f) {
      failures.add(f);
    }

    synchronized Summary summary(long elapsedNanos) {
      List<Failure> sorted = new ArrayList<>(failures);
      sorted.sort(Comparator.comparing(f -> f.file().toString()));
      return new Summary(ok, skipped, failures.size(), resources, elapsedNanos, Collections.unmodifiableList(sorted));
    }
  }
}
