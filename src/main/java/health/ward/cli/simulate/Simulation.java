package health.ward.cli.simulate;

import ca.uhn.fhir.context.FhirContext;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import health.ward.access.Principal;
import health.ward.access.Role;
import health.ward.auth.Identity;
import health.ward.auth.IssuedToken;
import health.ward.auth.SignIn;
import health.ward.auth.StaffDirectory;
import health.ward.cli.WardApp;
import health.ward.cli.WardConfig;
import health.ward.records.RequestContext;
import health.ward.server.FhirServer;
import health.ward.server.ServerConfig;
import health.ward.watch.Alert;
import health.ward.watch.Watch;
import health.ward.watch.WatchSettings;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * One run of the hospital in a box, for one seed: a live Ward (embedded PostgreSQL, HTTPS on a free
 * port, the watch on) on a simulated clock; departments, staff with roles and shifts, patients
 * grown from Synthea; an ADT feed admitting and discharging with care teams, a lab feed, clinicians
 * doing rounds and handovers, clerks at the desk; then, on the attack day, the named scenarios.
 * Everything reaches Ward over HTTPS from its own address except the initial import and account
 * creation, which the operator does on the host. Ward sees only what a real deployment sees.
 *
 * <p>Actions run one at a time in simulated-time order; after each, the detectors behind the
 * response are let finish, so a run repeats exactly from its seed.
 */
final class Simulation implements AutoCloseable {
  static final Instant START = Instant.parse("2026-03-02T00:00:00Z");
  static final String PASSWORD = "simulated staff passphrase";
  static final List<String> SCENARIOS = List.of(
      "bulk-scrape", "slow-and-low", "stolen-token", "celebrity", "co-worker", "family", "break-glass-abuse");
  private static final FhirContext FHIR = FhirContext.forR4Cached();
  private static final String[] DEPARTMENTS = {"cardiology", "surgery", "internal-medicine", "emergency"};
  private static final List<String> STAFF_GIVEN = List.of(
      "Anouk", "Bas", "Charlotte", "Daan", "Esmee", "Floris", "Guus", "Hester", "Isa", "Jurre", "Kim", "Lars", "Maud",
      "Niels", "Olivia", "Pepijn", "Rosa", "Stijn", "Tamara", "Vincent", "Willemijn", "Yusuf", "Zoë", "Bram", "Lotte");
  private static final List<String> STAFF_FAMILY = List.of(
      "van Dijk", "de Graaf", "Verhoeven", "Kuipers", "van Leeuwen", "Schouten", "Willems", "van der Meer", "Postma",
      "Huisman", "Koster", "Prins", "Hoekstra", "Veenstra", "de Haan", "van Dam", "Bosman", "Kramer", "Wouters", "Dijkstra");

  /** What one run measured. */
  record Result(List<ScenarioRun> scenarios, BenignRun benign, List<Alert> alerts, List<Long> behindLagNanos) {}

  record Options(long seed, int warmupDays, int patients, List<String> scenarios, int repeats, Path synthea, Path work,
      Consumer<String> progress) {}

