package health.ward.cli;

import health.ward.ledger.Ledger;
import health.ward.server.FhirServer;
import health.ward.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * Ward's FHIR server for the ledger-overhead benchmark ({@code ./ward bench ledger-overhead}): a
 * fresh data and key directory, HTTPS with a self-signed certificate, and access events appended
 * either to the durable ledger (as in production) or, with {@code memory}, counted and dropped, so
 * that the difference is what the durable, group-committed ledger costs. Not a test.
 * Usage: BenchServerMain PORT durable|memory [DIR]. Prints "ready BASE_URL TOKEN".
 *
 * <p>With {@code watch-on} or {@code watch-off} ({@code ./ward bench watch}): a durable server with
 * the watch running (every detector scoring every access) or not, so that the difference is what
 * the detectors cost a read.
 *
 * <p>With {@code care} instead ({@code ./ward bench care}): a durable server holding {@code
 * PATIENTS} patients, each on a CareTeam with the practitioner of a signed-in physician, their ids
 * in {@code DIR/ids.tsv} (LoadGen's --state format); prints "ready BASE_URL TOKEN PHYSICIAN_TOKEN",
 * so the same reads can be timed as an integration and as a clinician whose every access is decided
 * by care relationship and consent.
 */
public final class BenchServerMain {
  private BenchServerMain() {}

  /** Counts entries and keeps none: everything up to the ledger (encoding, pseudonyms) still runs. */
  static final class DroppingLedger implements Ledger {
    private final AtomicLong size = new AtomicLong();

    @Override
    public long append(byte[] entry) {
      return size.getAndIncrement();
    }

    @Override
    public long size() {
      return size.get();
    }

    @Override
    public void close() {}
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean care = args[1].equals("care");
    boolean durable = switch (args[1]) {
      case "durable", "care", "watch-on", "watch-off" -> true;
      case "memory" -> false;
      default -> throw new IllegalArgumentException("durable, memory, care, watch-on or watch-off, not " + args[1]);
    };
    Path root = args.length > 2 ? Files.createDirectories(Path.of(args[2])) : Files.createTempDirectory("ward-bench");
    UnaryOperator<Ledger> audit = durable ? UnaryOperator.identity() : l -> new DroppingLedger();
    WardApp app = WardApp.open(
        WardConfig.defaults(root.resolve("data"), root.resolve("keys")).withPassphrase("bench-not-secret".toCharArray()),
        Clock.systemUTC(), new SecureRandom(), audit);
    String token = app.tokens().create("bench").secret().reveal();
    if (args[1].equals("watch-on")) {
      // Every detector runs on every access; those whose responses would stop a benchmark that reads
      // thousands of patients a second with a token of no history are told to do nothing with what they find.
      app.startWatch(health.ward.watch.WatchSettings.defaults(java.time.ZoneOffset.UTC).withResponses(java.util.Map.of(
          "bulk-access", health.ward.watch.Response.OFF, "search-enumeration", health.ward.watch.Response.OFF,
          "request-velocity", health.ward.watch.Response.OFF)), java.util.List.of());
    }
    String physician = care ? physicianWithPatients(app, root, Integer.getInteger("bench.patients", 2000)) : "";
    FhirServer server = new FhirServer(app.records(), app.transparency(), app.authenticator(),
        ServerConfig.selfSigned(root.resolve("data").resolve("tls")).withPort(port)).start();
    System.out.println("ready " + server.baseUrl() + " " + token + (care ? " " + physician : ""));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  /**
   * Patients on a CareTeam with Practitioner/bench-physician, their ids written for LoadGen, and a
   * session of a physician who is that practitioner (issued directly: the bench times reads, not
   * the WebAuthn ceremony).
   */
  static String physicianWithPatients(WardApp app, Path root, int patients) throws Exception {
    var op = health.ward.records.RequestContext.local(health.ward.access.Principal.operator("bench"));
    String practitioner = "Practitioner/" + app.records().create(op, new org.hl7.fhir.r4.model.Practitioner(), null).id();
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i < patients; i++) {
      org.hl7.fhir.r4.model.Patient p = new org.hl7.fhir.r4.model.Patient();
      p.addIdentifier().setSystem("urn:ward:bench").setValue("p" + i);
      p.addName().setFamily("Bench" + i);
      String id = app.records().create(op, p, null).id();
      org.hl7.fhir.r4.model.CareTeam t = new org.hl7.fhir.r4.model.CareTeam()
          .setStatus(org.hl7.fhir.r4.model.CareTeam.CareTeamStatus.ACTIVE)
          .setSubject(new org.hl7.fhir.r4.model.Reference("Patient/" + id));
      t.addParticipant().setMember(new org.hl7.fhir.r4.model.Reference(practitioner));
      app.records().create(op, t, null);
      ids.append(id).append('\t').append("urn:ward:bench|p").append(i).append('\n');
    }
    Files.writeString(root.resolve("ids.tsv"), ids.toString());
    var identity = app.identity(health.ward.auth.SignIn.Settings.defaults("localhost", java.util.Set.of("https://localhost")));
    identity.directory().add(op, new health.ward.auth.StaffDirectory.NewUser("bench-physician", "Bench Physician",
        health.ward.access.Role.PHYSICIAN, practitioner, java.util.List.of()));
    long userId = identity.directory().find("bench-physician").orElseThrow().id();
    try (var c = app.dataSource().getConnection(); var s = c.createStatement()) {
      s.executeUpdate("update staff_user set status = 'active' where id = " + userId);
    }
    return app.tokens().issue(op, new health.ward.auth.ApiTokens.Issue("bench-physician", health.ward.access.Role.PHYSICIAN,
        health.ward.access.Scopes.parse("user/*.cruds"), userId, null, java.time.Duration.ofHours(12),
        java.time.Duration.ofHours(1), null)).secret().reveal();
  }
}
