package health.ward.ledger;

import health.ward.common.WardException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.sql.DataSource;

/**
 * The {@link Ledger} in PostgreSQL table {@code ledger_batch} (layout in {@code V6__merkle_ledger.sql} and
 * {@link LedgerBatch}), with group commit. Callers of {@link #append} enqueue their entry and block;
 * one writer thread takes everything queued (at most {@value #MAX_BATCH} entries), gives the entries
 * contiguous indexes, appends their leaves to the Merkle tree ({@link CompactRange}), inserts the
 * batch with every subtree hash it completed as one row, commits, and only then releases the callers
 * with their indexes. Durability is PostgreSQL's: the database must run with {@code
 * synchronous_commit = on} and {@code fsync = on}.
 *
 * <p>Fail closed: if a batch cannot be committed, every caller in it gets {@link
 * WardException.LedgerUnavailable}; the writer then re-reads the last stored row before the next
 * batch, so indexes stay contiguous even when a failed commit did in fact reach the disk. An append
 * that is not durable within the append timeout also fails with {@code LedgerUnavailable}; its entry
 * may still be written later, which records an access that was refused, never the reverse.
 *
 * <p>{@code recorded_at} is stamped from the injected clock once per batch; it is not covered by the
 * hashes, so a provable time must be inside the entry.
 */
public final class PostgresLedger implements Ledger {
  /** The most entries one transaction takes. */
  static final int MAX_BATCH = 4_096;
  static final Duration DEFAULT_APPEND_TIMEOUT = Duration.ofSeconds(10);
  private static final int QUEUE_CAPACITY = 65_536;
  private static final long IDLE_POLL_MS = 50;

  private static final String INSERT =
      "insert into ledger_batch (first_idx, entry_count, entries, hashes, recorded_at) values (?, ?, ?, ?, ?)";

  private final DataSource dataSource;
  private final LedgerReader reader;
  private final Clock clock;
  private final long appendTimeoutNanos;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  // Appenders share the read side; close() takes the write side so nothing is queued after it.
  private final ReadWriteLock gate = new ReentrantReadWriteLock();
  private final Thread writer;
  private boolean closed;
  private volatile TreeHead durable;
  // The tree as of the last commit; only the writer thread touches it after construction.
  private CompactRange range;
  private final Merkle.Hasher hasher = new Merkle.Hasher();
  private boolean resync;
  // The tree the last failed commit would have made: after a failure, the table may hold it.
  private CompactRange attempted;

  /**
   * Opens the ledger stored in {@code dataSource} and starts its writer thread; {@code clock} stamps
   * {@code recorded_at}. Throws {@link WardException.LedgerUnavailable} if the ledger cannot be read.
   */
  public PostgresLedger(DataSource dataSource, Clock clock) {
    this(dataSource, clock, DEFAULT_APPEND_TIMEOUT);
  }

