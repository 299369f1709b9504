package dev.bulwark.docs.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** Every internal link and anchor of the generated site resolves. */
class SiteLinksTest {
  private final Map<Path, Set<String>> anchors = new HashMap<>();

  @Test
  void everyInternalLinkAndAnchorResolves() throws IOException {
    List<Path> pages = Site.pages();
    assertThat(pages).as("pages in %s", Site.site()).hasSizeGreaterThan(10);
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages) {
      Document doc = Jsoup.parse(page.toFile(), "UTF-8");
      for (Element link : doc.select("a[href], link[href], img[src], script[src]")) {
        String target = link.hasAttr("href") ? link.attr("href") : link.attr("src");
        String problem = check(page, target);
        checked++;
        if (problem != null) {
          broken.add(Site.site().relativize(page) + ": " + target + " (" + problem + ")");
        }
      }
    }
    assertThat(broken).as("broken links of %d checked", checked).isEmpty();
  }

  @Test
  void theCheckerSeesAMissingPageAndAMissingAnchor() throws IOException {
    Path index = Site.site().resolve("index.html");
    assertThat(check(index, "no-such-page.html")).isEqualTo("no such file");
    assertThat(check(index, "index.html#no-such-anchor")).isEqualTo("no such anchor");
    assertThat(check(index, "https://example.org/")).isNull();
  }

  /** Returns why a link is broken, or null if it resolves (or leaves the site). */
  String check(Path page, String target) throws IOException {
    if (target.isEmpty()) {
      return "empty link";
    }
    URI uri = URI.create(target.replace(" ", "%20"));
    if (uri.getScheme() != null) {
      return uri.getScheme().equals("file") ? "absolute file link" : null;
    }
    Path file =
        uri.getPath() == null || uri.getPath().isEmpty()
            ? page
            : page.getParent().resolve(uri.getPath()).normalize();
    if (Files.isDirectory(file)) {
      file = file.resolve("index.html");
    }
    if (!Files.isRegularFile(file)) {
      return "no such file";
    }
    String fragment = uri.getFragment();
    if (fragment == null || fragment.isEmpty() || !file.toString().endsWith(".html")) {
      return null;
    }
    return anchorsOf(file).contains(fragment) ? null : "no such anchor";
  }

  private Set<String> anchorsOf(Path file) throws IOException {
    Set<String> known = anchors.get(file);
    if (known == null) {
      known = new HashSet<>();
      Document doc = Jsoup.parse(file.toFile(), "UTF-8");
      for (Element e : doc.select("[id]")) {
        known.add(e.id());
      }
      for (Element e : doc.select("a[name]")) {
        known.add(e.attr("name"));
      }
      anchors.put(file, known);
    }
    return known;
  }
}
