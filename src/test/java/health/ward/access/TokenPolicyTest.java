package health.ward.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every role × every action × a patient type, a shared type and the audit log, from one table. */
class TokenPolicyTest {
  static final Principal OPERATOR = Principal.operator("import");
  static final Principal INTEGRATION = new Principal("1", "lab", Principal.Kind.API_TOKEN, Role.INTEGRATION);
  static final Principal AUDITOR = new Principal("2", "dpo", Principal.Kind.API_TOKEN, Role.AUDITOR);
  static final Principal FAKE_OPERATOR = new Principal("3", "x", Principal.Kind.API_TOKEN, Role.OPERATOR);

  /** The expected rule for (principal, action, type); allowed iff the rule is an allow rule. */
  static String expected(Principal who, Action action, String type) {
    boolean log = type.equals("AuditEvent");
    if (who == OPERATOR) return "operator";
    if (who == FAKE_OPERATOR) return "operator-local-only";
    if (who == INTEGRATION) return log ? "audit-log-auditors-only" : "api-token";
    return log && action == Action.SEARCH ? "auditor" : "auditor-read-only";
  }

  @Test
  void everyRoleActionAndType_getsTheExpectedDecision() {
    TokenPolicy policy = new TokenPolicy();
    List<String> wrong = new ArrayList<>();
    int allowed = 0;
    for (Principal who : List.of(OPERATOR, INTEGRATION, AUDITOR, FAKE_OPERATOR)) {
      for (Action action : Action.values()) {
        for (String type : List.of("Patient", "Observation", "Organization", "AuditEvent")) {
          Decision d = policy.decide(who, action, type);
          String rule = expected(who, action, type);
          boolean allow = List.of("operator", "api-token", "auditor").contains(rule);
          if (!rule.equals(d.rule()) || allow != d.allowed()) {
            wrong.add(who.name() + " " + action + " " + type + ": " + d.rule() + "/" + d.allowed());
          }
          if (d.allowed()) allowed++;
        }
      }
    }
    assertEquals(List.of(), wrong);
    int actions = Action.values().length;
    // operator: everything; integration: all but the audit log; auditor: one cell.
    assertEquals(actions * 4 + actions * 3 + 1, allowed);
  }
}
