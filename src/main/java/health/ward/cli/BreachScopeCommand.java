package health.ward.cli;

import com.google.gson.GsonBuilder;
import health.ward.auth.ApiTokens;
import health.ward.auth.TokenInfo;
import health.ward.breach.BreachScope;
import health.ward.common.WardException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ward breach-scope}: every patient and record a token, user, session or client address
 * touched in a time window, with counts, as JSON (with each entry and its inclusion proof against a
 * signed checkpoint) and CSV. Reads the ledger; works while {@code ward serve} runs.
 */
@Command(
    name = "breach-scope",
    mixinStandardHelpOptions = true,
    description = {
      "List every patient and record a token, user, session or address touched in a time window, with counts,",
      "anchored to a signed checkpoint with the inclusion proof of every ledger entry behind the list."
    })
final class BreachScopeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin CommonOptions common;

  static final class Selection {
    @Option(names = "--token", paramLabel = "NAME", description = "An API token, by name (every token that had this name).")
    String token;

    @Option(names = "--user", paramLabel = "ID", description = "A credential id as the ledger records it (a token's id, or operator:<command>).")
    String user;

    @Option(names = "--session", paramLabel = "SESSION", description = "A session as the ledger records it (e.g. token:42).")
    String session;

    @Option(names = "--address", paramLabel = "IP", description = "A client address as the server saw it.")
    String address;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Selection selection;

  @Option(names = "--from", paramLabel = "TIME", description = "Start of the window: an ISO-8601 instant or a date (start of day, UTC). Default: the beginning.")
  String from;

  @Option(names = "--to", paramLabel = "TIME", description = "End of the window: an ISO-8601 instant or a date (end of day, UTC). Default: now.")
  String to;

  @Option(names = "--out", paramLabel = "DIR", description = "Write breach-scope.json, patients.csv and resources.csv here; without it the JSON goes to stdout.")
  Path out;

  @Override
  public Integer call() {
    Instant fromT = from == null ? null : time(from, "--from", false);
    Instant toT = to == null ? null : time(to, "--to", true);
    if (fromT != null && toT != null && fromT.isAfter(toT)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--from " + from + " is after --to " + to);
    }
    Main main = Main.of(spec);
    return Main.withJoinedApp(spec, common, (app, stdout, err) -> {
      WardApp.Parts parts = app.parts();
      BreachScope scope = new BreachScope(parts.auditLog(), parts.trail(), parts.vault(), parts.store(), parts.ledger().reader());
      BreachScope.Selector selector = selector(scope, app.tokens());
      Instant now = main.clock().instant();
      CountProgress progress = new CountProgress(err, main.terminal(), main.nanoTime(), "breach-scope", "entries");
      long size = parts.ledger().reader().size();
      BreachScope.Report report =
          scope.run(selector, fromT, toT == null ? now : toT, app::checkpointNow, app.verifierKey(), now,
              n -> progress.update(n, Math.max(n, size)));
      progress.finish();
      String json = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(toJson(report));
      if (out == null) {
        stdout.println(json);
      } else {
        write(out, report, json);
        summary(report, stdout);
        stdout.println("Written: " + out.resolve("breach-scope.json") + ", " + out.resolve("patients.csv") + ", "
            + out.resolve("resources.csv"));
      }
      stdout.flush();
      return ExitCodes.OK;
    });
  }

  private BreachScope.Selector selector(BreachScope scope, ApiTokens tokens) {
    if (selection.token != null) {
      List<String> ids = tokens.list().stream().filter(t -> t.name().equals(selection.token)).map(TokenInfo::id).toList();
      if (ids.isEmpty()) throw new WardException.NotFound("no token was ever named '" + selection.token + "'");
      return new BreachScope.Selector(BreachScope.By.TOKEN, selection.token, scope.pseudonyms(BreachScope.By.TOKEN, ids));
    }
    if (selection.user != null) {
      return new BreachScope.Selector(BreachScope.By.USER, selection.user, scope.pseudonyms(BreachScope.By.USER, List.of(selection.user)));
    }
    if (selection.session != null) {
      return new BreachScope.Selector(BreachScope.By.SESSION, selection.session,
          scope.pseudonyms(BreachScope.By.SESSION, List.of(selection.session)));
    }
    return new BreachScope.Selector(BreachScope.By.ADDRESS, selection.address,
        scope.pseudonyms(BreachScope.By.ADDRESS, List.of(selection.address)));
  }

  private Instant time(String s, String option, boolean endOfDay) {
    try {
      if (s.matches("\\d{4}-\\d{2}-\\d{2}")) {
        LocalDate d = LocalDate.parse(s);
        return endOfDay ? d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().minusMillis(1) : d.atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), option + ": expected an ISO-8601 instant (2026-11-22T08:00:00Z) or a date (2026-11-22), got '" + s + "'");
    }
  }

  static Map<String, Object> toJson(BreachScope.Report r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("selector", Map.of("by", r.selector().by().name().toLowerCase(Locale.ROOT), "value", r.selector().value()));
    m.put("from", r.from() == null ? null : r.from().toString());
    m.put("to", r.to() == null ? null : r.to().toString());
    m.put("generatedAt", r.generatedAt().toString());
    m.put("checkpoint", Map.of("size", r.checkpointSize(), "note", r.checkpoint(), "verifierKey", r.verifierKey()));
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("entriesScanned", r.entriesScanned());
    // Entries converted from an earlier Ward's ledger carry no access details to select on.
    totals.put("entriesOfAnotherFormat", r.entriesOfAnotherFormat());
    totals.put("entries", r.entries());
    totals.put("allowed", r.allowed());
    totals.put("denied", r.denied());
    totals.put("failed", r.failed());
    totals.put("patients", r.patients().size());
    totals.put("resources", r.patients().stream().mapToInt(p -> p.resources().size()).sum() + r.otherResources().size());
    m.put("totals", totals);
    List<Object> patients = new ArrayList<>();
    for (var p : r.patients()) {
      Map<String, Object> pm = new LinkedHashMap<>();
      pm.put("patient", p.patient());
      pm.put("pseudonym", p.pseudonym());
      pm.put("accesses", p.accesses());
      pm.put("first", p.first().toString());
      pm.put("last", p.last().toString());
      pm.put("interactions", p.interactions());
      pm.put("resources", p.resources().stream().map(x -> Map.of("reference", x.reference(), "count", x.count())).toList());
      if (p.note() != null) pm.put("note", p.note());
      patients.add(pm);
    }
    m.put("patients", patients);
    m.put("otherResources", r.otherResources().stream().map(x -> Map.of("reference", x.reference(), "count", x.count())).toList());
    List<Object> entries = new ArrayList<>();
    for (var e : r.proofs()) {
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("index", e.index());
      em.put("time", e.time().toString());
      em.put("interaction", e.interaction());
      em.put("resourceType", e.resourceType());
      em.put("outcome", e.outcome());
      em.put("entry", e.entry());
      em.put("leafHash", e.leafHash());
      em.put("inclusionProof", e.inclusionProof());
      entries.add(em);
    }
    m.put("entries", entries);
    m.put("howToVerify", "For each entry: SHA-256(0x00 || base64-decoded entry) equals leafHash; the inclusionProof"
        + " (RFC 9162 section 2.1.3.2) from leafHash at index gives the root in the checkpoint note, whose Ed25519"
        + " signature verifies with verifierKey (C2SP signed-note).");
    return m;
  }

  private static void write(Path dir, BreachScope.Report r, String json) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("breach-scope.json"), json + "\n", StandardCharsets.UTF_8);
      StringBuilder p = new StringBuilder("patient,pseudonym,accesses,resources,first,last,note\n");
      StringBuilder res = new StringBuilder("patient,pseudonym,resource,count\n");
      for (var x : r.patients()) {
        p.append(csv(x.patient())).append(',').append(x.pseudonym()).append(',').append(x.accesses()).append(',')
            .append(x.resources().size()).append(',').append(x.first()).append(',').append(x.last()).append(',')
            .append(csv(x.note())).append('\n');
        for (var rc : x.resources()) {
          res.append(csv(x.patient())).append(',').append(x.pseudonym()).append(',').append(csv(rc.reference())).append(',')
              .append(rc.count()).append('\n');
        }
      }
      for (var rc : r.otherResources()) res.append(",,").append(csv(rc.reference())).append(',').append(rc.count()).append('\n');
      Files.writeString(dir.resolve("patients.csv"), p, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("resources.csv"), res, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new WardException.InvalidRequest("cannot write the report to " + dir + ": " + e.getMessage());
    }
  }

  private static String csv(String s) {
    if (s == null) return "";
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  private static void summary(BreachScope.Report r, PrintWriter out) {
    out.printf(Locale.ROOT, "Breach scope of %s %s, %s to %s: %,d entries (%d allowed, %d denied, %d failed), %d patients%n",
        r.selector().by().name().toLowerCase(Locale.ROOT), r.selector().value(), r.from() == null ? "the beginning" : r.from(),
        r.to(), r.entries(), r.allowed(), r.denied(), r.failed(), r.patients().size());
    out.printf(Locale.ROOT, "Anchored to the signed checkpoint of %,d entries; every entry has its inclusion proof.%n", r.checkpointSize());
    if (r.entriesOfAnotherFormat() > 0) {
      out.printf(Locale.ROOT, "WARNING: %,d entries in the window are of an earlier ledger format and were not examined.%n",
          r.entriesOfAnotherFormat());
    }
    out.println();
    if (r.patients().isEmpty()) return;
    int w = Math.max(7, r.patients().stream().mapToInt(p -> p.patient() == null ? 32 : p.patient().length()).max().orElse(7));
    out.printf(Locale.ROOT, "%-" + w + "s  %8s  %9s  %-24s  %-24s%n", "PATIENT", "ACCESSES", "RESOURCES", "FIRST", "LAST");
    for (var p : r.patients()) {
      out.printf(Locale.ROOT, "%-" + w + "s  %8d  %9d  %-24s  %-24s%n", p.patient() == null ? p.pseudonym() : p.patient(),
          p.accesses(), p.resources().size(), p.first(), p.last());
    }
  }
}
