package io.rkllm.gateway.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's {@code chromium} through its {@code chromedriver}) shared by the browser tests of
 * a run: both binaries are named, so Selenium Manager never looks for, let alone downloads, anything; a fresh
 * profile, and every background service that would reach the network turned off.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("rkllm.chromium", "/usr/bin/chromium"));

    static final Path CHROMEDRIVER = Path.of(System.getProperty("rkllm.chromedriver", "/usr/bin/chromedriver"));

    /** Where the tests put their screenshots. */
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /** How long the page may take for anything the test waits for. */
    static final Duration WAIT = Duration.ofSeconds(20);

    static final Dimension DESKTOP = new Dimension(1280, 860);

    static final Dimension PHONE = new Dimension(390, 844);

    private final ChromeDriver driver;

    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Whether this machine has both binaries; where not, the browser tests are skipped. */
    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    static Browser start() {
        try {
            Path profile = Files.createTempDirectory("rkllm-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            // We run as root in a container with a closed network: no sandbox, no GPU, nothing that phones home.
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                    "--window-size=" + DESKTOP.width + "," + DESKTOP.height);
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
            return new Browser(new ChromeDriver(service, options), profile);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Loads a page in the current tab, at desktop size. */
    void open(String url) {
        this.driver.manage().window().setSize(DESKTOP);
        this.driver.get(url);
    }

    /** Opens a page in a new tab and switches to it; gives the tab's handle. */
    String openTab(String url) {
        this.driver.switchTo().newWindow(WindowType.TAB);
        this.driver.get(url);
        return this.driver.getWindowHandle();
    }

    /** The handle of the tab the browser is on. */
    String currentTab() {
        return this.driver.getWindowHandle();
    }

    void switchTo(String tab) {
        this.driver.switchTo().window(tab);
    }

    /** Closes every tab but the first and switches to it. */
    void closeOtherTabs() {
        List<String> tabs = List.copyOf(this.driver.getWindowHandles());
        String first = tabs.get(0);
        for (String tab : tabs.subList(1, tabs.size())) {
            this.driver.switchTo().window(tab).close();
        }
        this.driver.switchTo().window(first);
    }

    WebElement find(String css) {
        return this.driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return this.driver.findElements(By.cssSelector(css));
    }

    /** The element that has the keyboard focus. */
    WebElement activeElement() {
        return this.driver.switchTo().activeElement();
    }

    /** The element's text exactly as the DOM holds it (Selenium's getText() folds white space). */
    String textContent(String css) {
        return find(css).getDomProperty("textContent");
    }

    /** Waits until the condition gives something other than null or false; fails the test after {@link #WAIT}. */
    <T> T await(String what, ExpectedCondition<T> condition) {
        return new WebDriverWait(this.driver, WAIT, Duration.ofMillis(25)).withMessage(what).until(condition);
    }

    /** The console's messages since the last call (errors the page logged, and the browser's own, e.g. CORS). */
    List<String> consoleMessages() {
        return this.driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage).toList();
    }

    /**
     * What makes the page scroll sideways at this window size: empty when nothing does, else the page's width and
     * the elements that stick out, by tag, id and class.
     */
    List<String> overflowingAt(Dimension size) {
        this.driver.manage().window().setSize(size);
        try {
            @SuppressWarnings("unchecked")
            List<String> wide = (List<String>) this.driver.executeScript("""
                    const width = document.documentElement.clientWidth;
                    const page = document.documentElement.scrollWidth;
                    if (page <= width) {
                        return [];
                    }
                    return [`page ${page} px wide in a window of ${width} px`].concat(
                        [...document.querySelectorAll('body *')]
                            .filter((e) => e.getBoundingClientRect().right > width + 1)
                            .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`));
                    """);
            return wide;
        }
        finally {
            this.driver.manage().window().setSize(DESKTOP);
        }
    }

    /** Saves what the tab shows at this window size as target/screenshots/{name}.png. */
    Path screenshot(String name, Dimension size) {
        this.driver.manage().window().setSize(size);
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, this.driver.getScreenshotAs(OutputType.BYTES));
            return file;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        finally {
            this.driver.manage().window().setSize(DESKTOP);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            this.driver.quit();
        }
        finally {
            try (Stream<Path> files = Files.walk(this.profile)) {
                files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
            }
        }
    }

}
