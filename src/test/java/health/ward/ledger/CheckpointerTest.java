package health.ward.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import health.ward.store.Database;
import health.ward.store.TestDatabase;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints issued, stored and pushed to witnesses, and the start-up check against a witness.
 * Signing here is a stand-in (the note is the plain head); signatures have their own tests.
 */
class CheckpointerTest {
  static final Function<TreeHead, String> SIGN =
      h -> "test-log\n" + h.size() + "\n" + Base64.getEncoder().encodeToString(h.root()) + "\n";
  static final Function<String, TreeHead> OPEN =
      note -> {
        String[] l = note.split("\n");
        if (l.length != 3 || !l[0].equals("test-log")) throw new IllegalArgumentException("not a test-log note");
        return new TreeHead(Long.parseLong(l[1]), Base64.getDecoder().decode(l[2]));
      };

  @TempDir Path dir;
  Database db;
  PostgresLedger ledger;
  List<String> warnings = new CopyOnWriteArrayList<>();

  @BeforeEach
  void open() {
    db = TestDatabase.fresh();
    ledger = new PostgresLedger(db.dataSource(), Clock.systemUTC());
  }

  @AfterEach
  void close() {
    ledger.close();
    db.close();
  }

  @Test
  void checkpoint_signsTheDurableHead_storesIt_andPushesEveryNewOneToTheDirectory() throws Exception {
    CheckpointSink sink = CheckpointSink.parse(dir.resolve("witness").toString());
    Checkpointer c = new Checkpointer(ledger, SIGN, List.of(sink), Clock.systemUTC(), warnings::add);
    assertEquals(0, c.checkpoint().orElseThrow().size(), "the empty tree is checkpointed too");
    for (int i = 0; i < 5; i++) ledger.append(("e" + i).getBytes(StandardCharsets.UTF_8));
    var first = c.checkpoint().orElseThrow();
    assertEquals(5, first.size());
    assertEquals(ledger.head(), OPEN.apply(first.note()));
    assertEquals(first.size(), c.checkpoint().orElseThrow().size(), "nothing new, nothing signed");
    ledger.append("e5".getBytes(StandardCharsets.UTF_8));
    c.checkpoint();

    assertEquals(List.of("checkpoint-00000000000000000000.txt", "checkpoint-00000000000000000005.txt",
        "checkpoint-00000000000000000006.txt"), files(dir.resolve("witness")));
    assertEquals(ledger.head(), OPEN.apply(sink.newest().orElseThrow()));
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void start_issuesCheckpointsEveryIntervalWhileEntriesArrive() throws Exception {
    try (Checkpointer c = new Checkpointer(ledger, SIGN, List.of(), Clock.systemUTC(), warnings::add)) {
      c.start(Duration.ofMillis(50));
      ledger.append("a".getBytes(StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (ledger.reader().latestCheckpoint().map(LedgerReader.StoredCheckpoint::size).orElse(-1L) < 1) {
        assertTrue(System.nanoTime() < deadline, "no checkpoint within 5 s");
        Thread.sleep(20);
      }
    }
  }

  @Test
  void aFailingSink_isReportedOnce_andCatchesUpWhenBack() throws Exception {
    Path blocked = dir.resolve("not-a-dir");
    Files.writeString(blocked, "a file where the directory should be");
    CheckpointSink sink = CheckpointSink.parse(blocked.toString());
    Checkpointer c = new Checkpointer(ledger, SIGN, List.of(sink), Clock.systemUTC(), warnings::add);
    c.checkpoint();
    ledger.append("a".getBytes(StandardCharsets.UTF_8));
    c.checkpoint();
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("failed"), warnings.get(0));

    Files.delete(blocked);
    c.checkpoint();
    assertEquals(2, warnings.size(), warnings.toString());
    assertEquals(List.of("checkpoint-00000000000000000000.txt", "checkpoint-00000000000000000001.txt"), files(blocked));
  }

  @Test
  void httpSink_postsEveryCheckpoint_andReadsTheNewestBack() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer witness = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    witness.createContext("/witness", ex -> {
      if (ex.getRequestMethod().equals("POST")) {
        received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        ex.sendResponseHeaders(204, -1);
      } else if (received.isEmpty()) {
        ex.sendResponseHeaders(404, -1);
      } else {
        byte[] b = received.getLast().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
      }
      ex.close();
    });
    witness.start();
    try {
      CheckpointSink sink = CheckpointSink.parse("http://127.0.0.1:" + witness.getAddress().getPort() + "/witness");
      assertInstanceOf(WitnessCheck.Empty.class, WitnessCheck.check(sink, OPEN, ledger.reader()));
      Checkpointer c = new Checkpointer(ledger, SIGN, List.of(sink), Clock.systemUTC(), warnings::add);
      ledger.append("a".getBytes(StandardCharsets.UTF_8));
      c.checkpoint();
      ledger.append("b".getBytes(StandardCharsets.UTF_8));
      c.checkpoint();
      assertEquals(2, received.size());
      assertEquals(ledger.head(), OPEN.apply(sink.newest().orElseThrow()));
      assertInstanceOf(WitnessCheck.Consistent.class, WitnessCheck.check(sink, OPEN, ledger.reader()));
    } finally {
      witness.stop(0);
    }
  }

  @Test
  void witnessCheck_catchesRollBack_rewrite_foreignKey_andAnUnreachableSink() throws Exception {
    CheckpointSink sink = CheckpointSink.parse(dir.resolve("w").toString());
    Checkpointer c = new Checkpointer(ledger, SIGN, List.of(sink), Clock.systemUTC(), warnings::add);
    for (int i = 0; i < 10; i++) ledger.append(("e" + i).getBytes(StandardCharsets.UTF_8));
    c.checkpoint();
    assertTrue(WitnessCheck.check(sink, OPEN, ledger.reader()).ok());

    // Rolled back: the database lost its last batches.
    sql("alter table ledger_batch disable trigger user; delete from ledger_batch where first_idx >= 7;"
        + " alter table ledger_batch enable trigger user");
    var rolledBack = assertInstanceOf(WitnessCheck.Inconsistent.class, WitnessCheck.check(sink, OPEN, ledger.reader()));
    assertTrue(rolledBack.message().contains("holds a signed checkpoint of 10 entries, but the ledger has only 7"),
        rolledBack.message());

    // Rewritten: same size, another entry (hashes rewritten to match).
    PostgresLedger other = null;
    Database db2 = TestDatabase.fresh();
    try {
      other = new PostgresLedger(db2.dataSource(), Clock.systemUTC());
      for (int i = 0; i < 12; i++) other.append(("f" + i).getBytes(StandardCharsets.UTF_8));
      var rewritten = assertInstanceOf(WitnessCheck.Inconsistent.class, WitnessCheck.check(sink, OPEN, other.reader()));
      assertTrue(rewritten.message().contains("do not hash to the root"), rewritten.message());
    } finally {
      if (other != null) other.close();
      db2.close();
    }

    // A note this ledger's key did not sign.
    assertInstanceOf(WitnessCheck.Inconsistent.class,
        WitnessCheck.check(sink, note -> { throw new IllegalArgumentException("unknown key"); }, ledger.reader()));

    CheckpointSink down = CheckpointSink.parse("http://127.0.0.1:9/nothing-listens-here");
    var unreachable = assertInstanceOf(WitnessCheck.Unreachable.class, WitnessCheck.check(down, OPEN, ledger.reader()));
    assertTrue(!unreachable.ok() && unreachable.message().contains("could not read"), unreachable.message());
  }

  @Test
  void parse_refusesOtherSchemesAndBlanks() {
    assertThrows(IllegalArgumentException.class, () -> CheckpointSink.parse("ftp://example.org/x"));
    assertThrows(IllegalArgumentException.class, () -> CheckpointSink.parse(" "));
    assertInstanceOf(HttpCheckpointSink.class, CheckpointSink.parse("HTTPS://witness.example/ward"));
  }

  @Test
  void directorySink_neverReplacesACheckpointItHolds() throws IOException {
    CheckpointSink sink = CheckpointSink.parse(dir.toString());
    sink.publish(3, "first\n");
    sink.publish(3, "second\n");
    assertEquals("first\n", Files.readString(dir.resolve("checkpoint-00000000000000000003.txt")));
    assertEquals("first\n", sink.newest().orElseThrow());
  }

  static List<String> files(Path d) throws IOException {
    try (var s = Files.list(d)) {
      List<String> names = new ArrayList<>(s.map(p -> p.getFileName().toString()).toList());
      Collections.sort(names);
      return names;
    }
  }

  void sql(String statement) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