  private record Act(Instant at, long seq, Runnable run) implements Comparable<Act> {
    @Override
    public int compareTo(Act o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  final class Staff {
    final String username, given, family, line, postal;
    final Role role;
    final int dept;
    final int shift;
    final BirthDate born;
    String practitioner;
    String principal;
    Station station;
    byte[] totp;
    long lastStep = Long.MIN_VALUE;
    String token;
    Instant lastUse = Instant.MIN;
    Instant signedIn = Instant.MIN;
    boolean blocked;

    Staff(String username, String given, String family, Role role, int dept, int shift, BirthDate born, String line, String postal) {
      this.username = username;
      this.given = given;
      this.family = family;
      this.role = role;
      this.dept = dept;
      this.shift = shift;
      this.born = born;
      this.line = line;
      this.postal = postal;
    }
  }

  record BirthDate(int year, int month, int day) {
    String iso() {
      return String.format("%04d-%02d-%02d", year, month, day);
    }
  }

  final class Admission {
    final String patient;
    final int dept;
    String encounter;
    String careTeam;
    Instant until;

    Admission(String patient, int dept) {
      this.patient = patient;
      this.dept = dept;
    }
  }

  /** One attack as it unfolds. */
  final class Attack {
    final String scenario;
    final String actor;
    final Instant start;
    final Set<String> records = new LinkedHashSet<>();
    Instant cutAt;
    int recordsAtCut = -1;

    Attack(String scenario, String actor, Instant start) {
      this.scenario = scenario;
      this.actor = actor;
      this.start = start;
    }

    boolean cut() {
      return cutAt != null;
    }
  }

  private final Options options;
  private final Random random;
  private final SimClock clock = new SimClock(START);
  private final PriorityQueue<Act> queue = new PriorityQueue<>();
  private long seq;
  private final Path dir;
  private final WardApp app;
  private final Identity identity;
  private final FhirServer server;
  private final Watch watch;
  private final X509Certificate cert;
  private final String root;
  private final List<String> departmentOrg = new ArrayList<>();
  private final List<String> departmentWard = new ArrayList<>();
  private final List<Staff> staff = new ArrayList<>();
  private final List<String> patients = new ArrayList<>();
  private final Map<String, String> mrn = new HashMap<>();
  private final Set<String> special = new HashSet<>();
  private final List<List<Admission>> census = new ArrayList<>();
  private final Set<String> admitted = new HashSet<>();
  private final Map<Integer, Set<String>> everAdmitted = new HashMap<>();
  private final List<Attack> attacks = new ArrayList<>();
  private final Set<Staff> attackers = new HashSet<>();
  private final Map<String, Staff> staffPatient = new HashMap<>();
  private final Map<String, Staff> relative = new HashMap<>();
  private String vip;
  private List<String> canaries = List.of();
  private Station adtStation, labStation, officeStation;
  private String adtToken, labToken, labTokenId, officerToken;
  private long requests;
  /** Real time, in ns, the detectors behind the response still needed after each action's responses. */
  private final List<Long> settles = new ArrayList<>();
  private long unexpected;
  private final Map<String, Integer> unexpectedBy = new java.util.TreeMap<>();
  private int benignCutOff;

  Simulation(Options options) throws Exception {
    this.options = options;
    this.random = new Random(options.seed());
    this.dir = Files.createDirectories(options.work().resolve("seed-" + options.seed()));
    WardConfig config = WardConfig.defaults(dir.resolve("data"), dir.resolve("keys"));
    this.app = WardApp.open(config, clock, new SecureRandom());
    this.identity = app.identity(new SignIn.Settings(Duration.ofMinutes(15), Duration.ofHours(12),
        EnumSet.of(Role.PHYSICIAN, Role.NURSE, Role.CLERK, Role.SECURITY_OFFICER), "127.0.0.1", Set.of(), 1_000_000));
    this.watch = app.startWatch(WatchSettings.defaults(ZoneOffset.UTC), List.of());
    this.server = new FhirServer(app.records(), app.transparency(), identity,
        ServerConfig.selfSigned(dir.resolve("data").resolve("tls")).withPort(0).withThreads(16)).start();
    this.root = server.baseUrl().replaceFirst("/fhir$", "");
    this.cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
        new ByteArrayInputStream(Files.readAllBytes(dir.resolve("data").resolve("tls").resolve("ward-cert.pem"))));
  }

  // ---- the run --------------------------------------------------------------------------------

  Result run() throws Exception {
    setUp();
    int days = options.warmupDays() + 1;
    for (int d = 0; d < days; d++) scheduleDay(d);
    scheduleAttacks(options.warmupDays());
    Instant end = START.plus(Duration.ofDays(days));
    long done = 0;
    while (!queue.isEmpty()) {
      Act a = queue.poll();
      if (a.at().isAfter(end)) break;
      clock.advanceTo(a.at());
      a.run().run();
      long t0 = System.nanoTime();
      watch.settle();
      settles.add(System.nanoTime() - t0);
      if (++done % 2000 == 0) {
        options.progress().accept(String.format("seed %d: day %.1f of %d, %,d requests, %d alerts", options.seed(),
            Duration.between(START, clock.instant()).toMinutes() / 1440.0, days, requests, watch.alerts(null, 10_000).size()));
      }
    }
    return results(days);
  }

  private void at(Instant t, Runnable r) {
    queue.add(new Act(t, seq++, r));
  }

  private static Duration minutes(double m) {
    return Duration.ofMillis((long) (m * 60_000));
  }

  private double uniform(double lo, double hi) {
    return lo + random.nextDouble() * (hi - lo);
  }

  // ---- set-up: departments, staff, patients (operator on the host), then accounts over HTTPS --------

