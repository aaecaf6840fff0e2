package health.ward;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The package direction of DESIGN.md: a package may use only packages above it in this list.
 * HTTP handlers cannot reach the store, vault or ledger except through the records service.
 */
class ArchitectureTest {
  static final List<String> LAYERS =
      List.of(
          "common", "crypto", "store", "keys", "vault", "ledger", "access", "audit", "watch",
          "records", "backup", "breach", "auth", "server", "cli");

  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("health.ward");

  @Test
  void packages_useOnlyPackagesAboveThem() {
    for (int i = 0; i < LAYERS.size(); i++) {
      String pkg = "health.ward." + LAYERS.get(i);
      List<String> below = LAYERS.subList(i + 1, LAYERS.size());
      if (below.isEmpty()) continue;
      String[] belowPkgs = below.stream().map(p -> "health.ward." + p + "..").toArray(String[]::new);
      ArchRule rule =
          ArchRuleDefinition.noClasses()
              .that()
              .resideInAPackage(pkg + "..")
              .should()
              .dependOnClassesThat()
              .resideInAnyPackage(belowPkgs)
              .allowEmptyShould(true)
              .because(pkg + " may use only packages above it in DESIGN.md");
      rule.check(MAIN);
    }
  }

  @Test
  void server_reachesRecordsOnlyThroughTheRecordsService() {
    ArchRuleDefinition.noClasses()
        .that()
        .resideInAPackage("health.ward.server..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "health.ward.store..", "health.ward.vault..", "health.ward.ledger..", "health.ward.keys..",
            "health.ward.crypto..", "health.ward.audit..")
        .because("HTTP handlers call the records service; it alone decides, audits and acts")
        .check(MAIN);
  }

  @Test
  void everyClassLivesInAKnownPackage() {
    DescribedPredicate<JavaClass> unknown =
        DescribedPredicate.describe(
            "outside the DESIGN.md packages",
            c -> LAYERS.stream().noneMatch(p -> c.getPackageName().startsWith("health.ward." + p)));
    ArchRuleDefinition.noClasses().that(unknown).should().bePublic().orShould().notBePublic()
        .allowEmptyShould(true).check(MAIN);
  }

  @Test
  void noSliceCycles() {
    slices().matching("health.ward.(*)..").should().beFreeOfCycles().check(MAIN);
  }
}
