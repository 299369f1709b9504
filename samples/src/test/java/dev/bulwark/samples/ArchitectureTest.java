package dev.bulwark.samples;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.bulwark.resilience.architecture.BulwarkRules;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rules of DESIGN.md that a machine can check, for the sample service's classes. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    // only this module's compiled main classes: scanning the whole classpath (Javalin, Kotlin,
    // Selenium) for the package would take most of the module's test time
    classes = new ClassFileImporter().importPath(Path.of("target", "classes"));
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
  void nothingIsSynchronized() {
    BulwarkRules.nothingIsSynchronized().check(classes);
  }
}
