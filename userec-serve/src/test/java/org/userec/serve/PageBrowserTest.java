package org.userec.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.userec.data.synth.SyntheticGenerator;
import org.userec.data.synth.SyntheticSpec;
import org.userec.export.ExportedModel;

/**
 * The page at / in a real browser: Debian's chromium and chromium-driver ({@code apt-get install -y chromium
 * chromium-driver}); skipped, saying so, where they are absent.
 */
class PageBrowserTest {
  static final File CHROMIUM = new File("/usr/bin/chromium");
  static final File DRIVER = new File("/usr/bin/chromedriver");

  @TempDir static Path dir;
  static RecommendationServer server;
  static WebDriver browser;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(CHROMIUM.canExecute() && DRIVER.canExecute(),
        "skipped: the browser test needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
    Path data = dir.resolve("tiny");
    SyntheticGenerator.write(SyntheticSpec.tiny(), data);
    StringBuilder items = new StringBuilder("itemID\ttitle\n");
    for (int i = 0; i < SyntheticSpec.tiny().items(); i++) {
      items.append(i).append("\tProduct number ").append(i).append('\n');
    }
    Files.writeString(data.resolve("items.tsv"), items);
    // an untrained LightGCN: the page shows whatever the model ranks, and training would only slow the test
    Fixtures.Trained t = Fixtures.untrained("LightGCN", SyntheticGenerator.generate(SyntheticSpec.tiny()).toDataset());
    Path model = Fixtures.export("LightGCN", t, data, dir.resolve("model"), dir.resolve("no-run"));
    server = RecommendationServer.start(ExportedModel.load(model), model, "127.0.0.1", 0);
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM);
    o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1200,1400");
    ChromeDriverService svc = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER).usingAnyFreePort().build();
    browser = new ChromeDriver(svc, o);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  @Test
  void aUsersHistoryWithTitlesBesideRecommendationsWithScoresThenAnItemsNeighbours() throws Exception {
    browser.get("http://127.0.0.1:" + server.port() + "/");
    waiting().until(d -> d.findElement(By.id("model")).getText().contains("LightGCN: 200 users, 100 items"));
    browser.findElement(By.id("user")).sendKeys("3");
    browser.findElement(By.id("user-go")).click();
    waiting().until(d -> d.findElements(By.cssSelector("#recs li")).size() == 20);
    List<WebElement> history = browser.findElements(By.cssSelector("#history li"));
    assertThat(history).isNotEmpty();
    assertThat(history.get(0).getText()).startsWith("Product number ");
    assertThat(browser.findElement(By.id("history-head")).getText()).isEqualTo("History of user 3 (" + history.size() + ")");
    List<WebElement> recs = browser.findElements(By.cssSelector("#recs li"));
    Http.Reply api = new Http(server.port()).get("/v1/users/3/recommendations?k=20");
    String first = api.json().get("recommendations").get(0).get("title").asText();
    double score = api.json().get("recommendations").get(0).get("score").asDouble();
    assertThat(recs.get(0).getText()).contains(first).contains(String.format(java.util.Locale.ROOT, "%.4f", score));
    // a recommendation's neighbours, by clicking it
    recs.get(0).findElement(By.cssSelector("a.item")).click();
    waiting().until(d -> d.findElements(By.cssSelector("#similar li")).size() == 10);
    assertThat(browser.findElement(By.id("similar-head")).getText()).startsWith("Neighbours of " + first);
    Files.write(Path.of("target", "page.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    // an unknown user shows the service's message
    browser.findElement(By.id("user")).clear();
    browser.findElement(By.id("user")).sendKeys("nobody");
    browser.findElement(By.id("user-go")).click();
    waiting().until(d -> d.findElement(By.id("error")).getText().contains("unknown user 'nobody'"));
  }
}
