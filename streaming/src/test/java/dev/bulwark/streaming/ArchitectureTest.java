package dev.bulwark.streaming;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules of DESIGN.md that a machine can check, for the streaming module's main classes. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.bulwark.streaming");
  }

  @Test
  void streamingDependsOnNothingButTheJdkAndTheCore() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(
            "java..",
            "com.sun.net.httpserver..",
            "dev.bulwark.resilience..",
            "dev.bulwark.streaming..")
        .because("streaming has no runtime dependency beyond the JDK and resilience-core")
        .check(classes);
  }

  @Test
  void onlyTheTimeSourceReadsTheClockOrSleeps() {
    noClasses()
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
        .because("every read of time and every sleep goes through TimeSource")
        .check(classes);
  }

  @Test
  void randomnessComesFromAnInjectedGenerator() {
    noClasses()
        .should()
        .callConstructorWhere(
            JavaConstructorCall.Predicates.target(
                HasOwner.Predicates.With.owner(JavaClass.Predicates.assignableTo(Random.class))))
        .because("randomness comes from an injectable RandomGenerator")
        .check(classes);
  }

  @Test
  void internalPackageDependsOnlyOnTheApiAndTheCore() {
    classes()
        .that()
        .resideInAPackage("dev.bulwark.streaming.internal..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "dev.bulwark.resilience",
            "dev.bulwark.resilience.internal..",
            "dev.bulwark.streaming",
            "dev.bulwark.streaming.internal..")
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
        .haveRawReturnType(JavaClass.Predicates.resideInAPackage("..internal.."))
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
