package io.rkllm.gateway.web;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Import;

/**
 * Base of the tests that drive the service's pages in headless Chromium: one service (on the simulator, with the
 * bundled configuration's CORS list and the {@link SseDropHook}) and one browser for all of them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(SseDropHook.class)
@ExtendWith(ChromiumExtension.class)
abstract class BrowserTest extends LiveGatewayTest {

    protected Browser browser;

    @Autowired
    protected SseDropHook dropHook;

    @BeforeEach
    void takeBrowser(Browser browser) {
        this.browser = browser;
    }

    @AfterEach
    void leaveOneTab() {
        this.browser.closeOtherTabs();
    }

    /** A page of the service under test. */
    protected String url(String path) {
        return "http://localhost:" + this.port + path;
    }

}
