package health.ward.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import health.ward.access.Principal;
import health.ward.ledger.Checkpoint;
import health.ward.ledger.CheckpointVerifier;
import health.ward.ledger.ConsistencyProof;
import health.ward.ledger.InclusionProof;
import health.ward.ledger.LedgerReader;
import health.ward.ledger.Merkle;
import health.ward.records.RequestContext;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The ledger's checkpoints, witness, proofs and verification end to end: real Ward commands on an
 * embedded PostgreSQL, the server over real HTTP.
 */
class LedgerCommandsEndToEndTest {
  static final Map<String, String> ENV = Map.of(Main.PASSPHRASE_ENV, "ledger test passphrase");

  @TempDir Path tmp;
  Path data;
  Path keys;
  Path witness;

  @BeforeEach
  void dirs() {
    data = tmp.resolve("data");
    keys = tmp.resolve("keys");
    witness = tmp.resolve("witness");
  }




  WardApp open() {
    return WardApp.open(WardConfig.defaults(data, keys).withPassphrase(ENV.get(Main.PASSPHRASE_ENV).toCharArray()));
  }

  /** Writes {@code n} records as the operator; each write and read is a ledger entry. */
  void accesses(int n) {
    try (WardApp app = open()) {
      var ctx = RequestContext.local(Principal.operator("test"));
      for (int i = 0; i < n; i++) {
        Patient p = new Patient();
        p.addName().setFamily("Ledger" + i);
        app.records().read(ctx, "Patient", app.records().create(ctx, p, null).id());
      }
    }
  }

