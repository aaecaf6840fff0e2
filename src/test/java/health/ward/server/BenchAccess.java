package health.ward.server;

import health.ward.access.Principal;
import health.ward.common.WardException;
import health.ward.records.RequestContext;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import org.hl7.fhir.r4.model.Patient;

/** Test-side entry for benchmarks: the real server over {@link FakeRecords}, one stored Patient. */
public final class BenchAccess {
  private BenchAccess() {}

  public static void main(String[] args) throws Exception {
    Principal p = new Principal("bench", "bench", Principal.Kind.API_TOKEN);
    FakeRecords records = new FakeRecords(Clock.systemUTC());
    Patient pt = new Patient();
    pt.addName().setFamily("Bench").addGiven("Mark");
    records.update(RequestContext.local(p), "Patient", "bench", pt, null);
    ServerConfig cfg = ServerConfig.selfSigned(Files.createTempDirectory("bench-tls")).withPort(Integer.parseInt(args[0]));
    FhirServer s = new FhirServer(records, t -> {
      if (t.equals("bench")) return p;
      throw new WardException.Unauthenticated("no");
    }, cfg, Clock.systemUTC(), new SecureRandom()).start();
    System.out.println("ready " + s.baseUrl());
    Thread.sleep(Long.MAX_VALUE);
  }
}
