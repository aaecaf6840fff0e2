package health.ward.access;

/** Decides whether a principal may perform an action on resources of a type. */
public interface Policy {
  Decision decide(Principal who, Action action, String resourceType);
}
