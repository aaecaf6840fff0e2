package health.ward.audit;

import health.ward.ledger.LedgerReader;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Reading the audit log back: the ledger's entries decoded into {@link AuditEntry}s, filtered by
 * their own time and by any condition on their (pseudonymous) fields, in index order. Filtering
 * needs no key; opening an entry's sealed details ({@link AuditTrail#open}) does.
 */
public final class AuditLog {
  /**
   * How much later than its own time an entry may have been committed: the ledger's append timeout
   * and clock skew between event and commit, with room to spare.
   */
  static final Duration COMMIT_SLACK = Duration.ofMinutes(1);

  private final LedgerReader reader;

  public AuditLog(LedgerReader reader) {
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  /** An entry, its ledger index and its stored bytes (the tree's leaf input). */
  public record Indexed(long index, AuditEntry entry, byte[] stored) {
    public Indexed {
      stored = stored.clone();
    }

    @Override
    public byte[] stored() {
      return stored.clone();
    }
  }

  /** What a scan saw. */
  public record ScanSummary(long scanned, long matched, long undecodable) {}

  /** Receives matching entries; return false to stop the scan. */
  @FunctionalInterface
  public interface Sink {
    boolean accept(Indexed entry);
  }

  /**
   * Streams every entry whose own time is in {@code [from, to]} ({@code null}: unbounded) and that
   * {@code match} accepts. Entries that do not decode as access entries are counted, not returned.
   */
  public ScanSummary scan(Instant from, Instant to, Predicate<AuditEntry> match, Sink each) {
    long[] counts = new long[3];
    boolean[] stopped = new boolean[1];
    java.util.function.Consumer<LedgerReader.IndexedEntry> visit =
        e -> {
          if (stopped[0]) return;
          counts[0]++;
          AuditEntry entry;
          try {
            entry = AuditEntry.decode(e.entry());
          } catch (IllegalArgumentException bad) {
            counts[2]++;
            return;
          }
          if (from != null && entry.at().isBefore(from)) return;
          if (to != null && entry.at().isAfter(to)) return;
          if (!match.test(entry)) return;
          counts[1]++;
          if (!each.accept(new Indexed(e.index(), entry, e.entry()))) stopped[0] = true;
        };
    if (from == null && to == null) {
      reader.scan(0, Long.MAX_VALUE, visit);
    } else {
      reader.scanCommitted(
          from == null ? Instant.EPOCH : from,
          to == null ? Instant.parse("9999-12-31T23:59:59Z") : to.plus(COMMIT_SLACK),
          visit);
    }
    return new ScanSummary(counts[0], counts[1], counts[2]);
  }
}
