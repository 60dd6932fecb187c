package io.rkllm.gateway.web;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator view at {@code /ops.html} in headless Chromium: the runtime's health, the running session with its
 * live tokens/s, and a session's Stop button that aborts and removes it.
 */
class OperatorViewBrowserTest extends BrowserTest {

    @Test
    void showsTheRunningSessionLiveAndStopsIt() {
        String id = this.rpc.startBlocker("OPS");
        this.browser.open(url("/ops.html"));

        String row = "tr[data-session-id='" + id + "']";
        this.browser.await("the running session listed",
                (driver) -> this.browser.findAll(row + "[data-state=running]").size() == 1);
        this.browser.await("live tokens/s", (driver) -> this.browser.find("#live-rate").getText().matches("[1-9].*"));

        assertThat(this.browser.find("#health").getText()).isEqualTo("UP");
        assertThat(this.browser.find("#running").getText()).isEqualTo(id);
        assertThat(this.browser.find("#runtime-details").getText()).contains("tiny-sim.rkllm", "NPU busy\nyes");
        assertThat(this.browser.screenshot("ops-desktop", Browser.DESKTOP)).isNotEmptyFile();
        assertThat(this.browser.screenshot("ops-phone", Browser.PHONE)).isNotEmptyFile();
        assertThat(this.browser.overflowingAt(Browser.PHONE)).as("wider than a phone").isEmpty();

        WebElement stop = this.browser.find(row + " button");
        assertThat(stop.getText()).isEqualTo("Stop");
        stop.click();

        this.browser.await("the session gone from the list", (driver) -> this.browser.findAll(row).isEmpty());
        assertThat(this.browser.find("#status").getText()).isEqualTo("Session " + id + " stopped and removed.");
        assertThat(this.rpc.listedSession(id)).isNull();
        await("rkllm_is_running false").atMost(Browser.WAIT).until(() -> !this.rpc.isRunning());
    }

}
