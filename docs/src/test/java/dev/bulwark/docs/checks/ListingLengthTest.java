package dev.bulwark.docs.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * No page pastes Java: a Java listing longer than three lines must be an {@code include::} of
 * compiled, tested code.
 */
class ListingLengthTest {
  static final int MAX_HAND_WRITTEN_LINES = 3;

  @Test
  void noPageHasAHandWrittenJavaListingLongerThanThreeLines() throws IOException {
    List<Path> pages = Site.files(Site.sources(), ".adoc");
    assertThat(pages).hasSizeGreaterThan(10);
    List<String> offenders = new ArrayList<>();
    for (Path page : pages) {
      offenders.addAll(
          longListings(Site.sources().relativize(page).toString(), Files.readAllLines(page)));
    }
    assertThat(offenders).isEmpty();
  }

  @Test
  void theCheckFindsAPastedListingAndAcceptsAnInclude() {
    List<String> pasted =
        List.of(
            "[source,java]",
            "----",
            "int a = 1;",
            "int b = 2;",
            "int c = 3;",
            "int d = 4;",
            "----");
    List<String> included =
        List.of("[source,java,indent=0]", "----", "include::{snippets}/X.java[tag=x]", "----");
    List<String> short3 = List.of("[source,java]", "----", "a();", "b();", "c();", "----");
    assertThat(longListings("p.adoc", pasted)).hasSize(1);
    assertThat(longListings("p.adoc", included)).isEmpty();
    assertThat(longListings("p.adoc", short3)).isEmpty();
  }

  /** The Java listings in one page's lines that hold more than three lines of their own. */
  static List<String> longListings(String name, List<String> lines) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      boolean java =
          line.startsWith("[source") && line.contains("java") || line.startsWith("```java");
      if (!java) {
        continue;
      }
      int start = line.startsWith("```") ? i + 1 : i + 2; // the block's first content line
      String end =
          line.startsWith("```") ? "```" : lines.get(Math.min(i + 1, lines.size() - 1)).strip();
      int own = 0;
      int j = start;
      for (; j < lines.size() && !lines.get(j).strip().equals(end); j++) {
        String content = lines.get(j).strip();
        if (!content.startsWith("include::") && !content.isEmpty()) {
          own++;
        }
      }
      if (own > MAX_HAND_WRITTEN_LINES) {
        found.add(name + ":" + (i + 1) + " has " + own + " hand-written lines of Java");
      }
      i = j;
    }
    return found;
  }
}
