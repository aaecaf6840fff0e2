package health.ward.ledger;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Issues signed checkpoints of a running ledger: every interval in which entries arrived, it signs
 * the durable tree head, stores the note in {@code ledger_checkpoint} and pushes every checkpoint a
 * sink has not yet taken to each {@link CheckpointSink}. A sink that fails is retried on the next
 * tick with everything it missed; the failure and the recovery are reported once each through
 * {@code warnings}, never by refusing requests (the ledger itself is what fails closed).
 */
public final class Checkpointer implements AutoCloseable {
  private static final int PUSH_LIMIT = 1_000;

  private final PostgresLedger ledger;
  private final Function<TreeHead, String> sign;
  private final List<CheckpointSink> sinks;
  private final Clock clock;
  private final Consumer<String> warnings;
  private final Map<CheckpointSink, Long> pushed = new HashMap<>();
  private final Map<CheckpointSink, String> failing = new HashMap<>();
  private ScheduledExecutorService timer;

  /**
   * @param sign turns a tree head into its signed note (C2SP signed-note text)
   * @param warnings receives one line per sink failure and recovery
   */
  public Checkpointer(
      PostgresLedger ledger,
      Function<TreeHead, String> sign,
      List<CheckpointSink> sinks,
      Clock clock,
      Consumer<String> warnings) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.sign = Objects.requireNonNull(sign, "sign");
    this.sinks = List.copyOf(sinks);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.warnings = Objects.requireNonNull(warnings, "warnings");
  }

  /** Checkpoints every {@code interval} from now on, on a daemon thread. */
  public synchronized void start(Duration interval) {
    if (timer != null) throw new IllegalStateException("already started");
    long ms = Math.max(1, interval.toMillis());
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("ward-checkpointer").daemon(true).unstarted(r));
    timer.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Signs and stores a checkpoint of the current durable head unless one of that size exists, then
   * pushes what the sinks lack. Returns the newest stored checkpoint.
   */
  public synchronized Optional<LedgerReader.StoredCheckpoint> checkpoint() {
    LedgerReader reader = ledger.reader();
    Optional<LedgerReader.StoredCheckpoint> latest = reader.latestCheckpoint();
    TreeHead head = ledger.head();
    if (latest.isEmpty() || latest.get().size() < head.size()) {
      reader.storeCheckpoint(head.size(), sign.apply(head), clock.instant());
      latest = reader.latestCheckpoint();
    }
    push(reader);
    return latest;
  }

  private void push(LedgerReader reader) {
    for (CheckpointSink sink : sinks) {
      try {
        if (!pushed.containsKey(sink)) pushed.put(sink, newestSize(sink));
      } catch (IOException | RuntimeException e) {
        // Unknown: push everything; a sink keeps what it already has.
        pushed.put(sink, -1L);
      }
      long after = pushed.get(sink);
      try {
        for (var c : reader.checkpointsAfter(after).stream().limit(PUSH_LIMIT).toList()) {
          sink.publish(c.size(), c.note());
          after = c.size();
          pushed.put(sink, after);
        }
        if (failing.remove(sink) != null) {
          warnings.accept("checkpoint sink " + sink.describe() + " is taking checkpoints again (up to size " + after + ")");
        }
      } catch (IOException | RuntimeException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (failing.put(sink, why) == null) {
          warnings.accept("checkpoint sink " + sink.describe() + " failed: " + why
              + "; checkpoints after size " + after + " will be pushed when it is back");
        }
      }
    }
  }

  /** The size of the newest checkpoint a sink holds (its note's second line), or -1. */
  private static long newestSize(CheckpointSink sink) throws IOException {
    var note = sink.newest();
    if (note.isEmpty()) return -1;
    String[] lines = note.get().split("\n", 3);
    return lines.length < 2 ? -1 : Long.parseLong(lines[1].strip());
  }

  private void tick() {
    try {
      checkpoint();
    } catch (RuntimeException e) {
      warnings.accept("could not issue a checkpoint: " + e.getMessage());
    }
  }

  /** Stops the timer and issues a last checkpoint of what is durable. */
  @Override
  public void close() {
    ScheduledExecutorService t;
    synchronized (this) {
      t = timer;
      timer = null;
    }
    if (t != null) {
      t.shutdown();
      try {
        t.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    tick();
  }
}
