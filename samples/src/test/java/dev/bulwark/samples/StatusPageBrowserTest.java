package dev.bulwark.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives the status page in headless Chromium (Debian's {@code chromium} and {@code
 * chromium-driver}; Selenium is pointed at the installed driver, so nothing is downloaded): after
 * the admin makes the upstream fail, the page shows the breaker OPEN within a few seconds, and
 * CLOSED again after the upstream heals. Keeps a screenshot in {@code samples/target/}.
 */
class StatusPageBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void thePageShowsTheBreakerOpenWhenTheUpstreamFailsAndClosedAfterItHeals() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      String missing =
          "Chromium ("
              + CHROMIUM
              + ") and chromedriver ("
              + CHROMEDRIVER
              + ") are needed;"
              + " install the Debian packages chromium and chromium-driver";
      if ("true".equals(System.getenv("CI"))) {
        fail(missing);
      }
      Assumptions.abort(missing + " (skipped because CI is not set)");
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    Path profile = Files.createTempDirectory("bulwark-chromium-profile-");
    try (TestService server =
        TestService.start(
            c ->
                c.withTiming(
                    Duration.ofMillis(200),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(4),
                    Duration.ofMillis(100)))) {
      ChromeDriverService driverService =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(CHROMEDRIVER.toFile())
              .usingAnyFreePort()
              .build();
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--window-size=1280,900",
          "--user-data-dir=" + profile);
      ChromeDriver browser = new ChromeDriver(driverService, options);
      try {
        browser.get(server.base + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(ExpectedConditions.textToBe(By.id("breaker-state"), "CLOSED"));
        wait.until(
            ExpectedConditions.textMatches(
                By.id("live-quote"), java.util.regex.Pattern.compile("ACME \\d+")));

        browser.findElement(By.id("admin-token")).sendKeys(TestService.ADMIN_TOKEN);
        browser.findElement(By.id("fail-upstream")).click();
        wait.until(
            ExpectedConditions.textToBe(By.id("admin-result"), "upstream failure rate now 100 %"));
        wait.until(ExpectedConditions.textToBe(By.id("breaker-state"), "OPEN"));
        screenshot(browser, "status-page-breaker-open.png");

        browser.findElement(By.id("heal-upstream")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30))
            .until(ExpectedConditions.textToBe(By.id("breaker-state"), "CLOSED"));
        assertThat(browser.findElement(By.id("live-quote")).getText()).startsWith("ACME ");
        screenshot(browser, "status-page.png");
      } finally {
        browser.quit();
        driverService.stop();
      }
    } finally {
      TestService.deleteTree(profile);
    }
  }

  private static void screenshot(ChromeDriver browser, String name) throws Exception {
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Path target = Path.of("target", name);
    Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
    Files.deleteIfExists(shot);
    assertThat(Files.size(target)).isPositive();
  }
}
