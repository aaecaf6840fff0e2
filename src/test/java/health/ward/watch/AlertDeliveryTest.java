package health.ward.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Queues, order, retries with backoff, drops when full, and shutdown of the background alert delivery. */
@Timeout(value = 5, unit = TimeUnit.SECONDS)
class AlertDeliveryTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-02T09:00:00Z"), ZoneOffset.UTC);
  private static final Duration FAST = Duration.ofMillis(20);

  static Alert alert(long id) {
    return new Alert(id, Instant.parse("2026-03-02T09:15:30.250Z"), "canary", Severity.HIGH, "user:7", "nina", "nurse", null,
        "10.0.0.5", null, "opened a canary record", Response.ALERT, id, "open", null, null, 1);
  }

  /** A sink that records what it got, failing while {@code fails} says so for the attempt number (from 1). */
  static final class RecordingSink implements AlertSink {
    final List<Long> delivered = new CopyOnWriteArrayList<>();
    final List<Long> attemptNanos = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    private final LongPredicate fails;

    RecordingSink(LongPredicate fails) {
      this.fails = fails;
    }

    @Override
    public void deliver(Alert a) throws IOException {
      attemptNanos.add(System.nanoTime());
      if (fails.test(attempts.incrementAndGet())) throw new IOException("collector down");
      delivered.add(a.id());
    }

    @Override
    public String describe() {
      return "recording";
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void submit_receiverFailingTwice_isRetriedUntilItTakesTheAlert() throws Exception {
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger requests = new AtomicInteger();
    List<Long> accepted = new CopyOnWriteArrayList<>();
    receiver.createContext("/hook", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      if (requests.incrementAndGet() <= 2) {
        ex.sendResponseHeaders(503, -1);
      } else {
        accepted.add(JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject().get("id").getAsLong());
        ex.sendResponseHeaders(204, -1);
      }
      ex.close();
    });
    receiver.start();
    try (AlertDelivery d = new AlertDelivery(
        List.of(new WebhookSink(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"), null)),
        CLOCK, FAST)) {
      d.submit(alert(1));
      d.submit(alert(2));

      assertTrue(d.awaitDelivered(Duration.ofSeconds(3)), "pending: " + d.pending());
      assertEquals(List.of(1L, 2L), accepted, "in order, none lost");
      assertEquals(4, requests.get(), "two refusals, then one request per alert");
      assertEquals(0, d.pending());
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void submit_deliversToEverySinkInOrder() throws Exception {
    RecordingSink a = new RecordingSink(n -> false);
    RecordingSink b = new RecordingSink(n -> n % 3 == 0);
    try (AlertDelivery d = new AlertDelivery(List.of(a, b), CLOCK, Duration.ofMillis(1))) {
      for (long id = 1; id <= 100; id++) d.submit(alert(id));

      assertTrue(d.awaitDelivered(Duration.ofSeconds(3)), "pending: " + d.pending());
    }
    List<Long> expected = LongStream.rangeClosed(1, 100).boxed().toList();
    assertEquals(expected, a.delivered);
    assertEquals(expected, b.delivered);
  }

  @Test
  void submit_aSinkThatIsDown_holdsUpOnlyItsOwnQueue() throws Exception {
    RecordingSink down = new RecordingSink(n -> true);
    RecordingSink up = new RecordingSink(n -> false);
    try (AlertDelivery d = new AlertDelivery(List.of(down, up), CLOCK, FAST, Duration.ofMillis(50))) {
      for (long id = 1; id <= 5; id++) d.submit(alert(id));

      assertFalse(d.awaitDelivered(Duration.ofMillis(300)));
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), up.delivered);
      assertEquals(5, d.pending(), "one sink still owes five");
    }
  }

  @Test
  void retry_waitsTwiceAsLongEachTime() throws Exception {
    RecordingSink sink = new RecordingSink(n -> n <= 3);
    try (AlertDelivery d = new AlertDelivery(List.of(sink), CLOCK, Duration.ofMillis(40))) {
      d.submit(alert(1));

      assertTrue(d.awaitDelivered(Duration.ofSeconds(3)));
    }
    List<Long> t = sink.attemptNanos;
    assertEquals(4, t.size());
    for (int i = 1; i < t.size(); i++) {
      long gapMillis = TimeUnit.NANOSECONDS.toMillis(t.get(i) - t.get(i - 1));
      long expected = 40L << (i - 1);
      assertTrue(gapMillis >= expected, "retry " + i + " after " + gapMillis + " ms, expected at least " + expected);
    }
  }

  @Test
  void nextBackoff_doublesUpTo60Seconds() {
    assertEquals(Duration.ofSeconds(2), AlertDelivery.nextBackoff(Duration.ofSeconds(1)));
    assertEquals(Duration.ofSeconds(32), AlertDelivery.nextBackoff(Duration.ofSeconds(16)));
    assertEquals(Duration.ofSeconds(60), AlertDelivery.nextBackoff(Duration.ofSeconds(32)));
    assertEquals(Duration.ofSeconds(60), AlertDelivery.nextBackoff(Duration.ofSeconds(60)));
    List<Duration> waits = new ArrayList<>();
    Duration w = AlertDelivery.FIRST_BACKOFF;
    for (int i = 0; i < 8; i++, w = AlertDelivery.nextBackoff(w)) waits.add(w);
    assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L), waits.stream().map(Duration::toSeconds).toList());
  }

  @Test
  void submit_fullQueue_dropsTheOldest() throws Exception {
    CountDownLatch taken = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Long> delivered = new CopyOnWriteArrayList<>();
    AlertSink slow = new AlertSink() {
      @Override
      public void deliver(Alert a) throws InterruptedException {
        taken.countDown();
        release.await();
        delivered.add(a.id());
      }

      @Override
      public String describe() {
        return "slow";
      }
    };
    try (AlertDelivery d = new AlertDelivery(List.of(slow), CLOCK, FAST)) {
      d.submit(alert(1));
      assertTrue(taken.await(2, TimeUnit.SECONDS));
      int extra = 4;
      for (long id = 2; id <= AlertDelivery.CAPACITY + 1 + extra; id++) d.submit(alert(id));

      assertEquals(AlertDelivery.CAPACITY + 1, d.pending(), "one under way and a full queue");
      release.countDown();
      assertTrue(d.awaitDelivered(Duration.ofSeconds(3)), "pending: " + d.pending());
      List<Long> expected = new ArrayList<>(List.of(1L));
      LongStream.rangeClosed(2 + extra, AlertDelivery.CAPACITY + 1 + extra).forEach(expected::add);
      assertEquals(expected, delivered, "the oldest queued (2 to 5) were dropped");
    }
  }

  @Test
  void close_sinkThatNeverRecovers_stopsAfterTheGracePeriodAndClosesIt() throws Exception {
    RecordingSink down = new RecordingSink(n -> true);
    AlertDelivery d = new AlertDelivery(List.of(down), CLOCK, FAST, Duration.ofMillis(100));
    d.submit(alert(1));
    assertTrue(waitFor(() -> down.attempts.get() >= 1));

    long start = System.nanoTime();
    d.close();
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertTrue(tookMillis >= 100 && tookMillis < 1_000, "close took " + tookMillis + " ms");
    assertTrue(down.closed.get(), "the sink is closed");
    int attempts = down.attempts.get();
    Thread.sleep(100);
    assertEquals(attempts, down.attempts.get(), "no retries after close");
  }

  @Test
  void close_deliversWhatIsQueuedFirst() throws Exception {
    RecordingSink sink = new RecordingSink(n -> n == 1);
    AlertDelivery d = new AlertDelivery(List.of(sink), CLOCK, FAST);
    for (long id = 1; id <= 3; id++) d.submit(alert(id));

    d.close();

    assertEquals(List.of(1L, 2L, 3L), sink.delivered);
    assertTrue(sink.closed.get());
  }

  @Test
  void submit_afterClose_isIgnored() {
    RecordingSink sink = new RecordingSink(n -> false);
    AlertDelivery d = new AlertDelivery(List.of(sink), CLOCK, FAST);
    d.close();

    d.submit(alert(1));
    d.submit(null);

    assertEquals(0, d.pending());
    d.close();
  }

  private static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (condition.getAsBoolean()) return true;
      Thread.sleep(10);
    }
    return false;
  }
}
