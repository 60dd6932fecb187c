package io.rkllm.gateway.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pages in headless Chromium when the runtime library is missing: both say so with the reason, and a message
 * sent anyway is answered in words (-32003) rather than with a code alone.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "rkllm.library-path=/nonexistent/librkllmrt.so")
@ExtendWith(ChromiumExtension.class)
class UnavailableRuntimePageTest {

    @LocalServerPort
    int port;

    @Test
    void pagesSayTheRuntimeIsUnavailableAndWhy(Browser browser) {
        browser.open("http://localhost:" + this.port + "/");
        browser.await("the runtime's state", (driver) -> browser.find("#runtime").getText().contains("DOWN"));
        assertThat(browser.find("#runtime").getText()).contains("/nonexistent/librkllmrt.so");

        browser.find("#prompt").sendKeys("Hello\n");
        WebElement answer = browser.await("the answer fails",
                (driver) -> browser.findAll("li.turn.assistant[data-finish]").stream().findFirst().orElse(null));

        assertThat(answer.getDomAttribute("data-finish")).isEqualTo("failed");
        assertThat(answer.findElement(By.cssSelector(".meta")).getText())
            .startsWith("The model is not available (runtime unavailable)")
            .contains("-32003");
        assertThat(browser.find("#status").getText()).contains("runtime unavailable");

        browser.open("http://localhost:" + this.port + "/ops.html");
        browser.await("the runtime's health", (driver) -> browser.find("#health").getText().equals("DOWN"));
        assertThat(browser.find("#reason").getText()).contains("/nonexistent/librkllmrt.so");
    }

}
