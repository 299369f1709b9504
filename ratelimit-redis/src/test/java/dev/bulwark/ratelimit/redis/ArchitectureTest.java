package dev.bulwark.ratelimit.redis;

import static dev.bulwark.resilience.architecture.BulwarkRules.dependOnlyOn;
import static dev.bulwark.resilience.architecture.BulwarkRules.internalPackageIsALeaf;
import static dev.bulwark.resilience.architecture.BulwarkRules.mainClassesOf;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.bulwark.resilience.architecture.BulwarkRules;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules of DESIGN.md that a machine can check, for the ratelimit-redis module's main classes.
 */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = mainClassesOf("dev.bulwark.ratelimit.redis");
  }

  @Test
  void dependsOnNothingButTheJdkTheCoreAndLettuce() {
    dependOnlyOn(
            "ratelimit-redis depends on nothing beyond the JDK, resilience-core and Lettuce",
            "java..",
            "io.lettuce..",
            "dev.bulwark.resilience..",
            "dev.bulwark.ratelimit.redis..")
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
    internalPackageIsALeaf("dev.bulwark.ratelimit.redis").check(classes);
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
