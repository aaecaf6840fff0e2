package health.ward.watch;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An alert sink that sends each alert as one RFC 5424 syslog message to the hospital's SIEM, over
 * UDP ({@code udp://host:port}, RFC 5426), TCP ({@code tcp://host:port}, RFC 6587 octet counting)
 * or TLS ({@code tls://host:port}, RFC 5425). Facility 13 (log audit); the severity is the alert's.
 *
 * <p>Message layout (RFC 5424 section 6), one space between fields:
 *
 * <pre>
 * &lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID PARAM="VALUE" …] BOM MSG
 *
 * PRI        13 * 8 + severity (RFC 5424 numbers: critical 2 … notice 5), so 106 … 109
 * TIMESTAMP  alert.at() in UTC with milliseconds: 2026-03-02T09:15:30.250Z
 * HOSTNAME   the Ward host name given to the constructor, printable US-ASCII, at most 255
 * APP-NAME   ward
 * PROCID     - (nil)
 * MSGID      the detector name, printable US-ASCII, at most 32
 * SD         [alert@32473 id detector severity actor actorName role session address patient
 *            response ledgerIndex], a null value left out, '"' '\' ']' escaped with '\'
 * MSG        U+FEFF (BOM) then the explanation in UTF-8
 * </pre>
 *
 * On TCP and TLS each message is framed as {@code LEN SP MESSAGE}, LEN the message's length in
 * octets in decimal (RFC 6587 section 3.4.1, RFC 5425 section 4.3). Over UDP a message is one
 * datagram of at most {@value #MAX_DATAGRAM} octets; a longer explanation is cut on a character
 * boundary and ends with {@code …}.
 *
 * <p>Guarantees and failure modes: a TCP or TLS connection is kept open between alerts; one the
 * collector has closed or reset is noticed before writing and made again. Any failure to connect or
 * write throws {@link IOException} (and drops the connection) so that {@link AlertDelivery}
 * retries. Syslog has no acknowledgement: a message written just before the collector drops the
 * connection, or a datagram lost in the network, is lost without an error; the alert itself is in
 * the database and the ledger before it reaches a sink. TLS uses the JDK's default trust store
 * unless an {@link SSLContext} is given, and checks the collector's certificate against the host
 * in the URI (RFC 2818 rules, as for HTTPS). After {@link #close()} every delivery throws.
 */
public final class SyslogSink implements AlertSink {
  /** The structured-data id of Ward's alert element; 32473 is the private enterprise number RFC 5612 reserves for documentation. */
  static final String SD_ID = "alert@32473";
  /** RFC 5424 facility 13, log audit. */
  static final int FACILITY = 13;
  static final int MAX_DATAGRAM = 8 * 1024;
  static final int MAX_HOSTNAME = 255;
  static final int MAX_MSGID = 32;
  private static final String APP_NAME = "ward";
  private static final String NIL = "-";
  private static final char BOM = '\uFEFF';
  private static final byte[] TRUNCATED = "…".getBytes(StandardCharsets.UTF_8);
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  // Long enough for the kernel to report a close or reset already received; a collector never sends data.
  private static final int PROBE_TIMEOUT_MS = 1;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private enum Transport { UDP, TCP, TLS }

  private final Transport transport;
  private final String host;
  private final int port;
  private final String hostname;
  private final SSLContext tls;
  private final ReentrantLock sending = new ReentrantLock();
  // Volatile, not under the lock: close() must be able to break a write that blocks forever.
  private volatile DatagramSocket datagrams;
  private volatile Socket connection;
  private volatile boolean closed;

  /**
   * A sink for {@code target} ({@code udp://}, {@code tcp://} or {@code tls://} host and port),
   * naming this Ward as {@code hostname}. Connects only on the first delivery.
   *
   * @throws IllegalArgumentException if the target is not one of those forms
   */
  public SyslogSink(URI target, String hostname) {
    this(target, hostname, null);
  }

  /** As {@link #SyslogSink(URI, String)}, trusting what {@code tls} trusts (null: the JDK's default). */
  SyslogSink(URI target, String hostname, SSLContext tls) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(hostname, "hostname");
    this.transport = transport(target);
    if (target.getHost() == null || target.getPort() < 1 || target.getPort() > 65_535) {
      throw new IllegalArgumentException("syslog target '" + target + "' needs a host and a port (1-65535), e.g. "
          + transport.name().toLowerCase(Locale.ROOT) + "://siem.example.org:" + (transport == Transport.TLS ? 6514 : 514));
    }
    if (target.getUserInfo() != null || target.getQuery() != null || target.getFragment() != null
        || !(target.getPath() == null || target.getPath().isEmpty() || target.getPath().equals("/"))) {
      throw new IllegalArgumentException("syslog target '" + target + "' must be only SCHEME://HOST:PORT");
    }
    this.host = target.getHost();
    this.port = target.getPort();
    this.hostname = printable(hostname, MAX_HOSTNAME);
    if (transport == Transport.TLS && tls == null) {
      try {
        tls = SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("this JDK has no default TLS context", e);
      }
    }
    this.tls = tls;
  }

  private static Transport transport(URI target) {
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "udp" -> Transport.UDP;
      case "tcp" -> Transport.TCP;
      case "tls" -> Transport.TLS;
      default -> throw new IllegalArgumentException(
          "syslog target '" + target + "' must be udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT");
    };
  }

  @Override
  public void deliver(Alert alert) throws IOException {
    Objects.requireNonNull(alert, "alert");
    sending.lock();
    try {
      if (closed) throw new IOException(describe() + " is closed");
      if (transport == Transport.UDP) {
        sendDatagram(encode(alert, hostname, MAX_DATAGRAM));
      } else {
        sendFrame(encode(alert, hostname, Integer.MAX_VALUE));
      }
    } finally {
      sending.unlock();
    }
  }

  private void sendDatagram(byte[] message) throws IOException {
    InetSocketAddress to = new InetSocketAddress(host, port);
    if (to.isUnresolved()) throw new IOException("cannot resolve syslog host " + host);
    if (datagrams == null) datagrams = new DatagramSocket();
    datagrams.send(new DatagramPacket(message, message.length, to));
  }

  private void sendFrame(byte[] message) throws IOException {
    byte[] length = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] frame = Arrays.copyOf(length, length.length + message.length);
    System.arraycopy(message, 0, frame, length.length, message.length);
    Socket s = connection();
    try {
      OutputStream out = s.getOutputStream();
      out.write(frame);
      out.flush();
    } catch (IOException e) {
      drop(s);
      throw e;
    }
  }

  private Socket connection() throws IOException {
    Socket s = connection;
    if (s != null && open(s)) return s;
    drop(s);
    s = connect();
    connection = s;
    if (closed) {
      drop(s);
      throw new IOException(describe() + " is closed");
    }
    return s;
  }

  /** Whether the collector still holds the connection: it never writes, so end of stream or a reset means it let go. */
  private static boolean open(Socket s) {
    try {
      s.setSoTimeout(PROBE_TIMEOUT_MS);
      return s.getInputStream().read() != -1;
    } catch (SocketTimeoutException quiet) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Socket connect() throws IOException {
    InetSocketAddress to = new InetSocketAddress(host, port);
    if (to.isUnresolved()) throw new IOException("cannot resolve syslog host " + host);
    Socket plain = new Socket();
    try {
      plain.connect(to, CONNECT_TIMEOUT_MS);
      if (transport == Transport.TCP) return plain;
      // Layered over a connected socket so that the connect has a timeout; the host name gives SNI.
      SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
      SSLParameters params = ssl.getSSLParameters();
      // RFC 5425 section 5.2: the collector is authenticated by the name it was configured by.
      params.setEndpointIdentificationAlgorithm("HTTPS");
      ssl.setSSLParameters(params);
      ssl.setSoTimeout(CONNECT_TIMEOUT_MS);
      ssl.startHandshake();
      return ssl;
    } catch (IOException | RuntimeException e) {
      try {
        plain.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void drop(Socket s) {
    if (s == null) return;
    try {
      s.close();
    } catch (IOException ignored) {
      // Already broken; the next delivery connects again.
    }
    if (connection == s) connection = null;
  }

  /** The RFC 5424 message for {@code alert} from Ward host {@code hostname}, as a string (see the class comment). */
  static String format(Alert alert, String hostname) {
    return header(alert, hostname) + alert.explanation();
  }

  /** The message's UTF-8 bytes, the explanation cut on a character boundary so that the whole fits in {@code max} octets. */
  static byte[] encode(Alert alert, String hostname, int max) {
    byte[] head = header(alert, hostname).getBytes(StandardCharsets.UTF_8);
    byte[] text = alert.explanation().getBytes(StandardCharsets.UTF_8);
    if ((long) head.length + text.length <= max) return concat(head, text, text.length, new byte[0]);
    if (head.length + TRUNCATED.length > max) {
      // Absurdly long header fields: still send something rather than fail the same way forever.
      return Arrays.copyOf(head, cut(head, max));
    }
    return concat(head, text, cut(text, max - head.length - TRUNCATED.length), TRUNCATED);
  }

  /** The largest length at most {@code max} that does not split a UTF-8 sequence of {@code b}. */
  private static int cut(byte[] b, int max) {
    int n = Math.min(max, b.length);
    while (n > 0 && n < b.length && (b[n] & 0xC0) == 0x80) n--;
    return n;
  }

  private static byte[] concat(byte[] head, byte[] text, int textLength, byte[] tail) {
    byte[] out = Arrays.copyOf(head, head.length + textLength + tail.length);
    System.arraycopy(text, 0, out, head.length, textLength);
    System.arraycopy(tail, 0, out, head.length + textLength, tail.length);
    return out;
  }

  /** Everything up to and including the BOM. */
  private static String header(Alert a, String hostname) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("id", Long.toString(a.id()));
    params.put("detector", a.detector());
    params.put("severity", a.severity().code());
    params.put("actor", a.actor());
    params.put("actorName", a.actorName());
    params.put("role", a.role());
    params.put("session", a.session());
    params.put("address", a.address());
    params.put("patient", a.patient());
    params.put("response", a.response().code());
    params.put("ledgerIndex", Long.toString(a.ledgerIndex()));
    StringBuilder m = new StringBuilder(256)
        .append('<').append(FACILITY * 8 + a.severity().syslog()).append(">1 ")
        .append(TIME.format(a.at())).append(' ')
        .append(printable(hostname, MAX_HOSTNAME)).append(' ')
        .append(APP_NAME).append(' ')
        .append(NIL).append(' ')
        .append(printable(a.detector(), MAX_MSGID)).append(' ')
        .append('[').append(SD_ID);
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (p.getValue() != null) m.append(' ').append(p.getKey()).append("=\"").append(escape(p.getValue())).append('"');
    }
    return m.append("] ").append(BOM).toString();
  }

  /** RFC 5424 section 6.3.3: '"', '\' and ']' in a parameter value are preceded by '\'. */
  static String escape(String value) {
    StringBuilder b = new StringBuilder(value.length() + 8);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c == ']') b.append('\\');
      b.append(c);
    }
    return b.toString();
  }

  /** {@code s} with all but printable US-ASCII (33-126) left out, at most {@code max} long; nil if nothing is left. */
  static String printable(String s, int max) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      if (c > 32 && c < 127) b.append(c);
    }
    return b.isEmpty() ? NIL : b.toString();
  }

  @Override
  public String describe() {
    return "syslog " + transport.name().toLowerCase(Locale.ROOT) + "://" + hostPort();
  }

  private String hostPort() {
    return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Closes the connection, also from another thread while a write blocks; later deliveries throw. */
  @Override
  public void close() {
    closed = true;
    drop(connection);
    DatagramSocket d = datagrams;
    if (d != null) d.close();
  }
}
