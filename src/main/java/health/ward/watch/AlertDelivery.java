package health.ward.watch;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alerts to their sinks (webhook, syslog) behind the accesses that raised them: one queue and
 * one daemon thread per sink, in order, retrying a failed delivery with exponential backoff (1 s,
 * 2 s, … at most 60 s) until it succeeds. {@link #submit} never blocks and never throws; when a
 * sink's queue is full (10,000), its oldest alert is dropped and that is logged. A sink that starts
 * failing is logged once, and once more when it recovers. Alerts are in the database and the
 * ledger before they are submitted, so nothing here is the only copy.
 */
public final class AlertDelivery implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);
  static final int CAPACITY = 10_000;

  private final List<Lane> lanes = new ArrayList<>();
  private final AtomicLong pending = new AtomicLong();

  public AlertDelivery(List<AlertSink> sinks, Clock clock) {
    this(sinks, clock, Duration.ofSeconds(1));
  }

  AlertDelivery(List<AlertSink> sinks, Clock clock, Duration backoff) {
    Objects.requireNonNull(clock, "clock");
    for (AlertSink s : sinks) lanes.add(new Lane(s, backoff));
  }

  /** Queues {@code alert} for every sink. */
  public void submit(Alert alert) {
    for (Lane l : lanes) l.offer(alert);
  }

  /** Alerts not yet delivered to some sink (one per sink). */
  public long pending() {
    return pending.get();
  }

  /** Waits up to {@code max} for every queued alert to be delivered; false if some are still pending. */
  public boolean awaitDelivered(Duration max) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    synchronized (pending) {
      while (pending.get() > 0) {
        long left = until - System.nanoTime();
        if (left <= 0) return false;
        pending.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
    return true;
  }

  @Override
  public void close() {
    try {
      awaitDelivered(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Lane l : lanes) l.stop();
  }

  private void delivered() {
    synchronized (pending) {
      if (pending.decrementAndGet() == 0) pending.notifyAll();
    }
  }

  /** One sink's queue and thread. */
  private final class Lane {
    private final AlertSink sink;
    private final Duration backoff;
    private final LinkedBlockingDeque<Alert> queue = new LinkedBlockingDeque<>();
    private final Thread thread;
    private volatile boolean stopped;
    private long dropped;

    Lane(AlertSink sink, Duration backoff) {
      this.sink = sink;
      this.backoff = backoff;
      this.thread = Thread.ofPlatform().name("ward-alerts-" + sink.describe()).daemon().start(this::run);
    }

    synchronized void offer(Alert a) {
      if (queue.size() >= CAPACITY && queue.pollFirst() != null) {
        delivered();
        if (dropped++ % 1000 == 0) LOG.warn("alert sink {} is full; dropped {} oldest alerts so far", sink.describe(), dropped);
      }
      pending.incrementAndGet();
      queue.addLast(a);
    }

    void stop() {
      stopped = true;
      thread.interrupt();
      try {
        thread.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sink.close();
    }

    private void run() {
      boolean failing = false;
      while (!stopped) {
        Alert a;
        try {
          a = queue.pollFirst(500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          continue;
        }
        if (a == null) continue;
        Duration wait = backoff;
        while (!stopped) {
          try {
            sink.deliver(a);
            if (failing) LOG.info("alert sink {} is delivering again", sink.describe());
            failing = false;
            delivered();
            break;
          } catch (Exception e) {
            if (!failing) LOG.warn("alert sink {} failed ({}); retrying with backoff", sink.describe(), e.getClass().getSimpleName());
            failing = true;
            try {
              Thread.sleep(wait.toMillis());
            } catch (InterruptedException ie) {
              if (stopped) return;
            }
            wait = wait.multipliedBy(2).compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : wait.multipliedBy(2);
          }
        }
      }
    }
  }
}
