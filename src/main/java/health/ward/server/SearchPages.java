package health.ward.server;

import health.ward.common.WardException;
import health.ward.records.SearchRequest;
import health.ward.records.SearchResult;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

/**
 * Offset paging for type searches. Nothing is kept between pages: every {@code next} and
 * {@code previous} link repeats the search parameters with another {@code _offset}, so every page
 * is a fresh search that is authenticated, decided and audited like the first.
 */
final class SearchPages {
  static final int DEFAULT_COUNT = 20;
  static final int MAX_COUNT = 1000;
  static final int MAX_OFFSET = 10_000_000;
  /** Result parameters this layer interprets; everything else goes to the records service. */
  private static final Set<String> RESULT_PARAMS = Set.of("_count", "_offset", "_sort", "_summary");
  /** Parameters HAPI applies to the response itself; neither passed on nor repeated twice. */
  private static final Set<String> FORMAT_PARAMS = Set.of("_format", "_pretty", "_elements");

  /** A parsed search: what to ask the records service and what to repeat in links. */
  record Page(SearchRequest request, Map<String, List<String>> linkParams) {}

  Page request(Map<String, String[]> params) {
    Map<String, List<String>> search = new LinkedHashMap<>();
    Map<String, List<String>> link = new LinkedHashMap<>();
    for (Map.Entry<String, String[]> e : params.entrySet()) {
      String name = e.getKey();
      if (RESULT_PARAMS.contains(name)) continue;
      List<String> values = List.of(e.getValue());
      link.put(name, values);
      if (!FORMAT_PARAMS.contains(name)) search.put(name, values);
    }
    int count = intParam(params, "_count", DEFAULT_COUNT);
    int offset = intParam(params, "_offset", 0);
    if (offset > MAX_OFFSET) throw new WardException.InvalidRequest("_offset must be <= " + MAX_OFFSET);
    String sort = single(params, "_sort");
    if (sort != null && !sort.equals("_lastUpdated") && !sort.equals("-_lastUpdated")) {
      throw new WardException.InvalidRequest("Unsupported _sort: only _lastUpdated and -_lastUpdated are supported");
    }
    String summary = single(params, "_summary");
    boolean countOnly = "count".equals(summary) || count == 0;
    if (summary != null && !countOnly) link.put("_summary", List.of(summary));
    if (sort != null) link.put("_sort", List.of(sort));
    int pageSize = Math.min(Math.max(count, 1), MAX_COUNT);
    return new Page(new SearchRequest(search, offset, pageSize, sort, countOnly), java.util.Collections.unmodifiableMap(link));
  }

  Bundle bundle(String base, String type, Page page, SearchResult result) {
    SearchRequest req = page.request();
    Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
    b.setTotal((int) Math.min(result.total(), Integer.MAX_VALUE));
    if (req.countOnly()) {
      Map<String, List<String>> p = new LinkedHashMap<>(page.linkParams());
      p.put("_summary", List.of("count"));
      b.addLink().setRelation("self").setUrl(url(base, type, p));
      return b;
    }
    b.addLink().setRelation("self").setUrl(link(base, type, page, req.offset()));
    if (req.offset() + req.count() < result.total()) {
      b.addLink().setRelation("next").setUrl(link(base, type, page, req.offset() + req.count()));
    }
    if (req.offset() > 0) {
      b.addLink().setRelation("previous").setUrl(link(base, type, page, Math.max(0, req.offset() - req.count())));
    }
    for (Resource r : result.resources()) addEntry(b, base, r, Bundle.SearchEntryMode.MATCH);
    for (Resource r : result.included()) addEntry(b, base, r, Bundle.SearchEntryMode.INCLUDE);
    return b;
  }

  private static void addEntry(Bundle b, String base, Resource r, Bundle.SearchEntryMode mode) {
    Resource v = FhirInput.withVersionedId(r, r.fhirType());
    b.addEntry()
        .setFullUrl(base + "/" + v.fhirType() + "/" + v.getIdElement().getIdPart())
        .setResource(v)
        .getSearch()
        .setMode(mode);
  }

  private static String link(String base, String type, Page page, int offset) {
    Map<String, List<String>> p = new LinkedHashMap<>(page.linkParams());
    p.put("_count", List.of(Integer.toString(page.request().count())));
    p.put("_offset", List.of(Integer.toString(offset)));
    return url(base, type, p);
  }

  private static String url(String base, String type, Map<String, List<String>> params) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      for (String v : e.getValue()) {
        parts.add(enc(e.getKey()) + "=" + enc(v));
      }
    }
    return base + "/" + type + (parts.isEmpty() ? "" : "?" + String.join("&", parts));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String single(Map<String, String[]> params, String name) {
    String[] v = params.get(name);
    if (v == null || v.length == 0) return null;
    if (v.length > 1) throw new WardException.InvalidRequest(name + " may be given once");
    return v[0];
  }

  private static int intParam(Map<String, String[]> params, String name, int dflt) {
    String v = single(params, name);
    if (v == null) return dflt;
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= 0) return n;
    } catch (NumberFormatException e) {
      // fall through to the client error
    }
    throw new WardException.InvalidRequest(name + " must be a non-negative integer");
  }
}
