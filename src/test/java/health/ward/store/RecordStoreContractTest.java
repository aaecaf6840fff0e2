package health.ward.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link RecordStore} contract. An implementation's test extends this class and supplies a store
 * over empty storage; every test here must pass unchanged.
 */
abstract class RecordStoreContractTest {
  static final Pseudonym ALICE = Pseudonym.of(bytes16(1));
  static final Pseudonym BOB = Pseudonym.of(bytes16(2));

  RecordStore store;

  /** A store over empty storage; called before every test. */
  abstract RecordStore openEmptyStore();

  /** Releases what {@link #openEmptyStore()} opened. */
  abstract void closeStore();

  @BeforeEach
  void open() {
    store = openEmptyStore();
  }

  @AfterEach
  void close() {
    closeStore();
  }

  // --- reads and versions ---

  @Test
  void current_ofUnknownResource_isEmpty() {
    assertTrue(store.current("Patient", "nope").isEmpty());
    assertTrue(store.version("Patient", "nope", 1).isEmpty());
    assertEquals(List.of(), store.history("Patient", "nope"));
  }

  @Test
  void create_thenRead_returnsWhatWasWritten() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "one", "t:a")));

    StoredRecord r = store.current("Patient", "p1").orElseThrow();
    assertEquals("Patient", r.type());
    assertEquals("p1", r.id());
    assertEquals(1, r.version());
    assertEquals(ALICE, r.patient());
    assertFalse(r.deleted());
    assertArrayEquals(utf8("one"), r.ciphertext());
  }

  @Test
  void create_withoutPatient_readsBackNullPatient() {
    store.write(List.of(write("Organization", "o1", 1, null, "org")));
    assertEquals(null, store.current("Organization", "o1").orElseThrow().patient());
  }

  @Test
  void update_movesCurrent_andKeepsEveryVersion_historyNewestFirst() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1")));
    store.write(List.of(write("Patient", "p1", 2, ALICE, "v2")));
    store.write(List.of(write("Patient", "p1", 3, ALICE, "v3")));

    assertEquals(3, store.current("Patient", "p1").orElseThrow().version());
    assertArrayEquals(utf8("v2"), store.version("Patient", "p1", 2).orElseThrow().ciphertext());
    assertTrue(store.version("Patient", "p1", 4).isEmpty());
    assertEquals(List.of(3L, 2L, 1L), store.history("Patient", "p1").stream().map(StoredRecord::version).toList());
  }

  @Test
  void sameId_inDifferentTypes_areDifferentResources() {
    store.write(List.of(write("Patient", "x", 1, ALICE, "p"), write("Observation", "x", 1, ALICE, "o")));
    assertArrayEquals(utf8("p"), store.current("Patient", "x").orElseThrow().ciphertext());
    assertArrayEquals(utf8("o"), store.current("Observation", "x").orElseThrow().ciphertext());
  }

  @Test
  void createAndUpdate_inOneWrite_bothStored() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1", "t:a"), write("Patient", "p1", 2, ALICE, "v2", "t:b")));
    assertEquals(2, store.current("Patient", "p1").orElseThrow().version());
    assertEquals(2, store.history("Patient", "p1").size());
    assertEquals(0, store.count("Patient", q("t:a")));
    assertEquals(1, store.count("Patient", q("t:b")));
  }

  // --- version conflicts, all or nothing ---

  @Test
  void create_ofExistingResource_isVersionConflict_namingTheResource() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1")));
    var e = assertThrows(WardException.VersionConflict.class,
        () -> store.write(List.of(write("Patient", "p1", 1, ALICE, "again"))));
    assertTrue(e.getMessage().contains("Patient/p1"), e.getMessage());
    assertArrayEquals(utf8("v1"), store.current("Patient", "p1").orElseThrow().ciphertext());
  }

  @Test
  void update_ofStaleVersion_isVersionConflict_namingVersions() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1")));
    store.write(List.of(write("Patient", "p1", 2, ALICE, "v2")));
    var e = assertThrows(WardException.VersionConflict.class,
        () -> store.write(List.of(write("Patient", "p1", 2, ALICE, "stale"))));
    assertTrue(e.getMessage().contains("Patient/p1") && e.getMessage().contains("2"), e.getMessage());
    assertThrows(WardException.VersionConflict.class,
        () -> store.write(List.of(write("Patient", "p1", 4, ALICE, "skips"))));
    assertThrows(WardException.VersionConflict.class,
        () -> store.write(List.of(write("Patient", "never", 2, ALICE, "no v1"))));
  }

  @Test
  void write_skippingAVersionWithinOneWrite_isVersionConflict() {
    assertThrows(WardException.VersionConflict.class,
        () -> store.write(List.of(write("Patient", "p1", 1, ALICE, "v1"), write("Patient", "p1", 3, ALICE, "v3"))));
    assertTrue(store.current("Patient", "p1").isEmpty());
  }

  @Test
  void largeWrite_isStoredWhole() {
    List<VersionWrite> batch = new ArrayList<>();
    for (int i = 0; i < 500; i++) batch.add(write("Observation", "o" + i, 1, ALICE, "x" + i, "subj:alice", "n:" + i));
    store.write(batch);
    assertEquals(500, store.count("Observation", q("subj:alice")));
    assertEquals(List.of("o499"), ids(store.search("Observation", q("n:499"))));
    assertEquals(List.of("o0", "o1"), ids(store.search("Observation", new Query(groups("subj:alice"), 0, 2, false))));
  }

  @Test
  void write_withOneConflict_writesNothing() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1", "t:a")));
    assertThrows(WardException.VersionConflict.class,
        () -> store.write(List.of(
            write("Patient", "p2", 1, BOB, "new", "t:a"),
            write("Patient", "p1", 2, ALICE, "v2", "t:b"),
            write("Patient", "p1", 1, ALICE, "conflict"))));

    assertTrue(store.current("Patient", "p2").isEmpty());
    assertEquals(1, store.current("Patient", "p1").orElseThrow().version());
    assertEquals(1, store.history("Patient", "p1").size());
    assertEquals(1, store.count("Patient", q("t:a")));
    assertEquals(0, store.count("Patient", q("t:b")));
  }

  @Test
  void concurrentCreates_ofOneId_exactlyOneWins() throws Exception {
    int threads = 8;
    for (int round = 0; round < 5; round++) {
      String id = "race" + round;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String body = "writer" + t;
        results.add(pool.submit(() -> {
          start.await();
          try {
            store.write(List.of(write("Patient", id, 1, ALICE, body, "t:race")));
            return true;
          } catch (WardException.VersionConflict e) {
            return false;
          }
        }));
      }
      start.countDown();
      int wins = 0;
      for (Future<Boolean> f : results) if (f.get()) wins++;
      pool.shutdown();
      assertEquals(1, wins, "round " + round);
      assertEquals(1, store.history("Patient", id).size());
    }
    assertEquals(5, store.count("Patient", q("t:race")));
  }

  @Test
  void concurrentUpdates_ofOneVersion_exactlyOneWins() throws Exception {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1", "t:a")));
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(pool.submit(() -> {
        start.await();
        try {
          store.write(List.of(write("Patient", "p1", 2, ALICE, "v2", "t:b")));
          return true;
        } catch (WardException.VersionConflict e) {
          return false;
        }
      }));
    }
    start.countDown();
    int wins = 0;
    for (Future<Boolean> f : results) if (f.get()) wins++;
    pool.shutdown();
    assertEquals(1, wins);
    assertEquals(0, store.count("Patient", q("t:a")));
    assertEquals(1, store.count("Patient", q("t:b")));
  }

  // --- deletion ---

  @Test
  void delete_hidesFromSearchAndCount_butCurrentAndHistoryKeepIt() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1", "t:a"), write("Patient", "p2", 1, BOB, "v1", "t:a")));
    store.write(List.of(delete("Patient", "p1", 2, ALICE)));

    assertEquals(List.of("p2"), ids(store.search("Patient", q("t:a"))));
    assertEquals(1, store.count("Patient", q("t:a")));
    assertEquals(List.of("p2"), ids(store.search("Patient", all())));
    assertEquals(1, store.count("Patient", all()));
    assertTrue(store.current("Patient", "p1").orElseThrow().deleted());
    assertEquals(List.of(true, false), store.history("Patient", "p1").stream().map(StoredRecord::deleted).toList());
  }

  @Test
  void updateAfterDelete_isFoundAgain() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1", "t:a")));
    store.write(List.of(delete("Patient", "p1", 2, ALICE)));
    store.write(List.of(write("Patient", "p1", 3, ALICE, "v3", "t:a")));
    assertEquals(List.of("p1"), ids(store.search("Patient", q("t:a"))));
  }

  // --- search semantics ---

  @Test
  void update_replacesTokens() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "v1", "t:a", "t:b")));
    store.write(List.of(write("Patient", "p1", 2, ALICE, "v2", "t:b", "t:c")));
    assertEquals(0, store.count("Patient", q("t:a")));
    assertEquals(List.of("p1"), ids(store.search("Patient", q("t:b"))));
    assertEquals(List.of("p1"), ids(store.search("Patient", q("t:c"))));
    assertEquals(2, store.search("Patient", q("t:c")).get(0).version());
  }

  @Test
  void search_groupsAreAnded_tokensWithinAGroupAreOred() {
    store.write(List.of(
        write("Observation", "o1", 1, ALICE, "x", "subj:alice", "code:bp"),
        write("Observation", "o2", 1, ALICE, "x", "subj:alice", "code:hr"),
        write("Observation", "o3", 1, BOB, "x", "subj:bob", "code:bp"),
        write("Observation", "o4", 1, ALICE, "x", "subj:alice", "code:temp")));

    assertEquals(List.of("o1"), ids(store.search("Observation", query(List.of(List.of("subj:alice"), List.of("code:bp"))))));
    var aliceBpOrHr = query(List.of(List.of("subj:alice"), List.of("code:bp", "code:hr")));
    assertEquals(List.of("o1", "o2"), ids(store.search("Observation", aliceBpOrHr)));
    assertEquals(2, store.count("Observation", aliceBpOrHr));
    var anyBpOrHr = query(List.of(List.of("code:bp", "code:hr")));
    assertEquals(List.of("o1", "o2", "o3"), ids(store.search("Observation", anyBpOrHr)));
    assertEquals(3, store.count("Observation", anyBpOrHr));
    assertEquals(0, store.count("Observation", query(List.of(List.of("subj:bob"), List.of("code:hr")))));
    assertEquals(0, store.count("Observation", q("nothing")));
  }

  @Test
  void search_aResourceMatchingSeveralTokensOfAGroup_appearsOnce() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "x", "name:a", "name:b")));
    var either = query(List.of(List.of("name:a", "name:b")));
    assertEquals(List.of("p1"), ids(store.search("Patient", either)));
    assertEquals(1, store.count("Patient", either));
  }

  @Test
  void search_repeatedTokenInOneWrite_isStoredOnce() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "x", "t:a", "t:a")));
    assertEquals(1, store.count("Patient", q("t:a")));
  }

  @Test
  void search_isScopedToItsType() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "x", "t:a"), write("Observation", "o1", 1, ALICE, "x", "t:a")));
    assertEquals(List.of("p1"), ids(store.search("Patient", q("t:a"))));
    assertEquals(List.of("p1"), ids(store.search("Patient", all())));
  }

  @Test
  void search_ordersByLastWrite_inBothDirections_andPages() {
    for (int i = 0; i < 5; i++) store.write(List.of(write("Patient", "p" + i, 1, ALICE, "x", "t:a")));
    store.write(List.of(write("Patient", "p1", 2, ALICE, "x", "t:a")));

    List<String> oldestFirst = List.of("p0", "p2", "p3", "p4", "p1");
    assertEquals(oldestFirst, ids(store.search("Patient", new Query(groups("t:a"), 0, 10, false))));
    assertEquals(oldestFirst.reversed(), ids(store.search("Patient", new Query(groups("t:a"), 0, 10, true))));
    assertEquals(List.of("p2", "p3"), ids(store.search("Patient", new Query(groups("t:a"), 1, 2, false))));
    assertEquals(List.of("p3", "p2"), ids(store.search("Patient", new Query(groups("t:a"), 2, 2, true))));
    assertEquals(List.of(), ids(store.search("Patient", new Query(groups("t:a"), 5, 2, false))));
    assertEquals(List.of(), ids(store.search("Patient", new Query(groups("t:a"), 0, 0, false))));
    assertEquals(oldestFirst, ids(store.search("Patient", new Query(List.of(), 0, 10, false))));
    assertEquals(List.of("p4", "p1"), ids(store.search("Patient", new Query(List.of(), 3, 10, false))));
    var multi = new Query(List.of(List.of(utf8("t:a"), utf8("t:none"))), 1, 3, true);
    assertEquals(List.of("p4", "p3", "p2"), ids(store.search("Patient", multi)));
  }

  @Test
  void count_ignoresPaging() {
    for (int i = 0; i < 7; i++) store.write(List.of(write("Patient", "p" + i, 1, ALICE, "x", "t:a")));
    assertEquals(7, store.count("Patient", new Query(groups("t:a"), 5, 1, false)));
    assertEquals(7, store.count("Patient", new Query(List.of(), 5, 1, true)));
  }

  @Test
  void search_returnsFullRecords() {
    store.write(List.of(write("Patient", "p1", 1, ALICE, "sealed", "t:a")));
    StoredRecord r = store.search("Patient", q("t:a")).get(0);
    assertEquals("Patient", r.type());
    assertEquals(ALICE, r.patient());
    assertArrayEquals(utf8("sealed"), r.ciphertext());
  }

  // --- helpers ---

  static VersionWrite write(String type, String id, long version, Pseudonym patient, String body, String... tokens) {
    return new VersionWrite(type, id, version, patient, false, utf8(body),
        List.of(tokens).stream().map(RecordStoreContractTest::utf8).toList());
  }

  static VersionWrite delete(String type, String id, long version, Pseudonym patient) {
    return new VersionWrite(type, id, version, patient, true, utf8("deleted"), List.of());
  }

  static Query q(String token) {
    return new Query(groups(token), 0, 100, false);
  }

  static Query all() {
    return new Query(List.of(), 0, 100, false);
  }

  static Query query(List<List<String>> groups) {
    return new Query(groups.stream().map(g -> g.stream().map(RecordStoreContractTest::utf8).toList()).toList(), 0, 100, false);
  }

  static List<List<byte[]>> groups(String token) {
    return List.of(List.of(utf8(token)));
  }

  static List<String> ids(List<StoredRecord> records) {
    return records.stream().map(StoredRecord::id).toList();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes16(int fill) {
    byte[] b = new byte[16];
    java.util.Arrays.fill(b, (byte) fill);
    return b;
  }
}
