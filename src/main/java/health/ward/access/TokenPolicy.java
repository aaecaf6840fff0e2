package health.ward.access;

/**
 * The policy until staff identity and care relationships exist: any authenticated API token or the
 * local operator may use the FHIR API. Anything else is denied.
 */
public final class TokenPolicy implements Policy {
  @Override
  public Decision decide(Principal who, Action action, String resourceType) {
    return switch (who.kind()) {
      case API_TOKEN -> Decision.allow("api-token");
      case OPERATOR -> Decision.allow("operator");
    };
  }
}
