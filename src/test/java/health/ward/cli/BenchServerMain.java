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
    boolean durable = switch (args[1]) {
      case "durable" -> true;
      case "memory" -> false;
      default -> throw new IllegalArgumentException("durable or memory, not " + args[1]);
    };
    Path root = args.length > 2 ? Files.createDirectories(Path.of(args[2])) : Files.createTempDirectory("ward-bench");
    UnaryOperator<Ledger> audit = durable ? UnaryOperator.identity() : l -> new DroppingLedger();
    WardApp app = WardApp.open(
        WardConfig.defaults(root.resolve("data"), root.resolve("keys")).withPassphrase("bench-not-secret".toCharArray()),
        Clock.systemUTC(), new SecureRandom(), audit);
    String token = app.tokens().create("bench").secret().reveal();
    FhirServer server = new FhirServer(app.records(), app.transparency(), app.authenticator(),
        ServerConfig.selfSigned(root.resolve("data").resolve("tls")).withPort(port)).start();
    System.out.println("ready " + server.baseUrl() + " " + token);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