  /** As {@link #PostgresLedger(DataSource, Clock)}, with the longest time an append may block. */
  public PostgresLedger(DataSource dataSource, Clock clock, Duration appendTimeout) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (appendTimeout.isNegative() || appendTimeout.isZero()) {
      throw new IllegalArgumentException("append timeout must be positive, was " + appendTimeout);
    }
    this.appendTimeoutNanos = appendTimeout.toNanos();
    this.reader = new LedgerReader(dataSource);
    this.range = loadRange();
    this.durable = new TreeHead(range.size(), range.root());
    this.writer = Thread.ofPlatform().name("ward-ledger-writer").daemon(true).unstarted(this::drain);
    writer.start();
  }

  @Override
  public long append(byte[] entry) {
    return appendAsync(entry).await();
  }

  /**
   * Queues an entry for the next group commit and returns at once; {@link Durable#await} blocks
   * until it is durable (or fails with LedgerUnavailable after the append timeout). Lets a caller
   * prepare its answer while the commit is under way; it must not answer before {@code await}.
   */
  @Override
  public Durable appendAsync(byte[] entry) {
    Objects.requireNonNull(entry, "entry");
    Pending p = new Pending(entry.clone(), new CompletableFuture<>());
    gate.readLock().lock();
    try {
      if (closed) throw new WardException.LedgerUnavailable("the ledger is closed", null);
      if (!queue.offer(p)) {
        throw new WardException.LedgerUnavailable("the ledger queue is full", null);
      }
    } finally {
      gate.readLock().unlock();
    }
    long deadline = System.nanoTime() + appendTimeoutNanos;
    return () -> {
      try {
        return p.index().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof WardException.LedgerUnavailable u) throw u;
        throw new WardException.LedgerUnavailable("the ledger writer failed", e.getCause());
      } catch (TimeoutException e) {
        throw new WardException.LedgerUnavailable(
            "the entry was not durable within " + Duration.ofNanos(appendTimeoutNanos), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WardException.LedgerUnavailable("interrupted while waiting for the ledger", e);
      }
    };
  }

  /** Number of entries known to be durable (as of the last committed batch). */
  @Override
  public long size() {
    return durable.size();
  }

  /** The size and root hash after the last committed batch. */
  public TreeHead head() {
    return durable;
  }

  /** Reads what this ledger stored. */
  public LedgerReader reader() {
    return reader;
  }

  /** The stored entry at {@code index}, if there is one. */
  public Optional<byte[]> entry(long index) {
    return reader.entry(index);
  }

  /** Stops taking entries, commits what is queued, and stops the writer. Idempotent. */
  @Override
  public void close() {
    gate.writeLock().lock();
    try {
      if (closed) return;
      closed = true;
    } finally {
      gate.writeLock().unlock();
    }
    try {
      writer.join(TimeUnit.NANOSECONDS.toMillis(appendTimeoutNanos) + 1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      Pending first;
      try {
        first = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        first = null;
      }
      if (first == null) {
        if (isClosed() && queue.isEmpty()) return;
        continue;
      }
      batch.clear();
      batch.add(first);
      queue.drainTo(batch, MAX_BATCH - 1);
      commit(batch);
    }
  }

  private boolean isClosed() {
    gate.readLock().lock();
    try {
      return closed;
    } finally {
      gate.readLock().unlock();
    }
  }

  private void commit(List<Pending> batch) {
    int n = batch.size();
    try {
      if (resync) {
        range = resynced();
        resync = false;
      }
      long first = range.size();
      CompactRange next = range.copy();
      List<byte[]> entries = new ArrayList<>(n);
      for (Pending p : batch) entries.add(p.entry());
      byte[] hashes = LedgerBatch.append(next, entries, hasher);
      // One statement in autocommit is one transaction: a single round trip, committed (and, with
      // synchronous_commit on, flushed) before executeUpdate returns.
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
          ps.setLong(1, first);
          ps.setInt(2, n);
          ps.setBytes(3, LedgerBatch.encodeEntries(entries));
          ps.setBytes(4, hashes);
          ps.setObject(5, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
          attempted = next;
          ps.executeUpdate();
        }
      }
      attempted = null;
      range = next;
      durable = new TreeHead(next.size(), next.root());
      for (int i = 0; i < n; i++) batch.get(i).index().complete(first + i);
    } catch (SQLException | RuntimeException e) {
      // The commit may or may not have reached the disk: trust only what the table says next time.
      resync = true;
      String state = e instanceof SQLException s ? " (SQLState " + s.getSQLState() + ")" : "";
      var failure =
          new WardException.LedgerUnavailable(
              "the ledger could not make " + n + " entries durable" + state, e);
      for (Pending p : batch) p.index().completeExceptionally(failure);
    }
  }

  /**
   * The tree after a failed commit: the one before it, or the attempted one if the commit did reach
   * the disk. Anything else means another party wrote to the table; the writer then refuses every
   * entry (fail closed) until an operator has run {@code ward verify}.
   */
  private CompactRange resynced() {
    long stored = reader.size();
    if (stored == range.size()) return range;
    if (attempted != null && stored == attempted.size()
        && java.security.MessageDigest.isEqual(reader.head(stored).root(), attempted.root())) {
      return attempted;
    }
    throw new WardException.IntegrityFailure(
        "the ledger table holds " + stored + " entries but this writer made " + range.size()
            + ": someone else wrote to it. Stop Ward and run `ward verify`");
  }

  private CompactRange loadRange() {
    long size = reader.size();
    return reader.withHashes(h -> CompactRange.of(size, h));
  }

  private record Pending(byte[] entry, CompletableFuture<Long> index) {}
}
