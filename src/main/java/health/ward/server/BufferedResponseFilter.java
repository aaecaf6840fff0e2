package health.ward.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Collects a response body in memory and sends it in one write with its Content-Length. HAPI
 * encodes a resource through many small writes; done straight to the connection, each goes
 * through the container's writer and may become its own TLS record. FHIR responses are bounded by
 * the page size, so holding one in memory is cheap.
 */
final class BufferedResponseFilter implements Filter {

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Buffered buffered = new Buffered((HttpServletResponse) response);
    chain.doFilter(request, buffered);
    buffered.send();
  }

  private static final class Buffered extends HttpServletResponseWrapper {
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(8 * 1024);
    private ServletOutputStream stream;
    private PrintWriter writer;

    Buffered(HttpServletResponse response) {
      super(response);
    }

    @Override
    public ServletOutputStream getOutputStream() {
      if (writer != null) throw new IllegalStateException("getWriter() was already called");
      if (stream == null) {
        stream =
            new ServletOutputStream() {
              @Override public void write(int b) { body.write(b); }
              @Override public void write(byte[] b, int off, int len) { body.write(b, off, len); }
              @Override public boolean isReady() { return true; }
              @Override public void setWriteListener(WriteListener listener) {
                throw new UnsupportedOperationException("asynchronous output is not used");
              }
            };
      }
      return stream;
    }

    @Override
    public PrintWriter getWriter() {
      if (stream != null) throw new IllegalStateException("getOutputStream() was already called");
      if (writer == null) writer = new PrintWriter(new OutputStreamWriter(body, charset()), false);
      return writer;
    }

    private Charset charset() {
      String enc = getCharacterEncoding();
      try {
        return enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
      } catch (IllegalArgumentException e) {
        return StandardCharsets.UTF_8;
      }
    }

    @Override
    public void flushBuffer() {
      if (writer != null) writer.flush();
    }

    @Override
    public void resetBuffer() {
      if (writer != null) writer.flush();
      body.reset();
      super.resetBuffer();
    }

    @Override
    public void reset() {
      if (writer != null) writer.flush();
      body.reset();
      super.reset();
    }

    @Override
    public void setBufferSize(int size) {
      // The whole body is buffered here; the container's buffer size does not matter.
    }

    void send() throws IOException {
      if (writer != null) writer.flush();
      if (body.size() == 0) return;
      HttpServletResponse real = (HttpServletResponse) getResponse();
      if (!real.isCommitted()) real.setContentLength(body.size());
      ServletOutputStream out = real.getOutputStream();
      body.writeTo(out);
      out.flush();
    }
  }
}
