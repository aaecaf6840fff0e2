package health.ward.server;

import ca.uhn.fhir.context.FhirContext;
import health.ward.common.WardException;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Guards request bodies before HAPI sees them: a body must be FHIR JSON or XML (or a form for
 * {@code _search}), else 415; a body over the limit gets 413, whether it announces its length or
 * arrives chunked (bytes are counted as they are read, and reading stops at the limit).
 */
final class BodyLimitFilter implements Filter {
  private static final Set<String> BODY_TYPES =
      Set.of(
          "application/fhir+json", "application/json", "application/json+fhir",
          "application/fhir+xml", "application/xml", "application/xml+fhir", "text/xml");
  private static final String FORM = "application/x-www-form-urlencoded";

  /** Most bytes of an oversized body read and dropped so that the client sees the 413. */
  static final long DRAIN_LIMIT = 64L * 1024 * 1024;

  private final long maxBytes;
  private final FhirContext ctx;

  BodyLimitFilter(long maxBytes, FhirContext ctx) {
    this.maxBytes = maxBytes;
    this.ctx = ctx;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest req = (HttpServletRequest) request;
    HttpServletResponse resp = (HttpServletResponse) response;
    long declared = req.getContentLengthLong();
    if (!hasBody(req)) {
      chain.doFilter(request, response);
      return;
    }
    String mediaType = mediaType(req.getContentType());
    if (FORM.equals(mediaType)) {
      // Form bodies are parsed by the container, which enforces its own form size limit.
      chain.doFilter(request, response);
      return;
    }
    if (mediaType == null || !BODY_TYPES.contains(mediaType)) {
      refuse(req, resp, new Failure(415, WardException.Code.INVALID_REQUEST.name(), IssueType.NOTSUPPORTED,
          "Unsupported media type: send application/fhir+json or application/fhir+xml"));
      return;
    }
    if (declared > maxBytes) {
      refuseTooLarge(req, resp, declared <= DRAIN_LIMIT);
      return;
    }
    byte[] body = readAtMost(req.getInputStream(), maxBytes);
    if (body == null) {
      refuseTooLarge(req, resp, true);
      return;
    }
    chain.doFilter(new BufferedBody(req, body), response);
  }

  private Failure tooLarge() {
    return Failure.of(new WardException.TooLarge("Request body exceeds the limit of " + maxBytes + " bytes"), false);
  }

  /**
   * Answers 413. A client still sending its body may not read an answer sent before the body is
   * consumed (closing on unread data resets the connection), so up to {@link #DRAIN_LIMIT} bytes of
   * the rest are read and dropped first; past that the connection is closed instead.
   */
  private void refuseTooLarge(HttpServletRequest req, HttpServletResponse resp, boolean drain) throws IOException {
    if (drain && drained(req.getInputStream(), DRAIN_LIMIT)) {
      tooLarge().write(ctx, resp, wantsXml(req));
      return;
    }
    refuse(req, resp, tooLarge());
  }

  /** True when the stream ended within {@code limit} more bytes (all of them dropped). */
  private static boolean drained(InputStream in, long limit) throws IOException {
    byte[] buf = new byte[16 * 1024];
    long total = 0;
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      total += n;
      if (total > limit) return false;
    }
    return true;
  }

  private void refuse(HttpServletRequest req, HttpServletResponse resp, Failure f) throws IOException {
    // The rest of the body stays unread: close the connection rather than drain it.
    resp.setHeader("Connection", "close");
    f.write(ctx, resp, wantsXml(req));
  }

  static boolean hasBody(HttpServletRequest req) {
    long declared = req.getContentLengthLong();
    return declared > 0 || (declared < 0 && req.getHeader("Transfer-Encoding") != null);
  }

  static boolean wantsXml(HttpServletRequest req) {
    String accept = req.getHeader("Accept");
    return accept != null && accept.contains("xml") && !accept.contains("json");
  }

  /** The body, or null when it is longer than {@code max} bytes. */
  private static byte[] readAtMost(InputStream in, long max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(max, 64 * 1024));
    byte[] buf = new byte[16 * 1024];
    long total = 0;
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      total += n;
      if (total > max) return null;
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static String mediaType(String contentType) {
    if (contentType == null) return null;
    int semi = contentType.indexOf(';');
    return (semi >= 0 ? contentType.substring(0, semi) : contentType).strip().toLowerCase(Locale.ROOT);
  }

  /** The request with its body already read into memory. */
  private static final class BufferedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    BufferedBody(HttpServletRequest req, byte[] body) {
      super(req);
      this.body = body;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override public int read() { return in.read(); }
        @Override public int read(byte[] b, int off, int len) { return in.read(b, off, len); }
        @Override public boolean isFinished() { return in.available() == 0; }
        @Override public boolean isReady() { return true; }
        @Override public void setReadListener(ReadListener l) {
          throw new IllegalStateException("body is already buffered");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      java.nio.charset.Charset cs = StandardCharsets.UTF_8;
      try {
        if (getCharacterEncoding() != null) cs = java.nio.charset.Charset.forName(getCharacterEncoding());
      } catch (IllegalArgumentException unknownCharset) {
        // keep UTF-8, the only charset FHIR allows
      }
      return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), cs));
    }
  }
}
