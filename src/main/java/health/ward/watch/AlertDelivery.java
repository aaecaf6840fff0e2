package health.ward.watch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background sender of alerts to their sinks (webhook, syslog), behind the accesses that raised
 * them: one bounded queue and one daemon thread per sink.
 *
 * <p>Guarantees: {@link #submit} never blocks and never throws. Each sink gets its alerts in the
 * order submitted, one at a time; a failed delivery is retried after 1 s, 2 s, 4 s, … at most 60 s
 * until it succeeds or the delivery is closed, so a sink that is down holds up only its own queue.
 * A sink that starts failing is logged once (WARN) and once more when it recovers (INFO); logs name
 * the sink and the failure, never an alert's explanation.
 *
 * <p>Failure modes: when a sink's queue holds {@value #CAPACITY} alerts, the oldest is dropped to
 * make room and the drops are counted in a WARN (the first, then every 1,000th) and in the recovery
 * INFO. {@link #close()} waits up to 2 s for what is queued, then stops the threads and closes the
 * sinks; what is still undelivered then is logged by count and lost to the sinks. Alerts are in the
 * database and the ledger before they are submitted, so nothing here is their only copy.
 */
public final class AlertDelivery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);
  static final int CAPACITY = 10_000;
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
  static final Duration GRACE = Duration.ofSeconds(2);
  private static final Duration STOP_WAIT = Duration.ofSeconds(1);
  private static final int DROP_LOG_EVERY = 1_000;

  private final Clock clock;
  private final Duration firstBackoff;
  private final Duration grace;
  private final List<Lane> lanes = new ArrayList<>();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private long pending;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Starts one delivery thread for each of {@code sinks}; {@code clock} times outages for the logs. */
  public AlertDelivery(List<AlertSink> sinks, Clock clock) {
    this(sinks, clock, FIRST_BACKOFF, GRACE);
  }

  /** As {@link #AlertDelivery(List, Clock)} with the first retry after {@code firstBackoff} (tests). */
  AlertDelivery(List<AlertSink> sinks, Clock clock, Duration firstBackoff) {
    this(sinks, clock, firstBackoff, GRACE);
  }

  /** As {@link #AlertDelivery(List, Clock, Duration)}, waiting up to {@code grace} in {@link #close()} (tests). */
  AlertDelivery(List<AlertSink> sinks, Clock clock, Duration firstBackoff, Duration grace) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.firstBackoff = positive(firstBackoff, "firstBackoff");
    this.grace = Objects.requireNonNull(grace, "grace");
    for (AlertSink sink : List.copyOf(sinks)) lanes.add(new Lane(sink));
    for (Lane lane : lanes) lane.thread.start();
  }

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be > 0, was " + d);
    return d;
  }

  /** Queues {@code alert} for every sink; after {@link #close()} it does nothing. */
  public void submit(Alert alert) {
    if (alert == null || closed.get()) return;
    for (Lane lane : lanes) lane.offer(alert);
  }

  /** How many (alert, sink) deliveries are queued or under way: an alert not yet taken by two sinks counts twice. */
  public long pending() {
    lock.lock();
    try {
      return pending;
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code max} until nothing is pending; whether that happened. */
  public boolean awaitDelivered(Duration max) throws InterruptedException {
    long left = max.toNanos();
    lock.lock();
    try {
      while (pending > 0) {
        if (left <= 0) return false;
        left = idle.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void added() {
    lock.lock();
    try {
      pending++;
    } finally {
      lock.unlock();
    }
  }

  private void settled() {
    lock.lock();
    try {
      if (--pending == 0) idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The wait after {@code previous}: twice as long, at most 60 s. */
  static Duration nextBackoff(Duration previous) {
    Duration twice = previous.multipliedBy(2);
    return twice.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : twice;
  }

  /** Delivers what it can within the grace period, then stops the threads and closes the sinks. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    try {
      awaitDelivered(grace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopping.countDown();
    for (Lane lane : lanes) {
      lane.thread.interrupt();
      // Closing breaks a delivery blocked in I/O that an interrupt does not reach (a socket write).
      closeQuietly(lane.sink);
    }
    long until = System.nanoTime() + STOP_WAIT.toNanos();
    for (Lane lane : lanes) {
      try {
        lane.thread.join(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Lane lane : lanes) {
      int left = lane.queue.size() + (lane.current != null ? 1 : 0);
      if (left > 0) LOG.warn("alert sink {} closed with {} alerts undelivered", lane.sink.describe(), left);
    }
  }

  private static void closeQuietly(AlertSink sink) {
    try {
      sink.close();
    } catch (RuntimeException e) {
      LOG.warn("alert sink {} failed to close: {}", sink.describe(), e.toString());
    }
  }

  /** One sink's queue and thread. */
  private final class Lane {
    final AlertSink sink;
    final BlockingQueue<Alert> queue = new ArrayBlockingQueue<>(CAPACITY);
    final Thread thread;
    final AtomicLong dropped = new AtomicLong();
    // The alert taken from the queue and not yet delivered.
    volatile Alert current;
    private Instant failingSince;
    private int failures;

    Lane(AlertSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
      this.thread = Thread.ofPlatform().name("ward-alerts " + sink.describe()).daemon().unstarted(this::run);
    }

    void offer(Alert a) {
      added();
      // Producers take turns so that "drop the oldest, then add" cannot be overtaken by another producer.
      synchronized (this) {
        while (!queue.offer(a)) {
          if (queue.poll() != null) {
            settled();
            long n = dropped.incrementAndGet();
            if (n == 1 || n % DROP_LOG_EVERY == 0) {
              LOG.warn("alert sink {} has {} alerts queued; dropped the oldest ({} dropped so far)", sink.describe(), CAPACITY, n);
            }
          }
        }
      }
    }

    private void run() {
      while (stopping.getCount() > 0) {
        Alert a;
        try {
          a = queue.take();
        } catch (InterruptedException e) {
          continue;
        }
        current = a;
        if (deliver(a)) {
          current = null;
          settled();
        }
      }
    }

    /** Delivers {@code a}, retrying with backoff; false if stopped first. */
    private boolean deliver(Alert a) {
      Duration wait = firstBackoff;
      while (true) {
        try {
          sink.deliver(a);
          recovered();
          return true;
        } catch (Exception e) {
          if (stopping.getCount() == 0) return false;
          failures++;
          if (failingSince == null) {
            failingSince = clock.instant();
            LOG.warn("alert sink {} is failing ({}); retrying with backoff up to {} s", sink.describe(), e, MAX_BACKOFF.toSeconds());
          }
        }
        try {
          if (stopping.await(wait.toNanos(), TimeUnit.NANOSECONDS)) return false;
        } catch (InterruptedException e) {
          if (stopping.getCount() == 0) return false;
        }
        wait = nextBackoff(wait);
      }
    }

    private void recovered() {
      if (failingSince == null) return;
      Duration down = Duration.between(failingSince, clock.instant());
      LOG.info("alert sink {} is delivering again after {} failed attempts over {} s ({} alerts dropped while full)",
          sink.describe(), failures, Math.max(0, down.toSeconds()), dropped.getAndSet(0));
      failingSince = null;
      failures = 0;
    }
  }
}
