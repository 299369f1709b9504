package dev.bulwark.streaming;

import static dev.bulwark.resilience.architecture.BulwarkRules.dependOnlyOn;
import static dev.bulwark.resilience.architecture.BulwarkRules.internalPackageIsALeaf;
import static dev.bulwark.resilience.architecture.BulwarkRules.mainClassesOf;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.bulwark.resilience.architecture.BulwarkRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules of DESIGN.md that a machine can check, for the streaming module's main classes. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = mainClassesOf("dev.bulwark.streaming");
  }

  @Test
  void dependsOnNothingButTheJdkAndTheCore() {
    dependOnlyOn(
            "streaming has no runtime dependency beyond the JDK and resilience-core",
            "java..",
            "com.sun.net.httpserver..",
            "dev.bulwark.resilience..",
            "dev.bulwark.streaming..")
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
    internalPackageIsALeaf("dev.bulwark.streaming").check(classes);
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
