package dev.bulwark.resilience;

import static dev.bulwark.resilience.architecture.BulwarkRules.dependOnlyOn;
import static dev.bulwark.resilience.architecture.BulwarkRules.internalPackageIsALeaf;
import static dev.bulwark.resilience.architecture.BulwarkRules.mainClassesOf;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.bulwark.resilience.architecture.BulwarkRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules of DESIGN.md that a machine can check, for resilience-core's main classes. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = mainClassesOf("dev.bulwark.resilience");
  }

  @Test
  void coreDependsOnNothingButTheJdk() {
    dependOnlyOn(
            "resilience-core has no runtime dependency beyond the JDK",
            "java..",
            "dev.bulwark.resilience..")
        .check(classes);
  }

  @Test
  void onlyTheTimeSourceReadsTheClockOrSleeps() {
    BulwarkRules.onlyTheTimeSourceReadsTheClockOrSleeps().check(classes);
  }

  @Test
  void randomnessComesFromAnInjectedGenerator() {
    BulwarkRules.noNewRandom().check(classes);
  }

  @Test
  void internalPackageIsALeafBelowTheRootPackage() {
    internalPackageIsALeaf("dev.bulwark.resilience").check(classes);
  }

  @Test
  void publicApiDoesNotExposeInternalTypes() {
    BulwarkRules.publicApiDoesNotExposeInternalTypes().check(classes);
  }

  @Test
  void onlyBulwarksOwnClassesUseTheInternalPackage() {
    // Test classes included: every dev.bulwark class on this module's classpath.
    BulwarkRules.onlyBulwarkDependsOnCoreInternals()
        .check(new ClassFileImporter().importPackages("dev.bulwark"));
  }

  @Test
  void theInternalPackageRuleCatchesApplicationCodeThatUsesIt() {
    JavaClasses withOutsider =
        new ClassFileImporter().importPackages("dev.bulwark", "dev.outsider");
    assertThatThrownBy(() -> BulwarkRules.onlyBulwarkDependsOnCoreInternals().check(withOutsider))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("dev.outsider.UsesBulwarkInternals");
  }

  @Test
  void nothingIsSynchronized() {
    BulwarkRules.nothingIsSynchronized().check(classes);
  }
}
