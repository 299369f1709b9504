package dev.bulwark.resilience.architecture;

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
import com.tngtech.archunit.lang.ArchRule;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The rules of DESIGN.md that a machine can check, shared by every module's {@code
 * ArchitectureTest} through resilience-core's test jar.
 */
public final class BulwarkRules {

  /** The one class allowed to read the clock and sleep: the system time source. */
  public static final String SYSTEM_TIME_SOURCE = "dev.bulwark.resilience.SystemTimeSource";

  private BulwarkRules() {}

  /**
   * Imports the main (non-test) classes of a package and its sub-packages.
   *
   * @param rootPackage the module's root package, e.g. {@code dev.bulwark.streaming}
   * @return the imported classes
   */
  public static JavaClasses mainClassesOf(String rootPackage) {
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(rootPackage);
  }

  /**
   * Classes may depend only on the given packages (ArchUnit syntax, e.g. {@code "java.."}).
   *
   * @param why the module's reason, shown when the rule fails
   * @param allowedPackages the packages a class may depend on
   * @return the rule
   */
  public static ArchRule dependOnlyOn(String why, String... allowedPackages) {
    return noClasses()
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages(allowedPackages)
        .because(why);
  }

  /**
   * Nothing but {@link #SYSTEM_TIME_SOURCE} reads the clock or sleeps.
   *
   * @return the rule
   */
  public static ArchRule onlyTheTimeSourceReadsTheClockOrSleeps() {
    return noClasses()
        .that()
        .doNotHaveFullyQualifiedName(SYSTEM_TIME_SOURCE)
        .should()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(Thread.class, "sleep", long.class)
        .orShould()
        .callMethod(Thread.class, "sleep", long.class, int.class)
        .orShould()
        .callMethod(Thread.class, "sleep", Duration.class)
        .orShould()
        .callMethod(TimeUnit.class, "sleep", long.class)
        .because("every read of time and every sleep goes through TimeSource");
  }

  /**
   * Nobody creates a {@link Random}: randomness comes from an injected {@code RandomGenerator}.
   *
   * @return the rule
   */
  public static ArchRule noNewRandom() {
    return noClasses()
        .should()
        .callConstructorWhere(
            JavaConstructorCall.Predicates.target(
                HasOwner.Predicates.With.owner(JavaClass.Predicates.assignableTo(Random.class))))
        .because("randomness comes from an injectable RandomGenerator");
  }

  /**
   * Classes of the {@code internal} package below {@code modulePackage} depend only on the JDK, the
   * core's root and internal packages, and the module's own root and internal packages: they
   * implement the module's API and never reach into one feature's package.
   *
   * @param modulePackage the module's root package
   * @return the rule
   */
  public static ArchRule internalPackageIsALeaf(String modulePackage) {
    return classes()
        .that()
        .resideInAPackage(modulePackage + ".internal..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "dev.bulwark.resilience",
            "dev.bulwark.resilience.internal..",
            modulePackage,
            modulePackage + ".internal..")
        .allowEmptyShould(true);
  }

  /**
   * Only Bulwark's own classes ({@code dev.bulwark..}) depend on resilience-core's {@code internal}
   * package: it is shared by Bulwark's modules and is not API (see its package-info).
   *
   * @return the rule
   */
  public static ArchRule onlyBulwarkDependsOnCoreInternals() {
    return classes()
        .that()
        .resideInAPackage("dev.bulwark.resilience.internal..")
        .should()
        .onlyHaveDependentClassesThat()
        .resideInAPackage("dev.bulwark..")
        .because("internal is shared by Bulwark's own modules and is not API")
        .allowEmptyShould(true);
  }

  /**
   * No public method of a public API class returns a type from an {@code internal} package.
   *
   * @return the rule
   */
  public static ArchRule publicApiDoesNotExposeInternalTypes() {
    return noMethods()
        .that()
        .arePublic()
        .and()
        .areDeclaredInClassesThat()
        .resideOutsideOfPackage("..internal..")
        .and()
        .areDeclaredInClassesThat()
        .arePublic()
        .should()
        .haveRawReturnType(JavaClass.Predicates.resideInAPackage("..internal.."));
  }

  /**
   * No method is {@code synchronized}; waits use {@code java.util.concurrent} locks.
   *
   * @return the rule
   */
  public static ArchRule nothingIsSynchronized() {
    return noMethods()
        .should()
        .haveModifier(JavaModifier.SYNCHRONIZED)
        .because("waits use java.util.concurrent locks so virtual threads never pin");
  }
}
