package health.ward.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.StrictErrorHandler;
import health.ward.auth.Authenticator;
import health.ward.auth.Identity;
import health.ward.breach.LedgerTransparency;
import health.ward.records.RecordsService;
import jakarta.servlet.DispatcherType;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.hl7.fhir.r4.model.Resource;

/**
 * The FHIR R4 REST endpoint of Ward at {@code /fhir}: HAPI's plain {@code RestfulServer} on Jetty,
 * over TLS unless plain HTTP was explicitly configured. Every interaction except
 * {@code GET /fhir/metadata} needs a bearer token and goes to the records service, which decides and
 * audits; this class only translates HTTP.
 *
 * <p>Lifecycle: construct, {@link #start()}, then {@link #close()} (graceful: in-flight requests get
 * up to {@value #STOP_TIMEOUT_MS} ms). Not restartable.
 */
public final class FhirServer implements AutoCloseable {
  static final String PATH = "/fhir";
  static final long STOP_TIMEOUT_MS = 10_000;

  private final ServerConfig cfg;
  private final Server jetty;
  private final ServerConnector connector;

  public FhirServer(RecordsService records, LedgerTransparency ledger, Authenticator auth, ServerConfig cfg) {
    this(records, ledger, auth, null, cfg, Clock.systemUTC(), new SecureRandom());
  }

  /** A server with staff sign-in ({@code /signin}, {@code /enrol}, {@code /auth}) and administration ({@code /admin}). */
  public FhirServer(RecordsService records, LedgerTransparency ledger, Identity identity, ServerConfig cfg) {
    this(records, ledger, identity.tokens(), identity, cfg, Clock.systemUTC(), new SecureRandom());
  }

  FhirServer(RecordsService records, LedgerTransparency ledger, Authenticator auth, ServerConfig cfg, Clock clock, SecureRandom random) {
    this(records, ledger, auth, null, cfg, clock, random);
  }

