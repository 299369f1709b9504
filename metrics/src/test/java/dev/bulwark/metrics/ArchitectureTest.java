package dev.bulwark.metrics;

import static dev.bulwark.resilience.architecture.BulwarkRules.mainClassesOf;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.bulwark.resilience.architecture.BulwarkRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules of DESIGN.md that a machine can check, for the metrics module's main classes. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = mainClassesOf("dev.bulwark.metrics");
  }

  @Test
  void dependsOnlyOnTheJdkBulwarkAndMicrometer() {
    BulwarkRules.dependOnlyOn(
            "metrics depends on the JDK, Bulwark's modules and Micrometer only",
            "java..",
            "dev.bulwark..",
            "io.micrometer..")
        .check(classes);
  }

  @Test
  void onlyTheTimeSourceReadsTheClockOrSleeps() {
    BulwarkRules.onlyTheTimeSourceReadsTheClockOrSleeps().check(classes);
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
