package health.ward.cli;

import health.ward.access.Role;
import health.ward.auth.SignIn;
import health.ward.common.WardException;
import health.ward.ledger.CheckpointSink;
import health.ward.ledger.WitnessCheck;
import health.ward.records.CareSettings;
import health.ward.server.FhirServer;
import health.ward.server.ServerConfig;
import health.ward.watch.AlertSink;
import health.ward.watch.Response;
import health.ward.watch.SyslogSink;
import health.ward.watch.WatchSettings;
import health.ward.watch.WebhookSink;
import java.io.PrintWriter;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ward serve}: opens Ward and serves the FHIR API until SIGTERM or SIGINT. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the FHIR R4 API over HTTPS (a self-signed certificate under --data unless --tls-cert/--tls-key).",
      "Stops cleanly on SIGTERM or Ctrl-C."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", paramLabel = "N", defaultValue = "8443", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain (PEM) to serve instead of the self-signed one.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (PEM) of --tls-cert.")
  Path tlsKey;

  @Option(names = "--plain-http", description = "Serve plain HTTP (only behind a TLS-terminating proxy on the same host).")
  boolean plainHttp;

  @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "16MiB", description = "Largest request body: bytes, or with k, m, g / KiB, MiB, GiB (default: ${DEFAULT-VALUE}).")
  String maxBody;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "64", description = "Request threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--checkpoint-sink",
      paramLabel = "DIR|URL",
      description = {
        "Push every signed ledger checkpoint to this witness: a directory (ideally another host's mount) or an"
            + " http(s) URL (POST note, GET newest). Repeatable. At start-up the ledger must extend the newest"
            + " checkpoint each sink holds, or Ward refuses to serve."
      })
  List<String> checkpointSinks = new ArrayList<>();

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "DURATION",
      defaultValue = "1s",
      description = "How often to sign a checkpoint while entries arrive: e.g. 500ms, 1s, 5s (default: ${DEFAULT-VALUE}).")
  String checkpointInterval;

  @Option(names = "--rp-id", paramLabel = "HOST", defaultValue = "localhost",
      description = "Host name staff reach Ward at, for WebAuthn (passkeys are bound to it) (default: ${DEFAULT-VALUE}).")
  String rpId;

  @Option(names = "--origin", paramLabel = "URL",
      description = "Exact origin of the sign-in page, e.g. https://ward.example.org:8443 (repeatable; default: any port on the --rp-id host).")
  List<String> origins = new ArrayList<>();

  @Option(names = "--session-idle", paramLabel = "DURATION", defaultValue = "15m",
      description = "A staff session dies after this long without a request (default: ${DEFAULT-VALUE}).")
  String sessionIdle;

  @Option(names = "--session-lifetime", paramLabel = "DURATION", defaultValue = "12h",
      description = "A staff session dies this long after sign-in in any case (default: ${DEFAULT-VALUE}).")
  String sessionLifetime;

  @Option(names = "--totp-role", paramLabel = "ROLE", split = ",",
      description = "Roles that may sign in with TOTP instead of WebAuthn (default: clerk,auditor; clinical and administrative roles need WebAuthn).")
  List<String> totpRoles = new ArrayList<>(List.of("clerk", "auditor"));

  @Option(names = "--encounter-window", paramLabel = "DURATION", defaultValue = "30d",
      description = "How long after an encounter ends its participants keep access to the patient (default: ${DEFAULT-VALUE}).")
  String encounterWindow;

  @Option(names = "--break-glass-duration", paramLabel = "DURATION", defaultValue = "8h",
      description = "How long a break-the-glass grant lasts (default: ${DEFAULT-VALUE}).")
  String breakGlassDuration;

  @Option(names = "--watch-response", paramLabel = "DETECTOR=RESPONSE",
      description = "Replace a detector's response: off, alert, throttle, step-up or revoke, e.g. off-hours=off,"
          + " new-address=alert (repeatable; see docs/detection.md for detectors and their defaults).")
  List<String> watchResponses = new ArrayList<>();

  @Option(names = "--alert-syslog", paramLabel = "URI",
      description = "Send every alert as RFC 5424 syslog to udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (repeatable).")
  List<String> alertSyslog = new ArrayList<>();

  @Option(names = "--alert-webhook", paramLabel = "URL", description = "POST every alert as JSON to this URL (repeatable).")
  List<String> alertWebhooks = new ArrayList<>();

  @Option(names = "--alert-webhook-secret", paramLabel = "FILE",
      description = "A file holding a shared secret: each webhook POST carries X-Ward-Signature: sha256=HMAC of the body.")
  Path alertWebhookSecret;

  @Option(names = "--time-zone", paramLabel = "ZONE",
      description = "The hospital's time zone, for working hours (default: this machine's, ${DEFAULT-VALUE}).",
      defaultValue = "${sys:user.timezone}")
  String timeZone;

  /** What the HTTP front end needs, resolved from the flags; {@link #startServer} maps it onto the server's config. */
  record HttpSettings(
      String host, int port, TlsMode tls, Path tlsDir, Path certPath, Path keyPath, long maxBodyBytes, int threads) {
    HttpSettings {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(tls, "tls");
      if (port < 0 || port > 65_535) throw new IllegalArgumentException("port must be 0..65535, was " + port);
      if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be >= 1");
      if (threads < 8) throw new IllegalArgumentException("threads must be >= 8");
    }

    String scheme() {
      return tls == TlsMode.PLAIN_HTTP ? "http" : "https";
    }
  }

  enum TlsMode { SELF_SIGNED, PEM, PLAIN_HTTP }

  /** A started HTTP front end. */
  interface RunningServer extends AutoCloseable {
    String baseUrl();

    @Override
    void close();
  }

  @Override
  public Integer call() {
    HttpSettings http = settings();
    List<CheckpointSink> sinks = sinks();
    List<AlertSink> alerting = alertSinks();
    Duration interval = interval();
    Main main = Main.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return Main.guard(
        spec,
        () -> {
          WardConfig config = main.config(common).withCare(care());
          SignIn.Settings identity = identitySettings(http);
          WatchSettings watching = watchSettings(config);
          if (config.passphrase() == null) {
            err.println(
                "ward: WARNING: " + Main.PASSPHRASE_ENV + " is not set, so the key-encryption key in "
                    + common.keys + " is not passphrase-protected: whoever copies that directory and the"
                    + " database can read every record. Set it for anything but a trial.");
          }
          if (http.tls() == TlsMode.PLAIN_HTTP && !isLoopback(http.host())) {
            err.println(
                "ward: WARNING: plain HTTP on " + http.host() + ": tokens and records cross the network"
                    + " unencrypted unless a TLS proxy sits in front on this host.");
          }
          err.flush();
          WardApp app = main.open(config);
          RunningServer server;
          try {
            int refused = checkLedger(app, sinks, err);
            if (refused != ExitCodes.OK) {
              app.close();
              return refused;
            }
            app.startCheckpoints(sinks, interval, w -> {
              err.println("ward: WARNING: " + w);
              err.flush();
            });
            app.startOutboxDrain(Duration.ofMillis(500), w -> {
              err.println("ward: WARNING: " + w);
              err.flush();
            });
            app.startWatch(watching, alerting);
            server = startServer(app, http, identity);
          } catch (RuntimeException e) {
            app.close();
            if (causedBy(e, BindException.class)) {
              throw new WardException.InvalidRequest(
                  "cannot listen on " + http.host() + ":" + http.port() + ": address in use or not available"
                      + " (choose another --host/--port)");
            }
            throw e;
          }
          printWelcome(out, server.baseUrl(), rpId, http, List.of(
              "  Audit ledger: a checkpoint signed every " + interval.toMillis() + " ms at "
                  + server.baseUrl().replaceFirst("/fhir$", "") + "/ledger/checkpoint"
                  + (sinks.isEmpty()
                      ? " (no --checkpoint-sink: keep copies off this host)"
                      : ", pushed to " + String.join(", ", sinks.stream().map(CheckpointSink::describe).toList())),
              "  Verifier key of the checkpoints: " + app.verifierKey(),
              "  Watch: every access scored; alerts at " + server.baseUrl().replaceFirst("/fhir$", "") + "/admin/alerts"
                  + (alerting.isEmpty() ? "" : " and " + String.join(", ", alerting.stream().map(AlertSink::describe).toList()))));
          AtomicBoolean stopped = new AtomicBoolean();
          main.shutdown()
              .awaitThen(
                  () -> {
                    if (!stopped.compareAndSet(false, true)) return;
                    err.println("ward: stopping");
                    err.flush();
                    try {
                      server.close();
                    } finally {
                      app.close();
                    }
                  });
          return ExitCodes.OK;
        });
  }

  /**
   * Checks the ledger against every witness before serving: a witness that cannot be read or that
   * holds a checkpoint the ledger does not extend stops start-up, with what was found and what to
   * do. Returns the exit code to stop with, or OK.
   */
  static int checkLedger(WardApp app, List<CheckpointSink> sinks, PrintWriter err) {
    List<java.util.function.Supplier<WitnessCheck.Result>> checks = new ArrayList<>();
    checks.add(app::checkStoredCheckpoint);
    for (CheckpointSink sink : sinks) checks.add(() -> app.checkWitness(sink));
    for (var check : checks) {
      WitnessCheck.Result r = check.get();
      if (!r.ok()) {
        err.println("ward: refusing to serve: " + r.message());
        err.flush();
        return r instanceof WitnessCheck.Unreachable ? ExitCodes.UNAVAILABLE : ExitCodes.INTEGRITY;
      }
      err.println("ward: ledger check: " + r.message());
    }
    err.flush();
    return ExitCodes.OK;
  }

  WatchSettings watchSettings(WardConfig config) {
    Map<String, Response> responses = new LinkedHashMap<>();
    for (String r : watchResponses) {
      int eq = r.indexOf('=');
      try {
        if (eq < 1) throw new IllegalArgumentException("expected DETECTOR=RESPONSE, got '" + r + "'");
        responses.put(r.substring(0, eq).strip(), Response.of(r.substring(eq + 1).strip()));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--watch-response: " + e.getMessage());
      }
    }
    ZoneId zone;
    try {
      zone = timeZone == null || timeZone.isBlank() ? ZoneId.systemDefault() : ZoneId.of(timeZone.strip());
    } catch (java.time.DateTimeException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--time-zone: unknown zone '" + timeZone + "'");
    }
    try {
      return WatchSettings.defaults(zone).withResponses(responses).withEncounterWindow(config.care().encounterWindow());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--watch-response: " + e.getMessage());
    }
  }

  List<AlertSink> alertSinks() {
    List<AlertSink> out = new ArrayList<>();
    for (String uri : alertSyslog) {
      try {
        out.add(new SyslogSink(java.net.URI.create(uri.strip()), hostName()));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--alert-syslog: " + e.getMessage());
      }
    }
    byte[] secret = null;
    if (alertWebhookSecret != null) {
      try {
        secret = java.nio.file.Files.readString(alertWebhookSecret).strip().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--alert-webhook-secret: cannot read " + alertWebhookSecret);
      }
      if (secret.length < 16) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--alert-webhook-secret: the secret must be at least 16 characters");
      }
    }
    for (String url : alertWebhooks) {
      try {
        java.net.URI u = java.net.URI.create(url.strip());
        if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) throw new IllegalArgumentException("not an http(s) URL: " + url);
        out.add(new WebhookSink(u, secret));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--alert-webhook: " + e.getMessage());
      }
    }
    return out;
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "ward";
    }
  }

  List<CheckpointSink> sinks() {
    List<CheckpointSink> out = new ArrayList<>();
    for (String spec0 : checkpointSinks) {
      try {
        out.add(CheckpointSink.parse(spec0));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--checkpoint-sink: " + e.getMessage());
      }
    }
    return out;
  }

  Duration interval() {
    Matcher m = DURATION.matcher(checkpointInterval == null ? "" : checkpointInterval.strip());
    if (!m.matches()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--checkpoint-interval: expected a duration like 500ms, 1s or 1m, got '" + checkpointInterval + "'");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          default -> Duration.ofMinutes(n);
        };
    if (d.compareTo(Duration.ofMillis(100)) < 0 || d.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--checkpoint-interval must be between 100ms and 10m, was " + checkpointInterval);
    }
    return d;
  }

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m)", Pattern.CASE_INSENSITIVE);

  /** Resolves and checks the HTTP flags; inconsistent ones are usage errors. */
  HttpSettings settings() {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
    }
    if (plainHttp && tlsCert != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--plain-http excludes --tls-cert/--tls-key");
    }
    if (port < 0 || port > 65_535) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 0..65535, was " + port);
    }
    if (threads < 8 || threads > 4096) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be 8..4096, was " + threads);
    }
    long body;
    try {
      body = parseSize(maxBody);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--max-body: " + e.getMessage());
    }
    TlsMode mode = plainHttp ? TlsMode.PLAIN_HTTP : tlsCert != null ? TlsMode.PEM : TlsMode.SELF_SIGNED;
    return new HttpSettings(host, port, mode, common.data.resolve("tls"), tlsCert, tlsKey, body, threads);
  }

  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(?:([kmg])(?:i?b)?|b)?", Pattern.CASE_INSENSITIVE);

  /** "65536", "512k", "16MiB", "64MB", "1g": bytes, or binary multiples (k, m, g; KiB, MB, … alike). */
  static long parseSize(String s) {
    Matcher m = SIZE.matcher(s == null ? "" : s.trim());
    if (!m.matches()) throw new IllegalArgumentException("expected a size like 65536, 512k, 64m or 1g, got '" + s + "'");
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          default -> 0;
        };
    if (n == 0 || n > (Long.MAX_VALUE >> shift)) throw new IllegalArgumentException("size out of range: '" + s + "'");
    return n << shift;
  }

  /** The care-relationship window and break-the-glass duration from the flags. */
  CareSettings care() {
    try {
      return new CareSettings(duration("--encounter-window", encounterWindow), duration("--break-glass-duration", breakGlassDuration));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** Session timeouts, factor policy and the WebAuthn relying party from the flags. */
  SignIn.Settings identitySettings(HttpSettings http) {
    java.util.EnumSet<Role> totp = java.util.EnumSet.noneOf(Role.class);
    for (String r : totpRoles) {
      try {
        Role role = Role.of(r);
        if (!role.staff()) throw new IllegalArgumentException("'" + r + "' is not a staff role");
        totp.add(role);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--totp-role: " + e.getMessage());
      }
    }
    if (rpId == null || !rpId.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--rp-id is a host name such as ward.example.org");
    }
    java.util.Set<String> allowed = new java.util.LinkedHashSet<>(origins);
    if (allowed.isEmpty()) allowed.add(http.scheme() + "://" + rpId);
    try {
      return new SignIn.Settings(duration("--session-idle", sessionIdle), duration("--session-lifetime", sessionLifetime), totp,
          rpId, allowed, 20);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--session-idle/--session-lifetime: " + e.getMessage());
    }
  }

  private static final Pattern LONG_DURATION = Pattern.compile("(\\d{1,6})\\s*(s|m|h|d)", Pattern.CASE_INSENSITIVE);

  /** "90s", "15m", "12h", "30d". */
  Duration duration(String option, String text) {
    Matcher m = LONG_DURATION.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new CommandLine.ParameterException(spec.commandLine(), option + ": expected a duration like 90s, 15m, 12h or 30d, got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The one place that builds and starts the HTTP server. */
  static RunningServer startServer(WardApp app, HttpSettings http) {
    return startServer(app, http, null);
  }

  static RunningServer startServer(WardApp app, HttpSettings http, SignIn.Settings identity) {
    ServerConfig.Tls tls =
        switch (http.tls()) {
          case SELF_SIGNED -> ServerConfig.Tls.SELF_SIGNED;
          case PEM -> ServerConfig.Tls.PEM;
          case PLAIN_HTTP -> ServerConfig.Tls.PLAIN;
        };
    ServerConfig cfg = new ServerConfig(
        http.host(), http.port(), tls, http.tlsDir(), http.certPath(), http.keyPath(), http.maxBodyBytes(), http.threads());
    FhirServer server =
        (identity == null
            ? new FhirServer(app.records(), app.transparency(), app.authenticator(), cfg)
            : new FhirServer(app.records(), app.transparency(), app.identity(identity), cfg))
            .start();
    return new RunningServer() {
      @Override
      public String baseUrl() {
        return server.baseUrl();
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }

  private static void printWelcome(PrintWriter out, String baseUrl, String rpId, HttpSettings http, List<String> ledger) {
    out.println("Ward is serving FHIR R4 at " + baseUrl);
    switch (http.tls()) {
      case SELF_SIGNED -> out.println(
          "  TLS: self-signed certificate in " + http.tlsDir() + " (trust it in clients, or curl -k for a first look)");
      case PEM -> out.println("  TLS: " + http.certPath());
      case PLAIN_HTTP -> out.println("  plain HTTP: put a TLS proxy in front");
    }
    ledger.forEach(out::println);
    out.println("  Staff sign in at:  " + baseUrl.replaceFirst("/fhir$", "").replaceFirst("//[^/]+:", "//" + rpId + ":") + "/signin"
        + "  (first administrator: ./ward user add NAME --role administrator --name \"…\")");
    out.println("  Get an API token:  ./ward token create --name NAME");
    out.println("  Then:              curl -H \"Authorization: Bearer $TOKEN\" " + baseUrl + "/metadata");
    out.println("Stop with Ctrl-C or SIGTERM.");
    out.flush();
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) return true;
    }
    return false;
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
