package health.ward.records;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;

/** One page of search results and the total number of matches. */
public record SearchResult(List<Resource> resources, long total) {
  public SearchResult {
    resources = List.copyOf(resources);
  }
}