  FhirServer(
      RecordsService records,
      LedgerTransparency ledger,
      Authenticator auth,
      Identity identity,
      ServerConfig cfg,
      Clock clock,
      SecureRandom random) {
    Objects.requireNonNull(records, "records");
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(auth, "auth");
    this.cfg = Objects.requireNonNull(cfg, "cfg");
    FhirContext ctx = FhirContext.forR4Cached();
    // HAPI parses request bodies with the context's handler. The strict one refuses unknown
    // elements and invalid values with a 400 naming them (nothing a client sent is silently
    // dropped) and, unlike the default lenient one, never logs the offending value (logs hold no PHI).
    ctx.setParserErrorHandler(new StrictErrorHandler());

    QueuedThreadPool pool = new QueuedThreadPool(cfg.threads(), Math.min(8, cfg.threads()));
    pool.setName("ward-http");
    this.jetty = new Server(pool);
    jetty.setStopTimeout(STOP_TIMEOUT_MS);

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    http.setRequestHeaderSize(16 * 1024);
    if (cfg.tls() == ServerConfig.Tls.PLAIN) {
      connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
    } else {
      http.setSecureScheme("https");
      SecureRequestCustomizer src = new SecureRequestCustomizer();
      // Clients verify the certificate; a name mismatch is theirs to refuse, not a 400 from us.
      src.setSniHostCheck(false);
      http.addCustomizer(src);
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      // The key store lives only in memory; its password only satisfies the KeyStore API.
      String password = HexFormat.of().formatHex(bytes(random));
      ssl.setKeyStore(identity(cfg, clock, random).keyStore(password.toCharArray()));
      ssl.setKeyStorePassword(password);
      ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
      ssl.setSniRequired(false);
      connector =
          new ServerConnector(jetty, 1, 1, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    }
    connector.setHost(cfg.host());
    connector.setPort(cfg.port());
    connector.setIdleTimeout(30_000);
    jetty.addConnector(connector);

    SearchPages pages = new SearchPages();
    List<RecordProvider> providers = new ArrayList<>();
    for (String type : new TreeSet<>(records.resourceTypes())) {
      @SuppressWarnings("unchecked")
      Class<? extends Resource> cls = (Class<? extends Resource>) ctx.getResourceDefinition(type).getImplementingClass();
      providers.add(new RecordProvider(type, cls, records, pages));
    }
    WardRestfulServer servlet =
        new WardRestfulServer(
            ctx,
            providers,
            new AuditEventProvider(records, pages),
            List.of(new SystemProvider(records), new BreakGlassProvider(records)),
            new CapabilityProvider(ctx, records, clock, version()),
            List.of(new ErrorInterceptor()));

    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    ServletHolder holder = new ServletHolder("fhir", servlet);
    holder.setInitOrder(1);
    context.addServlet(holder, PATH + "/*");
    // Order matters: authenticate before reading any body.
    context.addFilter(new FilterHolder(new BearerAuthFilter(auth, records, ctx)), PATH + "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(new FilterHolder(new BodyLimitFilter(cfg.maxBodyBytes(), ctx)), PATH + "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(new FilterHolder(new BufferedResponseFilter()), PATH + "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder("ledger", new LedgerServlet(ledger, ctx)), LedgerServlet.PATH + "/*");
    context.addFilter(new FilterHolder(new BearerAuthFilter(auth, records, ctx)), LedgerServlet.PATH + "/*",
        EnumSet.of(DispatcherType.REQUEST));
    if (identity != null) {
      context.addServlet(new ServletHolder("auth", new AuthServlet(identity)), AuthServlet.PATH + "/*");
      context.addServlet(new ServletHolder("admin", new AdminServlet(identity, records)), AdminServlet.PATH + "/*");
      ServletHolder web = new ServletHolder("pages", new PagesServlet(random));
      context.addServlet(web, "/signin");
      context.addServlet(web, "/enrol");
      context.addServlet(web, "/auth-assets/*");
    }
    context.setErrorHandler(new OutcomeErrorPages.ForContext());
    jetty.setErrorHandler(new OutcomeErrorPages.ForServer());
    jetty.setHandler(new GracefulHandler(context));
  }

  private static byte[] bytes(SecureRandom random) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    return b;
  }

  private static TlsIdentity identity(ServerConfig cfg, Clock clock, SecureRandom random) {
    return switch (cfg.tls()) {
      case PEM -> TlsIdentity.fromPem(cfg.certPath(), cfg.keyPath());
      case SELF_SIGNED -> {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
        if (!cfg.host().equals("0.0.0.0") && !cfg.host().equals("::")) names.add(cfg.host());
        yield TlsIdentity.selfSigned(cfg.tlsDir(), names, clock, random);
      }
      case PLAIN -> throw new IllegalStateException("no TLS identity for plain HTTP");
    };
  }

  private static String version() {
    String v = FhirServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Binds the port and starts serving; the FHIR servlet is initialised before this returns. */
  public FhirServer start() {
    try {
      jetty.start();
    } catch (Exception e) {
      try {
        jetty.stop();
      } catch (Exception ignored) {
        // already failing; the start failure is the one to report
      }
      throw new IllegalStateException("cannot start the FHIR server on " + cfg.host() + ":" + cfg.port(), e);
    }
    return this;
  }

  /** The bound port (the real one when configured with port 0); -1 before start. */
  public int port() {
    return connector.getLocalPort();
  }

  /** The FHIR base URL, e.g. {@code https://127.0.0.1:8443/fhir}. */
  public String baseUrl() {
    String host = cfg.host().contains(":") ? "[" + cfg.host() + "]" : cfg.host();
    return (cfg.tls() == ServerConfig.Tls.PLAIN ? "http" : "https") + "://" + host + ":" + port() + PATH;
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then stops. */
  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (Exception e) {
      throw new IllegalStateException("FHIR server did not stop cleanly", e);
    }
  }
}
