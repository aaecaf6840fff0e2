package health.ward.watch;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Alerts as RFC 5424 syslog messages for the hospital's SIEM, over UDP ({@code udp://host:port},
 * one datagram each, at most 8 KiB), TCP ({@code tcp://host:port}, RFC 6587 octet counting) or TLS
 * ({@code tls://host:port}, RFC 5425). Facility 13 (log audit); the severity follows the alert's.
 *
 * <pre>
 * &lt;PRI&gt;1 2026-03-02T09:00:00.000Z HOST ward - DETECTOR [alert@32473 id="17" detector="canary" …] BOM explanation
 * </pre>
 *
 * A stream connection is kept open and made again after a failure; a failed delivery throws, for
 * {@link AlertDelivery} to retry.
 */
public final class SyslogSink implements AlertSink {
  /** The structured-data id of Ward's alert element (32473 is the private enterprise number RFC 5612 reserves for documentation). */
  static final String SD_ID = "alert@32473";
  static final int FACILITY = 13;
  static final int MAX_DATAGRAM = 8 * 1024;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final URI uri;
  private final String scheme;
  private final InetSocketAddress target;
  private final String hostname;
  private final SSLContext tls;
  private Socket socket;

  public SyslogSink(URI uri, String hostname) {
    this(uri, hostname, null);
  }

  SyslogSink(URI uri, String hostname, SSLContext tls) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("udp") && !scheme.equals("tcp") && !scheme.equals("tls")) {
      throw new IllegalArgumentException("a syslog target is udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT, not '" + uri + "'");
    }
    if (uri.getHost() == null || uri.getPort() < 1) throw new IllegalArgumentException("'" + uri + "' needs a host and a port");
    this.target = new InetSocketAddress(uri.getHost(), uri.getPort());
    this.hostname = printable(hostname == null || hostname.isBlank() ? "-" : hostname, 255);
    this.tls = tls;
  }

  @Override
  public synchronized void deliver(Alert alert) throws IOException {
    byte[] message = format(alert, hostname).getBytes(StandardCharsets.UTF_8);
    if (scheme.equals("udp")) {
      byte[] datagram = message.length > MAX_DATAGRAM ? java.util.Arrays.copyOf(message, MAX_DATAGRAM) : message;
      try (DatagramSocket s = new DatagramSocket()) {
        s.send(new DatagramPacket(datagram, datagram.length, target));
      }
      return;
    }
    byte[] frame = (message.length + " ").getBytes(StandardCharsets.US_ASCII);
    try {
      OutputStream out = connection().getOutputStream();
      out.write(frame);
      out.write(message);
      out.flush();
    } catch (IOException e) {
      closeQuietly();
      throw e;
    }
  }

  private Socket connection() throws IOException {
    if (socket != null && !socket.isClosed()) return socket;
    Socket s;
    if (scheme.equals("tls")) {
      try {
        SSLContext ctx = tls != null ? tls : SSLContext.getDefault();
        SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket();
        ssl.connect(target, 5_000);
        ssl.startHandshake();
        s = ssl;
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IOException("no TLS", e);
      }
    } else {
      s = new Socket();
      s.connect(target, 5_000);
    }
    socket = s;
    return s;
  }

  /** The RFC 5424 message of {@code alert}. */
  static String format(Alert a, String hostname) {
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
    StringBuilder sd = new StringBuilder("[").append(SD_ID);
    for (var p : params.entrySet()) {
      if (p.getValue() == null) continue;
      sd.append(' ').append(p.getKey()).append("=\"").append(escape(p.getValue())).append('"');
    }
    sd.append(']');
    int pri = FACILITY * 8 + a.severity().syslog();
    return "<" + pri + ">1 " + TIME.format(a.at()) + " " + printable(hostname, 255) + " ward - " + printable(a.detector(), 32)
        + " " + sd + " \uFEFF" + a.explanation();
  }

  /** RFC 5424 section 6.3.3: '"', '\' and ']' in a parameter value are escaped with '\'. */
  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("]", "\\]");
  }

  private static String printable(String s, int max) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c > 32 && c < 127) b.append(c);
      if (b.length() == max) break;
    }
    return b.length() == 0 ? "-" : b.toString();
  }

  @Override
  public String describe() {
    return "syslog " + uri;
  }

  private void closeQuietly() {
    try {
      if (socket != null) socket.close();
    } catch (IOException ignored) {
      // The next delivery connects again.
    }
    socket = null;
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }
}
