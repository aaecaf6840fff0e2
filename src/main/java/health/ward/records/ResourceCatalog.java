package health.ward.records;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * The resource types Ward stores and how each belongs to a patient. A resource of a patient is
 * sealed under that patient's data key; a resource of no patient (Organization, Practitioner,
 * Medication…) under the shared key. The element that names the patient is fixed per type.
 */
final class ResourceCatalog {

  /** Type → element naming the patient ("self" for Patient, null for types of no patient). */
  private static final Map<String, String> PATIENT_ELEMENT = new LinkedHashMap<>();

  static {
    PATIENT_ELEMENT.put("Patient", "self");
    for (String t :
        List.of(
            "Observation", "Encounter", "Condition", "Procedure", "DiagnosticReport",
            "DocumentReference", "MedicationRequest", "MedicationAdministration", "MedicationStatement",
            "CarePlan", "CareTeam", "ImagingStudy", "ServiceRequest", "Goal", "Specimen",
            "RiskAssessment", "Composition", "Communication", "QuestionnaireResponse", "Flag",
            "ClinicalImpression", "Media", "MedicationDispense")) {
      PATIENT_ELEMENT.put(t, "subject");
    }
    for (String t :
        List.of(
            "Claim", "ExplanationOfBenefit", "Immunization", "AllergyIntolerance", "Device",
            "SupplyDelivery", "FamilyMemberHistory", "Consent", "NutritionOrder", "DetectedIssue",
            "BodyStructure", "SupplyRequest")) {
      PATIENT_ELEMENT.put(t, "patient");
    }
    PATIENT_ELEMENT.put("Coverage", "beneficiary");
    PATIENT_ELEMENT.put("Provenance", "target");
    for (String t :
        List.of(
            "Organization", "Practitioner", "PractitionerRole", "Location", "Medication",
            "HealthcareService", "Endpoint", "Substance")) {
      PATIENT_ELEMENT.put(t, null);
    }
  }

  static Set<String> types() {
    return PATIENT_ELEMENT.keySet();
  }

  static boolean supports(String type) {
    return PATIENT_ELEMENT.containsKey(type);
  }

  /** The element holding the patient reference, e.g. "subject", or null. */
  static String patientElement(String type) {
    String e = PATIENT_ELEMENT.get(type);
    return "self".equals(e) ? null : e;
  }

  /**
   * The logical id of the patient a resource belongs to, or null. Only local references of the
   * form {@code Patient/id} count; the resource's own id for a Patient.
   */
  static String patientOf(Resource r) {
    if (r instanceof Patient p) return p.getIdElement().getIdPart();
    String element = patientElement(r.fhirType());
    if (element == null) return null;
    Property prop = r.getNamedProperty(element);
    if (prop == null) return null;
    for (Base value : prop.getValues()) {
      if (value instanceof Reference ref) {
        String id = References.patientId(ref);
        if (id != null) return id;
      }
    }
    return null;
  }

  /** All references of the patient element (for the subject/patient search parameters). */
  static List<Reference> patientReferences(Resource r) {
    String element = patientElement(r.fhirType());
    List<Reference> out = new ArrayList<>();
    if (element == null) return out;
    Property prop = r.getNamedProperty(element);
    if (prop == null) return out;
    for (Base value : prop.getValues()) {
      if (value instanceof Reference ref && ref.hasReference()) out.add(ref);
    }
    return out;
  }

  private ResourceCatalog() {}
}
