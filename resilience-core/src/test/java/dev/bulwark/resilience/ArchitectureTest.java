package dev.bulwark.resilience;

import static dev.bulwark.resilience.architecture.BulwarkRules.dependOnlyOn;
import static dev.bulwark.resilience.architecture.BulwarkRules.internalPackageIsALeaf;
import static dev.bulwark.resilience.architecture.BulwarkRules.mainClassesOf;

import com.tngtech.archunit.core.domain.JavaClasses;
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
  void nothingIsSynchronized() {
    BulwarkRules.nothingIsSynchronized().check(classes);
  }
}