  private void setUp() {
    RequestContext op = RequestContext.local(Principal.operator("simulate"));
    for (String d : DEPARTMENTS) {
      Organization o = new Organization().setName(d);
      departmentOrg.add("Organization/" + app.records().create(op, o, null).id());
      Location l = new Location().setName("ward " + d);
      departmentWard.add("Location/" + app.records().create(op, l, null).id());
      census.add(new ArrayList<>());
    }
    int n = 0;
    for (int d = 0; d < DEPARTMENTS.length; d++) {
      for (int i = 0; i < 2; i++) staff.add(person(n++, Role.PHYSICIAN, d, 0));
      for (int s = 0; s < 3; s++) staff.add(person(n++, Role.NURSE, d, s));
    }
    for (int i = 0; i < 3; i++) staff.add(person(n++, Role.CLERK, -1, 0));
    for (Staff s : staff) {
      Practitioner p = new Practitioner();
      p.addName().setFamily(s.family).addGiven(s.given);
      p.setBirthDateElement(new DateType(s.born.iso()));
      p.addAddress().addLine(s.line).setPostalCode(s.postal);
      s.practitioner = "Practitioner/" + app.records().create(op, p, null).id();
    }
    Population population = Population.load(options.synthea());
    options.progress().accept("seed " + options.seed() + ": " + options.patients() + " patients from " + population.templates()
        + " Synthea templates, " + staff.size() + " staff in " + DEPARTMENTS.length + " departments");
    for (int i = 0; i < options.patients(); i++) {
      Bundle b = population.patient(i, random);
      String id = created(app.records().transaction(op, b), "Patient");
      patients.add(id);
      mrn.put(id, ((Patient) b.getEntryFirstRep().getResource()).getIdentifierFirstRep().getValue());
    }
    // Staff who are also patients here, and relatives of staff (same surname, same address).
    List<Staff> shuffled = new ArrayList<>(staff);
    Collections.shuffle(shuffled, random);
    int people = Math.max(2, options.repeats());
    for (int i = 0; i < people; i++) {
      Staff s = shuffled.get(i);
      Patient p = new Patient();
      p.addName().setFamily(s.family).addGiven(s.given);
      p.setBirthDateElement(new DateType(s.born.iso()));
      p.addAddress().addLine((10 + i) + " Stationsplein").setPostalCode("3511 CE");
      p.addIdentifier().setSystem("urn:ward:mrn").setValue("S" + i);
      String id = app.records().create(op, p, null).id();
      staffPatient.put(id, s);
      special.add(id);
    }
    for (int i = 0; i < people; i++) {
      Staff s = shuffled.get(shuffled.size() - 1 - i);
      Patient p = new Patient();
      p.addName().setFamily(s.family).addGiven(STAFF_GIVEN.get(random.nextInt(STAFF_GIVEN.size())) + "je");
      p.setBirthDateElement(new DateType((1950 + random.nextInt(60)) + "-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(9)));
      p.addAddress().addLine(s.line).setPostalCode(s.postal);
      p.addIdentifier().setSystem("urn:ward:mrn").setValue("R" + i);
      String id = app.records().create(op, p, null).id();
      relative.put(id, s);
      special.add(id);
    }
    // Accounts: created by the operator (ward user add), enrolled and signed in over HTTPS.
    for (int i = 0; i < staff.size(); i++) {
      Staff s = staff.get(i);
      s.station = new Station(root, cert, s.dept < 0 ? "127.0.20." + (1 + i) : "127.0." + (10 + s.dept) + "." + (1 + i),
          "Mozilla/5.0 (Windows NT 10.0) HospitalWorkstation/" + (s.dept < 0 ? "desk" : DEPARTMENTS[s.dept]));
      List<String> deps = s.dept < 0 ? List.of() : List.of(departmentOrg.get(s.dept), departmentWard.get(s.dept));
      var en = identity.directory().add(op, new StaffDirectory.NewUser(s.username, s.given + " " + s.family, s.role, s.practitioner, deps));
      s.totp = s.station.enrol(en.secret().reveal(), PASSWORD, clock.instant());
      s.lastStep = clock.instant().getEpochSecond() / 30;
      s.principal = "user:" + identity.directory().find(s.username).orElseThrow().id();
    }
    officeStation = new Station(root, cert, "127.0.3.1", "Mozilla/5.0 SecurityOffice");
    var so = identity.directory().add(op, new StaffDirectory.NewUser("security.officer", "Security Officer", Role.SECURITY_OFFICER, null, List.of()));
    byte[] soTotp = officeStation.enrol(so.secret().reveal(), PASSWORD, clock.instant());
    clock.advanceTo(clock.instant().plusSeconds(31));
    officerToken = officeStation.signIn("security.officer", PASSWORD, soTotp, clock.instant(), 0);
    adtStation = new Station(root, cert, "127.0.2.1", "HL7-ADT-Bridge/3.2");
    labStation = new Station(root, cert, "127.0.2.2", "LabLink/7.1");
    adtToken = app.tokens().create("adt-feed", Role.INTEGRATION).secret().reveal();
    IssuedToken lab = app.tokens().create("lab-feed", Role.INTEGRATION);
    labToken = lab.secret().reveal();
    labTokenId = lab.id();
    // The security office flags a well-known patient as VIP and plants canaries.
    vip = patients.get(random.nextInt(patients.size()));
    special.add(vip);
    expect(officeStation.admin("POST", "flags", officerToken, "{\"patient\":\"Patient/" + vip + "\",\"flag\":\"vip\"}"), "flag a VIP");
    HttpResponse<String> made = officeStation.admin("POST", "canaries", officerToken,
        "{\"count\":" + Math.max(3, options.patients() / 100) + "}");
    expect(made, "make canaries");
    List<String> c = new ArrayList<>();
    JsonParser.parseString(made.body()).getAsJsonObject().getAsJsonArray("patients")
        .forEach(e -> c.add(e.getAsString().substring("Patient/".length())));
    canaries = List.copyOf(c);
    // The VIP is in hospital for the whole run.
    admit(vip, 0, Duration.ofDays(options.warmupDays() + 2));
  }

  private Staff person(int n, Role role, int dept, int shift) {
    String given = STAFF_GIVEN.get(n % STAFF_GIVEN.size());
    String family = STAFF_FAMILY.get((n * 7 + random.nextInt(3)) % STAFF_FAMILY.size());
    String username = (given + "." + family).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z.]", "") + n;
    BirthDate born = new BirthDate(1960 + random.nextInt(40), 1 + random.nextInt(12), 1 + random.nextInt(28));
    return new Staff(username, given, family, role, dept, shift, born, (1 + random.nextInt(180)) + " Kastanjelaan",
        String.format("%04d", 1000 + random.nextInt(9000)) + " AB");
  }

  private static String created(Bundle response, String type) {
    for (Bundle.BundleEntryComponent e : response.getEntry()) {
      String loc = e.getResponse().getLocation();
      if (loc != null && loc.startsWith(type + "/")) return loc.split("/")[1];
    }
    throw new IllegalStateException("the transaction created no " + type);
  }

  private void expect(HttpResponse<String> r, String what) {
    if (r.statusCode() / 100 != 2) throw new IllegalStateException("could not " + what + ": HTTP " + r.statusCode() + " " + r.body());
  }

  // ---- the ADT and lab feeds --------------------------------------------------------------------

  private void admit(String patient, int dept, Duration stay) {
    Admission a = new Admission(patient, dept);
    Instant now = clock.instant();
    a.until = now.plus(stay);
    Encounter e = new Encounter().setStatus(Encounter.EncounterStatus.INPROGRESS)
        .setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", dept == 3 ? "EMER" : "IMP", null))
        .setSubject(new Reference("Patient/" + patient)).setServiceProvider(new Reference(departmentOrg.get(dept)));
    e.addLocation().setLocation(new Reference(departmentWard.get(dept)));
    e.getPeriod().setStart(java.util.Date.from(now));
    Staff attending = physicians(dept).get(random.nextInt(2));
    e.addParticipant().setIndividual(new Reference(attending.practitioner));
    a.encounter = post("Encounter", e);
    CareTeam t = new CareTeam().setStatus(CareTeam.CareTeamStatus.ACTIVE).setSubject(new Reference("Patient/" + patient));
    for (Staff s : staff) {
      if (s.dept == dept) t.addParticipant().setMember(new Reference(s.practitioner));
    }
    a.careTeam = post("CareTeam", t);
    census.get(dept).add(a);
    admitted.add(patient);
    everAdmitted.computeIfAbsent(dept, k -> new HashSet<>()).add(patient);
  }

  private void discharge(Admission a) {
    Encounter e = new Encounter().setStatus(Encounter.EncounterStatus.FINISHED)
        .setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", a.dept == 3 ? "EMER" : "IMP", null))
        .setSubject(new Reference("Patient/" + a.patient)).setServiceProvider(new Reference(departmentOrg.get(a.dept)));
    e.setId(a.encounter);
    e.getPeriod().setStart(java.util.Date.from(clock.instant().minus(Duration.ofDays(1)))).setEnd(java.util.Date.from(clock.instant()));
    for (Staff s : physicians(a.dept)) e.addParticipant().setIndividual(new Reference(s.practitioner));
    put("Encounter/" + a.encounter, e);
    // The ward team keeps access for two days after discharge, to finish the documentation.
    CareTeam t = new CareTeam().setStatus(CareTeam.CareTeamStatus.ACTIVE).setSubject(new Reference("Patient/" + a.patient));
    t.getPeriod().setEnd(java.util.Date.from(clock.instant().plus(Duration.ofDays(2))));
    for (Staff s : staff) {
      if (s.dept == a.dept) t.addParticipant().setMember(new Reference(s.practitioner));
    }
    t.setId(a.careTeam);
    put("CareTeam/" + a.careTeam, t);
    census.get(a.dept).remove(a);
    admitted.remove(a.patient);
  }

  private void balance(int dept) {
    for (Admission a : List.copyOf(census.get(dept))) {
      if (!a.until.isAfter(clock.instant())) discharge(a);
    }
    int target = dept == 3 ? 6 : 10;
    while (census.get(dept).size() < target) {
      String p = patients.get(random.nextInt(patients.size()));
      if (admitted.contains(p) || special.contains(p)) continue;
      admit(p, dept, dept == 3 ? Duration.ofHours((long) uniform(4, 12)) : Duration.ofHours((long) uniform(36, 120)));
    }
  }

  private String post(String type, Resource r) {
    HttpResponse<String> resp = adtStation.fhir("POST", type, adtToken, FHIR.newJsonParser().encodeResourceToString(r));
    requests++;
    expect(resp, "post a " + type);
    String loc = resp.headers().firstValue("Location").orElseThrow();
    String tail = loc.substring(loc.indexOf("/" + type + "/") + type.length() + 2);
    return tail.split("/")[0];
  }

  private void put(String path, Resource r) {
    HttpResponse<String> resp = adtStation.fhir("PUT", path, adtToken, FHIR.newJsonParser().encodeResourceToString(r));
    requests++;
    expect(resp, "update " + path);
  }

  private void labResults() {
    for (List<Admission> dept : census) {
      for (Admission a : List.copyOf(dept)) {
        if (random.nextDouble() > 0.15) continue;
        Observation o = observation(a.patient, "lab result", "mmol/L", uniform(3, 9));
        HttpResponse<String> r = labStation.fhir("POST", "Observation", labToken, FHIR.newJsonParser().encodeResourceToString(o));
        requests++;
        if (r.statusCode() / 100 != 2) {
          unexpected++;
          unexpectedBy.merge("lab POST Observation → " + r.statusCode(), 1, Integer::sum);
        }
      }
    }
  }

  private static Observation observation(String patient, String what, String unit, double value) {
    Observation o = new Observation().setStatus(Observation.ObservationStatus.FINAL).setSubject(new Reference("Patient/" + patient));
    o.getCode().setText(what);
    o.setValue(new Quantity().setValue(Math.round(value * 10) / 10.0).setUnit(unit));
    return o;
  }

  /** A patient with nothing special about them (not VIP, staff, relative of staff or canary). */
  private String ordinary() {
    String p;
    do {
      p = patients.get(random.nextInt(patients.size()));
    } while (special.contains(p));
    return p;
  }

  private List<Staff> physicians(int dept) {
    return staff.stream().filter(s -> s.dept == dept && s.role == Role.PHYSICIAN).toList();
  }

  // ---- the clinical day ---------------------------------------------------------------------------

  private void scheduleDay(int d) {
    Instant day = START.plus(Duration.ofDays(d));
    for (int dept = 0; dept < DEPARTMENTS.length; dept++) {
      final int dd = dept;
      at(day.plus(minutes(6 * 60 + dept)), () -> balance(dd));
      at(day.plus(minutes(18 * 60 + dept)), () -> balance(dd));
      if (dept == 3) for (int h : new int[] {0, 10, 14, 22}) at(day.plus(minutes(h * 60 + 5)), () -> balance(dd));
    }
    for (int m = 15; m < 24 * 60; m += 30) at(day.plus(minutes(m)), this::labResults);
    for (Staff s : staff) {
      switch (s.role) {
        case PHYSICIAN -> physicianDay(s, day);
        case NURSE -> nurseShift(s, day);
        case CLERK -> clerkDay(s, day);
        default -> {}
      }
    }
    if (random.nextDouble() < 0.5) {
      Staff consultant = physicians(random.nextInt(3)).get(random.nextInt(2));
      at(day.plus(minutes(uniform(10 * 60, 16 * 60))), () -> {
        List<Admission> ed = census.get(3);
        if (ed.isEmpty()) return;
        String p = ed.get(random.nextInt(ed.size())).patient;
        request(consultant, "GET", "Patient/" + p, null, "X-Break-Glass", "consulted in the emergency department: chest pain, ECG changes");
        chart(consultant, p, clock.instant().plusSeconds(20), false);
      });
    }
  }

  private void physicianDay(Staff s, Instant day) {
    Instant t = day.plus(minutes(8 * 60 + uniform(0, 20)));
    at(t, () -> {
      Instant next = clock.instant();
      for (Admission a : List.copyOf(census.get(s.dept))) {
        next = next.plus(minutes(uniform(3, 8)));
        chart(s, a.patient, next, true);
      }
    });
    for (int i = 0; i < 4; i++) {
      at(day.plus(minutes(uniform(13 * 60, 16.5 * 60))), () -> {
        List<Admission> c = census.get(s.dept);
        if (!c.isEmpty()) chart(s, c.get(random.nextInt(c.size())).patient, clock.instant(), random.nextDouble() < 0.3);
      });
    }
    if (random.nextDouble() < 0.05) {
      at(day.plus(minutes(uniform(9 * 60, 16 * 60))), () -> request(s, "GET", "Patient/" + ordinary(), null));
    }
  }

  private void nurseShift(Staff s, Instant day) {
    int start = s.shift == 0 ? 7 * 60 : s.shift == 1 ? 15 * 60 : 23 * 60;
    Instant t = day.plus(minutes(start + uniform(0, 10)));
    at(t, () -> {
      String since = clock.instant().minus(Duration.ofDays(7)).toString().substring(0, 10);
      request(s, "GET", "Encounter?date=ge" + since + "&_count=50", null);
      Instant next = clock.instant();
      for (Admission a : List.copyOf(census.get(s.dept))) {
        next = next.plus(minutes(uniform(1, 3)));
        chart(s, a.patient, next, false);
      }
    });
    for (int round = 1; round <= 2; round++) {
      at(day.plus(minutes(start + round * 240 - 60 + uniform(0, 15))), () -> {
        Instant next = clock.instant();
        for (Admission a : List.copyOf(census.get(s.dept))) {
          next = next.plus(minutes(uniform(2, 5)));
          Instant when = next;
          at(when, () -> {
            if (!admitted.contains(a.patient)) return;
            request(s, "GET", "Patient/" + a.patient, null);
            request(s, "POST", "Observation", FHIR.newJsonParser().encodeResourceToString(
                observation(a.patient, "heart rate", "/min", uniform(55, 110))));
          });
        }
      });
    }
  }

  private void clerkDay(Staff s, Instant day) {
    double m = 8 * 60 + uniform(0, 10);
    while (m < 17 * 60) {
      at(day.plus(minutes(m)), () -> {
        String p = ordinary();
        request(s, "GET", "Patient?identifier=urn:ward:mrn%7C" + mrn.get(p), null);
        request(s, "GET", "Patient/" + p, null);
      });
      m += uniform(6, 14);
    }
  }

  /** A chart opened: the patient, then their observations, and perhaps a note. */
  private void chart(Staff s, String patient, Instant when, boolean note) {
    long later = (long) uniform(5, 20);
    at(when, () -> {
      // Rounds go by the census of the moment: a patient discharged meanwhile is skipped.
      if (!admitted.contains(patient)) return;
      request(s, "GET", "Patient/" + patient, null);
      at(clock.instant().plusSeconds(later), () -> request(s, "GET", "Observation?patient=" + patient + "&_count=20", null));
    });
    if (note) {
      at(when.plusSeconds((long) uniform(60, 180)), () -> request(s, "POST", "Observation",
          FHIR.newJsonParser().encodeResourceToString(observation(patient, "clinical note score", "score", uniform(0, 10)))));
    }
  }

  /** A staff member's request from their workstation, signing in first when their session is gone. */
  private HttpResponse<String> request(Staff s, String method, String path, String body, String... headers) {
    if (s.blocked) return null;
    Instant now = clock.instant();
    if (s.token == null || Duration.between(s.lastUse, now).compareTo(Duration.ofMinutes(14)) > 0
        || Duration.between(s.signedIn, now).compareTo(Duration.ofHours(11)) > 0) {
      if (!signIn(s)) return null;
    }
    HttpResponse<String> r = s.station.fhir(method, path, s.token, body, headers);
    requests++;
    s.lastUse = now;
    if (r.statusCode() == 401 && signIn(s)) {
      benignCutOff++;
      r = s.station.fhir(method, path, s.token, body, headers);
      requests++;
    }
    if (r.statusCode() / 100 != 2 && !(r.statusCode() == 403 && r.body().contains("care relationship"))) {
      unexpected++;
      unexpectedBy.merge(s.role.code() + " " + method + " " + path.replaceAll("[0-9a-f-]{8,}|[0-9]+", "#").replaceAll("\\?.*", "?…")
          + " → " + r.statusCode(), 1, Integer::sum);
    }
    return r;
  }

  private boolean signIn(Staff s) {
    Instant now = clock.instant();
    long step = now.getEpochSecond() / 30;
    int offset = (int) Math.max(0, s.lastStep + 1 - step);
    if (offset > 1) return false;
    String token = s.station.signIn(s.username, PASSWORD, s.totp, now, offset);
    if (token == null) {
      s.blocked = true;
      return false;
    }
    s.lastStep = step + offset;
    s.token = token;
    s.signedIn = now;
    s.lastUse = now;
    return true;
  }

  // ---- the attacks ----------------------------------------------------------------------------------

  private void scheduleAttacks(int day) {
    Instant base = START.plus(Duration.ofDays(day));
    List<Staff> pool = new ArrayList<>(staff);
    Collections.shuffle(pool, random);
    int slot = 0;
    // Break-the-glass needs physicians, the scarcest attackers: they are picked first.
    List<String> order = new ArrayList<>(options.scenarios());
    order.sort(java.util.Comparator.comparing(sc -> !sc.equals("break-glass-abuse")));
    for (String scenario : order) {
      int times = List.of("bulk-scrape", "slow-and-low", "stolen-token").contains(scenario) ? 1 : options.repeats();
      for (int i = 0; i < times; i++) {
        Instant t = base.plus(minutes(9 * 60 + 35 * slot++ + uniform(0, 20)));
        schedule(scenario, t, pool, i);
      }
    }
  }

  /** The first staff member of {@code pool} that fits and has not been an attacker yet. */
  private Staff next(List<Staff> pool, java.util.function.Predicate<Staff> fits) {
    for (Staff s : pool) {
      if (!attackers.contains(s) && fits.test(s)) {
        attackers.add(s);
        return s;
      }
    }
    throw new IllegalStateException("not enough staff for every scenario; use fewer --repeats");
  }

  private void schedule(String scenario, Instant t, List<Staff> who, int i) {
    switch (scenario) {
      case "bulk-scrape", "slow-and-low" -> {
        Staff victim = next(who, s -> (s.role == Role.PHYSICIAN || s.role == Role.NURSE) && !relative.containsValue(s));
        boolean slow = scenario.equals("slow-and-low");
        Station evil = new Station(root, cert, "127.0.99." + (10 + attacks.size()), "python-requests/2.31.0");
        at(t, () -> scrape(new Attack(scenario, victim.principal, clock.instant()), victim, evil, slow));
      }
      case "stolen-token" -> {
        Station evil = new Station(root, cert, "127.0.99." + (10 + attacks.size()), "curl/8.5.0");
        at(t, () -> stolenToken(new Attack(scenario, labTokenId, clock.instant()), evil));
      }
      case "celebrity" -> {
        Staff curious = next(who, s -> s.dept != 0 && !relative.containsValue(s));
        at(t, () -> snoop(new Attack(scenario, curious.principal, clock.instant()), curious, vip));
      }
      case "co-worker" -> {
        String target = new ArrayList<>(staffPatient.keySet()).get(i % staffPatient.size());
        Staff colleague = staffPatient.get(target);
        Staff curious = next(who, s -> s != colleague && !relative.containsValue(s));
        at(t, () -> snoop(new Attack(scenario, curious.principal, clock.instant()), curious, target));
      }
      case "family" -> {
        String target = new ArrayList<>(relative.keySet()).get(i % relative.size());
        Staff snooper = relative.get(target);
        attackers.add(snooper);
        at(t, () -> snoop(new Attack(scenario, snooper.principal, clock.instant()), snooper, target));
      }
      case "break-glass-abuse" -> {
        Staff doctor = next(who, s -> s.role == Role.PHYSICIAN && !relative.containsValue(s));
        at(t, () -> {
          String target;
          int tries = 0;
          do {
            target = patients.get(random.nextInt(patients.size()));
          } while (admitted.contains(target) || special.contains(target)
              || (tries++ < 1000 && everAdmitted.getOrDefault(doctor.dept, Set.of()).contains(target)));
          Attack a = new Attack(scenario, doctor.principal, clock.instant());
          attacks.add(a);
          attackRequest(a, doctor.station, doctor, "GET", "Patient/" + target, "X-Break-Glass", "need to check something for a colleague");
        });
      }
      default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'");
    }
  }

  /**
   * A phished account: the attacker signs in with the stolen password and a relayed one-time code
   * from their own machine, perhaps lists what the account can list, then reads every patient on a
   * leaked list of record ids (and, when fast, their observations), as fast as it can (10 requests
   * a second) or slowly (one request every 40–80 s, under a naive 100-an-hour rate limit).
   */
  private void scrape(Attack a, Staff victim, Station evil, boolean slow) {
    attacks.add(a);
    Staff attacker = new Staff(victim.username, victim.given, victim.family, victim.role, victim.dept, 0, victim.born, victim.line, victim.postal);
    attacker.totp = victim.totp;
    attacker.lastStep = victim.lastStep;
    attacker.station = evil;
    if (!signIn(attacker)) return;
    victim.lastStep = attacker.lastStep;
    List<String> leaked = new ArrayList<>();
    for (Admission ad : census.get(victim.dept)) leaked.add(ad.patient);
    List<String> others = new ArrayList<>(patients);
    Collections.shuffle(others, random);
    leaked.addAll(others.subList(0, Math.min(others.size(), slow ? 300 : 120)));
    List<String[]> steps = new ArrayList<>();
    // Half the fast scrapers list what the account can list first; the others go straight to the ids.
    if (!slow && random.nextBoolean()) steps.add(new String[] {"Patient?_count=50"});
    for (String p : leaked) {
      steps.add(new String[] {"Patient/" + p});
      if (!slow) steps.add(new String[] {"Observation?patient=" + p + "&_count=100"});
    }
    Instant t = clock.instant();
    for (String[] step : steps) {
      t = t.plus(slow ? Duration.ofSeconds((long) uniform(40, 80)) : Duration.ofMillis(100));
      at(t, () -> {
        if (!a.cut()) attackRequest(a, evil, attacker, "GET", step[0]);
      });
    }
  }

  /** The lab feed's token, copied off its server, used from elsewhere to list and read patients. */
  private void stolenToken(Attack a, Station evil) {
    attacks.add(a);
    Staff feed = new Staff("lab-feed", "", "", Role.INTEGRATION, -1, 0, null, "", "");
    feed.token = labToken;
    feed.station = evil;
    Instant t = clock.instant();
    List<String> steps = new ArrayList<>(List.of("Patient?_count=100"));
    List<String> others = new ArrayList<>(patients);
    Collections.shuffle(others, random);
    for (String p : others.subList(0, Math.min(60, others.size()))) steps.add("Patient/" + p);
    for (String step : steps) {
      t = t.plus(Duration.ofMillis(100));
      at(t, () -> {
        if (!a.cut()) attackRequest(a, evil, feed, "GET", step);
      });
    }
  }

  /** A curious employee opens one person's record, then their observations. */
  private void snoop(Attack a, Staff s, String target) {
    attacks.add(a);
    if (s.blocked) return;
    attackRequest(a, s.station, s, "GET", "Patient/" + target);
    at(clock.instant().plusSeconds(15), () -> attackRequest(a, s.station, s, "GET", "Observation?patient=" + target));
  }

  private void attackRequest(Attack a, Station from, Staff as, String method, String path, String... headers) {
    if (as.token == null || (as.role != Role.INTEGRATION && Duration.between(as.lastUse, clock.instant()).toMinutes() >= 14)) {
      if (as.role == Role.INTEGRATION || !signIn(as)) {
        if (a.cutAt == null && as.blocked) cut(a);
        return;
      }
    }
    HttpResponse<String> r = from.fhir(method, path, as.token, null, headers);
    requests++;
    as.lastUse = clock.instant();
    int status = r.statusCode();
    if (status == 401 || status == 429 || (status == 403 && r.body().contains("unusual activity"))) {
      cut(a);
      return;
    }
    if (status == 200) {
      JsonObject body = JsonParser.parseString(r.body()).getAsJsonObject();
      if ("Bundle".equals(body.get("resourceType").getAsString())) {
        JsonArray entries = body.has("entry") ? body.getAsJsonArray("entry") : new JsonArray();
        for (JsonElement e : entries) {
          a.records.add(patientOf(e.getAsJsonObject().getAsJsonObject("resource")));
        }
      } else {
        a.records.add(patientOf(body));
      }
    }
  }

  private void cut(Attack a) {
    if (a.cutAt != null) return;
    a.cutAt = clock.instant();
    a.recordsAtCut = a.records.size();
  }

  private static String patientOf(JsonObject res) {
    if ("Patient".equals(res.get("resourceType").getAsString())) return res.get("id").getAsString();
    for (String field : List.of("subject", "patient")) {
      if (res.has(field) && res.getAsJsonObject(field).has("reference")) {
        return res.getAsJsonObject(field).get("reference").getAsString().replaceFirst("^Patient/", "");
      }
    }
    return "?";
  }

  // ---- what was measured ----------------------------------------------------------------------------

  private Result results(int days) throws InterruptedException {
    watch.settle();
    List<Alert> alerts = watch.alerts(null, 100_000);
    List<ScenarioRun> runs = new ArrayList<>();
    Set<Long> explained = new HashSet<>();
    for (Attack a : attacks) {
      List<Alert> mine = alerts.stream()
          .filter(al -> al.actor().equals(a.actor) && !al.at().isBefore(a.start) && al.at().isBefore(a.start.plus(Duration.ofHours(8))))
          .sorted(java.util.Comparator.comparing(Alert::at)).toList();
      mine.forEach(al -> explained.add(al.id()));
      Duration first = mine.isEmpty() ? null : Duration.between(a.start, mine.get(0).at());
      Duration cut = a.cutAt == null ? null : Duration.between(a.start, a.cutAt);
      int records = a.cut() ? a.recordsAtCut : a.records.size();
      runs.add(new ScenarioRun(a.scenario, options.seed(), !mine.isEmpty(), first, cut, records,
          mine.stream().map(Alert::detector).distinct().toList()));
    }
    // Alerts after an attack on the attacker's own account (its owner's later work) are not false alarms either.
    Map<String, Integer> byDetector = new HashMap<>();
    int falseAlerts = 0;
    for (Alert al : alerts) {
      if (explained.contains(al.id())) continue;
      boolean attackerLater = attacks.stream().anyMatch(a -> a.actor.equals(al.actor()) && !al.at().isBefore(a.start));
      if (attackerLater) continue;
      falseAlerts++;
      byDetector.merge(al.detector(), 1, Integer::sum);
    }
    long clinicians = staff.stream().filter(s -> s.role == Role.PHYSICIAN || s.role == Role.NURSE).count();
    BenignRun benign = new BenignRun(options.seed(), clinicians * (double) days, requests, falseAlerts, byDetector);
    options.progress().accept(String.format("seed %d: done: %,d requests (%d unexpected answers, %d benign sessions re-opened), %d alerts",
        options.seed(), requests, unexpected, benignCutOff, alerts.size()));
    if (!unexpectedBy.isEmpty()) options.progress().accept("seed " + options.seed() + ": unexpected answers: " + unexpectedBy);
    for (Alert al : alerts) {
      options.progress().accept("seed " + options.seed() + ": alert " + al.id() + " " + al.at() + " " + al.detector() + " "
          + al.actorName() + ": " + al.explanation());
    }
    return new Result(runs, benign, alerts, List.copyOf(settles));
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      app.close();
    }
  }
}
