package io.rkllm.gateway.web;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code examples/cross-origin.html} served from a second origin (another port) in headless Chromium: from an origin
 * the bundled configuration allows ({@code http://localhost:*}) it streams a run through CORS; from one it does not
 * ({@code http://127.0.0.1:*}) the browser blocks it, and no run starts.
 */
class CrossOriginBrowserTest extends BrowserTest {

    private ExamplePageServer pages;

    @BeforeEach
    void servePages() throws Exception {
        this.pages = ExamplePageServer.start();
    }

    @AfterEach
    void stopPages() {
        this.pages.close();
    }

    private void start(String host, String prompt) {
        this.browser.open(this.pages.pageUrl(host, this.port));
        WebElement field = this.browser.find("#prompt");
        field.clear();
        field.sendKeys(prompt);
        this.browser.consoleMessages();
        this.browser.find("#start").click();
    }

    @Test
    void pageOnAnAllowedOriginStreamsARun() {
        start("localhost", "From another origin. [[sim:prefill_ms=0]][[sim:delay_us=2000]][[sim:tokens=20]]");

        this.browser.await("the run finished",
                (driver) -> this.browser.find("#output").getDomAttribute("data-finish") != null);

        assertThat(this.browser.find("#output").getDomAttribute("data-finish")).isEqualTo("stop");
        assertThat(this.browser.textContent("#output")).startsWith("From another origin.");
        assertThat(this.browser.find("#status").getText()).isEqualTo("Finished: stop.");
    }

    @Test
    void pageOnAnOriginNotListedIsBlockedAndStartsNothing() {
        long created = this.rpc.status().get("sessions_created").asLong();

        start("127.0.0.1", "Blocked. [[sim:tokens=5]]");

        this.browser.await("the page reports the failure",
                (driver) -> "error".equals(this.browser.find("#status").getDomAttribute("class")));
        assertThat(this.browser.find("#status").getText()).contains("refused this page's origin");
        assertThat(this.browser.textContent("#output")).isEmpty();
        assertThat(this.browser.consoleMessages()).anyMatch((message) -> message.contains("blocked by CORS policy"));
        assertThat(this.rpc.status().get("sessions_created").asLong()).isEqualTo(created);
    }

}
