package dev.bulwark.http;

import static dev.bulwark.resilience.architecture.BulwarkRules.dependOnlyOn;
import static dev.bulwark.resilience.architecture.BulwarkRules.internalPackageIsALeaf;
import static dev.bulwark.resilience.architecture.BulwarkRules.mainClassesOf;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.bulwark.resilience.architecture.BulwarkRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules of DESIGN.md that a machine can check, for the http-client module's main classes. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = mainClassesOf("dev.bulwark.http");
  }

  @Test
  void dependsOnNothingButTheJdkAndTheCore() {
    dependOnlyOn(
            "http-client has no runtime dependency beyond the JDK (java.net.http) and resilience-core",
            "java..",
            "dev.bulwark.resilience..",
            "dev.bulwark.http..")
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
  void internalPackageDependsOnlyOnTheApiAndTheCore() {
    internalPackageIsALeaf("dev.bulwark.http").check(classes);
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
