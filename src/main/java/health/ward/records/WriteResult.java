package health.ward.records;

import org.hl7.fhir.r4.model.Resource;

/**
 * The outcome of a create, update or delete.
 *
 * @param resource the stored resource with id, meta.versionId and meta.lastUpdated set; for a
 *     delete, {@code null}
 * @param created true when a new resource was made (HTTP 201), false for an update, a no-op or a
 *     conditional create that matched an existing resource (HTTP 200)
 */
public record WriteResult(String type, String id, long version, Resource resource, boolean created) {}
