package dev.bulwark.resilience;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules of DESIGN.md that a machine can check, for resilience-core's main classes. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.bulwark.resilience");
  }

  @Test
  void coreDependsOnNothingButTheJdk() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", "dev.bulwark.resilience..")
        .because("resilience-core has no runtime dependency beyond the JDK")
        .check(classes);
  }

  @Test
  void onlyTheTimeSourceReadsTheClockOrSleeps() {
    ArchRule rule =
        noClasses()
            .that()
            .doNotHaveFullyQualifiedName("dev.bulwark.resilience.SystemTimeSource")
            .should()
            .callMethod(System.class, "nanoTime")
            .orShould()
            .callMethod(System.class, "currentTimeMillis")
            .orShould()
            .callMethod(Thread.class, "sleep", long.class)
            .orShould()
            .callMethod(Thread.class, "sleep", long.class, int.class)
            .orShould()
            .callMethod(Thread.class, "sleep", java.time.Duration.class)
            .orShould()
            .callMethod(TimeUnit.class, "sleep", long.class)
            .because("every read of time and every sleep goes through TimeSource");
    rule.check(classes);
  }

  @Test
  void randomnessComesFromAnInjectedGenerator() {
    noClasses()
        .should()
        .callConstructorWhere(
            com.tngtech.archunit.core.domain.JavaConstructorCall.Predicates.target(
                com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                    com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo(
                        Random.class))))
        .because("randomness comes from an injectable RandomGenerator")
        .check(classes);
  }

  @Test
  void internalPackageIsALeafBelowTheRootPackage() {
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
        .that()
        .resideInAPackage("dev.bulwark.resilience.internal..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.bulwark.resilience", "dev.bulwark.resilience.internal..")
        .because("shared internals must not reach into any one policy")
        .check(classes);
  }

  @Test
  void publicApiDoesNotExposeInternalTypes() {
    noMethods()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .resideOutsideOfPackage("..internal..")
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .should()
        .haveRawReturnType(
            com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage("..internal.."))
        .check(classes);
  }

  @Test
  void nothingIsSynchronized() {
    noMethods()
        .should()
        .haveModifier(JavaModifier.SYNCHRONIZED)
        .because("waits use java.util.concurrent locks so virtual threads never pin")
        .check(classes);
  }
}
