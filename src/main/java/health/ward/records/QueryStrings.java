package health.ward.records;

import health.ward.common.WardException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parsing of conditional query strings ("identifier=a|b&name=x") from bundles and headers. */
final class QueryStrings {
  private QueryStrings() {}

  static Map<String, List<String>> parse(String query, String what) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    String q = query.startsWith("?") ? query.substring(1) : query;
    if (q.isBlank()) return out;
    for (String pair : q.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      if (eq <= 0) throw new WardException.InvalidRequest(what + " '" + query + "' is not of the form name=value");
      try {
        String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      } catch (IllegalArgumentException e) {
        throw new WardException.InvalidRequest(what + " '" + query + "' is not correctly URL-encoded");
      }
    }
    return out;
  }
}
