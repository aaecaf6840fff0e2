package health.ward.records;

import health.ward.store.CareFact;
import health.ward.vault.RecordVault;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The care facts a resource states, for access decisions (stored with the resource; see
 * {@link CareFact}):
 *
 * <ul>
 *   <li>a CareTeam that is active (or has no status) relates each member that is a Practitioner,
 *       Organization or Location, until the participant's or the team's period ends;
 *   <li>an Encounter (not cancelled or entered in error) relates each participant individual
 *       until its period ends (for a finished encounter without an end: its start); while the
 *       encounter is in progress (or arrived, triaged, on leave) the patient is admitted to its
 *       service provider and each of its locations;
 *   <li>an active Consent whose provision (or a nested provision) denies names its actors and
 *       purposes (actors of other types, e.g. a RelatedPerson, do not concern staff); a denying
 *       provision that names neither denies everyone.
 * </ul>
 *
 * Actors are blind tokens of their local reference ("Practitioner/123"), purposes of their code
 * ("HRESCH"), so the stored facts hold no plaintext. Ends are rounded up to the next midnight UTC.
 */
final class CareFacts {
  static final String TOKEN_TYPE = "CareFact";
  private static final Set<String> ACTOR_TYPES = Set.of("Practitioner", "Organization", "Location", "PractitionerRole", "CareTeam");
  private static final Set<String> ADMITTED = Set.of("in-progress", "arrived", "triaged", "onleave");

  private CareFacts() {}

  /** True for the types that state care facts: their writes replace the stored facts. */
  static boolean states(String type) {
    return type.equals("CareTeam") || type.equals("Encounter") || type.equals("Consent");
  }

  /** The facts {@code r} states now; empty for types that state none. */
  static List<CareFact> of(Resource r, RecordVault vault) {
    List<CareFact> out = new ArrayList<>();
    if (r instanceof CareTeam t) careTeam(t, vault, out);
    else if (r instanceof Encounter e) encounter(e, vault, out);
    else if (r instanceof Consent c) consent(c, vault, out);
    return out;
  }

  /** The token a care fact names an actor by ("Practitioner/123"). */
  static byte[] actorToken(RecordVault vault, String reference) {
    return vault.token(TOKEN_TYPE, "actor", reference);
  }

  /** The token a consent names a purpose of use by ("HRESCH"). */
  static byte[] purposeToken(RecordVault vault, String code) {
    return vault.token(TOKEN_TYPE, "purpose", code);
  }

  private static void careTeam(CareTeam t, RecordVault vault, List<CareFact> out) {
    if (t.hasStatus() && t.getStatus() != CareTeam.CareTeamStatus.ACTIVE) return;
    Instant teamEnd = end(t.getPeriod());
    for (CareTeam.CareTeamParticipantComponent p : t.getParticipant()) {
      String actor = actor(p.getMember());
      if (actor == null) continue;
      Instant until = p.hasPeriod() && p.getPeriod().hasEnd() ? end(p.getPeriod()) : teamEnd;
      out.add(new CareFact(CareFact.CARE_TEAM, actorToken(vault, actor), until));
    }
  }

  private static void encounter(Encounter e, RecordVault vault, List<CareFact> out) {
    Encounter.EncounterStatus status = e.getStatus();
    if (status == Encounter.EncounterStatus.CANCELLED || status == Encounter.EncounterStatus.ENTEREDINERROR) return;
    boolean open = status != null && ADMITTED.contains(status.toCode());
    Instant until = open ? null : end(e.getPeriod());
    if (!open && until == null && e.getPeriod().hasStart()) until = roundUp(e.getPeriod().getStart());
    for (Encounter.EncounterParticipantComponent p : e.getParticipant()) {
      String actor = actor(p.getIndividual());
      if (actor != null) out.add(new CareFact(CareFact.ENCOUNTER, actorToken(vault, actor), until));
    }
    if (!open) return;
    String provider = actor(e.getServiceProvider());
    if (provider != null) out.add(new CareFact(CareFact.ADMITTED, actorToken(vault, provider), null));
    for (Encounter.EncounterLocationComponent l : e.getLocation()) {
      String location = actor(l.getLocation());
      if (location != null) out.add(new CareFact(CareFact.ADMITTED, actorToken(vault, location), null));
    }
  }

  private static void consent(Consent c, RecordVault vault, List<CareFact> out) {
    if (c.getStatus() != Consent.ConsentState.ACTIVE || !c.hasProvision()) return;
    provision(c.getProvision(), vault, out);
  }

  private static void provision(Consent.ProvisionComponent p, RecordVault vault, List<CareFact> out) {
    if (p.getType() == Consent.ConsentProvisionType.DENY) {
      Instant until = end(p.getPeriod());
      for (Consent.provisionActorComponent a : p.getActor()) {
        String actor = actor(a.getReference());
        if (actor != null) out.add(new CareFact(CareFact.CONSENT_DENY, actorToken(vault, actor), until));
      }
      for (Coding purpose : p.getPurpose()) {
        if (purpose.hasCode()) out.add(new CareFact(CareFact.CONSENT_DENY, purposeToken(vault, purpose.getCode()), until));
      }
      // A denial that names no actor and no purpose denies everyone.
      if (!p.hasActor() && !p.hasPurpose()) out.add(new CareFact(CareFact.CONSENT_DENY, null, until));
    }
    for (Consent.ProvisionComponent nested : p.getProvision()) provision(nested, vault, out);
  }

  private static String actor(Reference ref) {
    if (ref == null) return null;
    References.Local l = References.local(ref.getReference());
    return l != null && ACTOR_TYPES.contains(l.type()) ? l.key() : null;
  }

  private static Instant end(Period p) {
    return p == null || !p.hasEnd() ? null : roundUp(p.getEnd());
  }

  private static Instant roundUp(Date d) {
    return d.toInstant().atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()
        .truncatedTo(ChronoUnit.DAYS);
  }
}
