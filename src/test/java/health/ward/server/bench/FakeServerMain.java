package health.ward.server.bench;

/** Starts the FHIR server over the in-memory records double for load tests; prints base URL. */
public final class FakeServerMain {
  public static void main(String[] args) throws Exception {
    health.ward.server.BenchAccess.main(args);
  }
}