  /** Serves with the witness, runs {@code during} against the base URL, stops; returns the run. */
  WardRunner.Run serve(Consumer during, String... extra) {
    List<String> args = new ArrayList<>(List.of("serve", "--plain-http", "--port", "0", "--checkpoint-interval", "100ms"));
    args.addAll(List.of(extra));
    StringWriter outSeen = new StringWriter();
    WardRunner.Run[] run = new WardRunner.Run[1];
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Main main = new Main(WardApp::open, ENV, Clock.systemUTC(), new SecureRandom(), System::nanoTime, false,
        stop -> {
          try {
            Matcher m = Pattern.compile("serving FHIR R4 at (http://\\S+)/fhir").matcher(out.toString());
            assertTrue(m.find(), out.toString());
            during.accept(m.group(1));
          } catch (Exception e) {
            throw new AssertionError(e);
          } finally {
            stop.run();
          }
        });
    args.addAll(List.of("--data", data.toString(), "--keys", keys.toString()));
    int code = new CommandLine(main).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args.toArray(String[]::new));
    run[0] = new WardRunner.Run(code, out.toString() + outSeen, err.toString());
    return run[0];
  }

  interface Consumer {
    void accept(String base) throws Exception;
  }

  WardRunner.Run ward(Main.ShutdownSignal shutdown, String... args) {
    return new WardRunner(data, keys, ENV).run(shutdown, args);
  }

  WardRunner.Run ward(String... args) {
    return new WardRunner(data, keys, ENV).run(args);
  }

  @Test
  void serve_signsCheckpoints_pushesThemToTheWitness_andServesProofsThatVerify() throws Exception {
    accesses(3);
    String token = ward("token", "create", "--name", "auditor").out().strip();
    CheckpointVerifier verifier = CheckpointVerifier.fromVerifierKey(ward("checkpoint", "key").out().strip());
    HttpClient http = HttpClient.newHttpClient();
    List<Integer> statuses = new ArrayList<>();
    Checkpoint[] seen = new Checkpoint[1];
    WardRunner.Run served = serve(base -> {
      HttpResponse<String> cp = get(http, base + "/ledger/checkpoint", token);
      assertEquals(200, cp.statusCode(), cp.body());
      assertTrue(cp.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      Checkpoint c = verifier.verify(cp.body());
      seen[0] = c;
      assertTrue(c.size() >= 6, "the operator's writes and reads are in it: " + c.size());

      JsonObject inc = JsonParser.parseString(get(http, base + "/ledger/proof/inclusion?index=2&size=" + c.size(), token).body())
          .getAsJsonObject();
      InclusionProof ip = new InclusionProof(2, c.size(), hashes(inc));
      assertTrue(ip.verify(Base64.getDecoder().decode(inc.get("leafHash").getAsString()), c.rootHash()));

      JsonObject con = JsonParser.parseString(get(http, base + "/ledger/proof/consistency?from=3&to=" + c.size(), token).body())
          .getAsJsonObject();
      assertEquals(3, con.get("from").getAsLong());

      statuses.add(get(http, base + "/ledger/checkpoint", null).statusCode());
      statuses.add(get(http, base + "/ledger/proof/inclusion?index=x&size=1", token).statusCode());
      statuses.add(get(http, base + "/ledger/proof/inclusion?index=5&size=5", token).statusCode());
      statuses.add(get(http, base + "/ledger/proof/consistency?from=2", token).statusCode());
      statuses.add(get(http, base + "/ledger/proof/consistency?from=1&to=" + (c.size() + 1000), token).statusCode());
      statuses.add(get(http, base + "/ledger/nothing", token).statusCode());
      HttpResponse<String> bad = get(http, base + "/ledger/proof/inclusion?index=x&size=1", token);
      assertTrue(bad.body().contains("OperationOutcome") && bad.body().contains("whole number"), bad.body());
    }, "--checkpoint-sink", witness.toString());
    assertEquals(0, served.code(), served.err());
    assertEquals(List.of(401, 400, 400, 400, 400, 404), statuses);
    assertTrue(served.err().contains("no checkpoint yet in " + witness), served.err());

    // The witness holds every checkpoint; the newest is the ledger's head at shutdown.
    try (Stream<Path> files = Files.list(witness)) {
      assertTrue(files.count() >= 2);
    }
    String newest = CheckpointSinkFiles.newest(witness);
    Checkpoint last = verifier.verify(newest);
    try (WardApp app = open()) {
      LedgerReader reader = new LedgerReader(app.dataSource());
      assertEquals(reader.size(), last.size());
      assertTrue(java.util.Arrays.equals(reader.head(last.size()).root(), last.rootHash()));
      // And the first checkpoint seen over HTTP is a prefix of it, provably.
      ConsistencyProof proof = reader.proveConsistency(seen[0].size(), last.size());
      assertTrue(proof.verify(seen[0].rootHash(), last.rootHash()));
    }

    // Restarting against the same witness passes its check.
    WardRunner.Run again = serve(base -> {}, "--checkpoint-sink", witness.toString());
    assertEquals(0, again.code(), again.err());
    assertTrue(again.err().contains("extends the checkpoint of"), again.err());
  }

  @Test
  void aRolledBackDatabase_isRefusedAtStartUp_andNamedByVerifyAgainstTheWitness() throws Exception {
    accesses(4);
    assertEquals(0, ward("checkpoint", "export", "--to", witness.toString()).code());
    Path kept = tmp.resolve("kept-checkpoint.txt");
    WardRunner.Run exported = ward("checkpoint", "export");
    assertEquals(0, exported.code(), exported.err());
    Files.writeString(kept, exported.out());
    long size = CheckpointVerifier.fromVerifierKey(ward("checkpoint", "key").out().strip()).verify(exported.out()).size();

    // An attacker with the owner's password rolls the ledger back and removes the newer checkpoints.
    try (WardApp app = open(); Connection c = app.ownerDataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("alter table ledger_batch disable trigger user");
      s.execute("alter table ledger_checkpoint disable trigger user");
      s.execute("delete from ledger_batch where first_idx >= 3");
      s.execute("delete from ledger_checkpoint where tree_size > 3");
      s.execute("alter table ledger_batch enable trigger user");
      s.execute("alter table ledger_checkpoint enable trigger user");
    }

    WardRunner.Run plain = ward("verify");
    assertEquals(0, plain.code(), "by itself a shorter log is a valid log: " + plain.out());

    WardRunner.Run refused = serve(base -> { throw new AssertionError("must not serve"); }, "--checkpoint-sink", witness.toString());
    assertEquals(5, refused.code(), refused.out() + refused.err());
    assertTrue(refused.err().contains("refusing to serve") && refused.err().contains("signed checkpoint of " + size + " entries"),
        refused.err());

    WardRunner.Run trusted = ward("verify", "--trusted", kept.toString());
    assertEquals(5, trusted.code(), trusted.out() + trusted.err());
    assertTrue(trusted.out().contains("ledger BROKEN at entry 3 (TRUNCATED)"), trusted.out());
    WardRunner.Run viaWitness = ward("verify", "--witness", witness.toString());
    assertEquals(5, viaWitness.code(), viaWitness.out());
  }

  @Test
  void proofCommands_printProofsThatVerify_andRefuseBadRanges() throws Exception {
    accesses(5);
    WardRunner.Run exported = ward("checkpoint", "export");
    Checkpoint c = CheckpointVerifier.fromVerifierKey(ward("checkpoint", "key").out().strip()).verify(exported.out());
    WardRunner.Run inc = ward("proof", "inclusion", "--index", "4", "--size", Long.toString(c.size()));
    assertEquals(0, inc.code(), inc.err());
    JsonObject json = JsonParser.parseString(inc.out()).getAsJsonObject();
    byte[] entry;
    try (WardApp app = open()) {
      entry = new LedgerReader(app.dataSource()).entry(4).orElseThrow();
    }
    assertTrue(new InclusionProof(4, c.size(), hashes(json)).verify(Merkle.leafHash(entry), c.rootHash()),
        "the proof ties the entry itself to the signed root");

    WardRunner.Run bad = ward("proof", "inclusion", "--index", "99", "--size", Long.toString(c.size()));
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("index must be between"), bad.err());
    assertEquals(2, ward("proof", "consistency", "--from", "3", "--to", "2").code());

    WardRunner.Run verified = ward("verify");
    assertEquals(0, verified.code(), verified.out());
    assertTrue(verified.out().contains("ledger intact: " + c.size() + " entries") && verified.out().contains("1 signed checkpoints matched"),
        verified.out());
  }

  @Test
  void serve_refusesAnUnreachableWitness_andBadCheckpointOptions() {
    WardRunner.Run unreachable = serve(base -> { throw new AssertionError("must not serve"); },
        "--checkpoint-sink", "http://127.0.0.1:9/nothing-listens");
    assertEquals(6, unreachable.code(), unreachable.err());
    assertTrue(unreachable.err().contains("could not read the newest checkpoint"), unreachable.err());
    assertEquals(2, ward("serve", "--checkpoint-interval", "soon").code());
    assertEquals(2, ward("serve", "--checkpoint-interval", "10ms").code());
    assertEquals(2, ward("serve", "--checkpoint-sink", "ftp://example.org/x").code());
  }

  @Test
  void tokenRoles_fromTheCommandLine() {
    WardRunner.Run bad = ward("token", "create", "--name", "x", "--role", "operator");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--role"), bad.err());
    assertEquals(2, ward("token", "create", "--name", "x", "--role", "superuser").code());
    assertEquals(0, ward("token", "create", "--name", "dpo", "--role", "auditor", "--quiet").code());
    WardRunner.Run listed = ward("token", "list");
    assertTrue(listed.out().contains("dpo   auditor"), listed.out());
  }

  static List<byte[]> hashes(JsonObject proof) {
    List<byte[]> out = new ArrayList<>();
    proof.getAsJsonArray("hashes").forEach(h -> out.add(Base64.getDecoder().decode(h.getAsString())));
    return out;
  }

  static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The newest checkpoint file of a directory witness. */
  static final class CheckpointSinkFiles {
    static String newest(Path dir) throws Exception {
      try (Stream<Path> files = Files.list(dir)) {
        Path last = files.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).sorted().reduce((a, b) -> b).orElseThrow();
        return Files.readString(last);
      }
    }
  }
}
