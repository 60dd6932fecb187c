package io.rkllm.gateway.web;

import java.util.List;
import java.util.Map;

import io.rkllm.gateway.config.QueueProperties;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chat page at {@code /} in headless Chromium, against the simulator: an answer streams in with its time to first
 * token and tokens/s, Stop and Esc abort the run, a second turn carries the first, a dropped stream resumes with
 * Last-Event-ID and loses nothing, and a second page waits in the queue, showing its place, before it streams.
 */
class ChatPageBrowserTest extends BrowserTest {

    /** A run that holds the NPU until it is stopped (the model's max-new-tokens, 1024 tokens 5 ms apart, at most). */
    private static final String LONG_RUN = "[[sim:prefill_ms=0]][[sim:delay_us=5000]][[sim:tokens=100000]]";

    @Autowired
    private QueueProperties queue;

    private void openChat() {
        this.browser.open(url("/"));
        this.browser.await("the page is ready", (driver) -> this.browser.find("#runtime").getText().contains("UP"));
    }

    /** Types a message and presses Enter. */
    private void send(String message) {
        WebElement prompt = this.browser.find("#prompt");
        prompt.clear();
        prompt.sendKeys(message, Keys.ENTER);
    }

    private List<WebElement> answers() {
        return this.browser.findAll("li.turn.assistant");
    }

    private WebElement lastAnswer() {
        List<WebElement> answers = answers();
        assertThat(answers).as("answers on the page").isNotEmpty();
        return answers.get(answers.size() - 1);
    }

    private static String text(WebElement answer) {
        return answer.findElement(By.cssSelector(".text")).getDomProperty("textContent");
    }

    private static String meta(WebElement answer) {
        return answer.findElement(By.cssSelector(".meta")).getText();
    }

    /** Waits until the last answer has some text while its run still goes on; gives that text. */
    private String awaitStreaming() {
        return this.browser.await("text streaming in", (driver) -> {
            WebElement answer = lastAnswer();
            String text = text(answer);
            return (!text.isEmpty() && answer.getDomAttribute("data-finish") == null) ? text : null;
        });
    }

    /** Waits until the last answer ended, and checks how. */
    private WebElement awaitFinish(String finishReason) {
        WebElement answer = this.browser.await("the answer ends",
                (driver) -> (lastAnswer().getDomAttribute("data-finish") != null) ? lastAnswer() : null);
        assertThat(answer.getDomAttribute("data-finish")).as("finish of: %s", meta(answer)).isEqualTo(finishReason);
        return answer;
    }

    @Test
    void answerStreamsInWithTimeToFirstTokenAndTokensPerSecond() {
        openChat();
        assertThat(this.browser.find("label[for=prompt]").getText()).isEqualTo("Message");
        assertThat(this.browser.find("#prompt").equals(this.browser.activeElement())).as("focus starts on the prompt")
            .isTrue();

        send("Tell me about rivers. [[sim:prefill_ms=0]][[sim:delay_us=20000]][[sim:tokens=60]]");
        String partial = awaitStreaming();
        WebElement answer = awaitFinish("stop");

        assertThat(text(answer)).startsWith(partial).hasSizeGreaterThan(partial.length())
            .startsWith("Tell me about rivers.");
        assertThat(this.browser.textContent("#ttft")).matches("\\d+ ms");
        assertThat(Double.parseDouble(this.browser.textContent("#rate"))).isPositive();
        assertThat(this.browser.textContent("#tokens")).isEqualTo("60");
        assertThat(meta(answer)).startsWith("Done.").contains("first token after", "tokens/s");
        assertThat(this.browser.find("#prompt").equals(this.browser.activeElement())).as("focus back on the prompt")
            .isTrue();
    }

    @Test
    void stopButtonAndEscapeAbortTheRunAndFreeTheNpu() {
        openChat();

        send("Stop me. " + LONG_RUN);
        awaitStreaming();
        this.browser.find("#stop").click();
        WebElement stopped = awaitFinish("aborted");

        assertThat(meta(stopped)).startsWith("Stopped (aborted).");
        await("rkllm_is_running false").atMost(Browser.WAIT).until(() -> !this.rpc.isRunning());

        send("Escape me. " + LONG_RUN);
        awaitStreaming();
        this.browser.find("#prompt").sendKeys(Keys.ESCAPE);
        awaitFinish("aborted");

        assertThat(answers()).hasSize(2);
        await("rkllm_is_running false").atMost(Browser.WAIT).until(() -> !this.rpc.isRunning());
    }

    @Test
    void secondTurnCarriesTheFirstAndThePageFitsDesktopAndPhone() {
        openChat();

        // No simulator markers: these turns make the README's screenshot.
        send("My name is Ada.");
        String first = text(awaitFinish("stop"));
        send("What is my name?");
        String second = text(awaitFinish("stop"));

        // The simulator echoes the prompt it got: the page sent the first turn, question and answer, with the second.
        assertThat(first).startsWith("My name is Ada.");
        assertThat(second).startsWith("User: My name is Ada.")
            .contains("Assistant: " + first.strip())
            .contains("User: What is my name?");
        assertThat(this.browser.screenshot("chat-desktop", Browser.DESKTOP)).isNotEmptyFile();
        assertThat(this.browser.screenshot("chat-phone", Browser.PHONE)).isNotEmptyFile();
        assertThat(this.browser.overflowingAt(Browser.PHONE)).as("wider than a phone").isEmpty();
    }

    @Test
    void fullQueueIsSaidInWords() {
        openChat();
        this.rpc.startBlocker("Hold the NPU.");
        for (int queued = 0; queued < this.queue.capacity(); queued++) {
            this.rpc.result("rkllm_run_async", Map.of("prompt_input", "Q [[sim:delay_us=0]][[sim:tokens=1]]"));
        }

        send("One too many.");
        WebElement answer = awaitFinish("failed");

        assertThat(meta(answer)).startsWith("The NPU queue is full").contains("-32000");
        assertThat(this.browser.find("#send").isEnabled()).as("Send usable again").isTrue();
    }

    @Test
    void droppedStreamResumesWithLastEventIdAndNothingMissingOrDoubled() throws Exception {
        openChat();
        this.dropHook.cutNextStreamAfter(8);

        send("Resume me. [[sim:prefill_ms=0]][[sim:delay_us=15000]][[sim:tokens=80]]");
        WebElement answer = awaitFinish("stop");
        String sessionId = answer.getDomAttribute("data-session-id");

        List<String> lastEventIds = this.dropHook.lastEventIds(sessionId);
        assertThat(lastEventIds).hasSize(2);
        assertThat(lastEventIds.get(0)).isEqualTo(SseDropHook.NONE);
        assertThat(Integer.parseInt(lastEventIds.get(1))).as("resumed after the last chunk read").isBetween(7, 78);
        assertThat(meta(answer)).contains("connection lost and resumed 1×");
        StringBuilder generated = new StringBuilder();
        stream("/streams/" + sessionId, Map.of()).eventsUntilEndChunk(Browser.WAIT)
            .stream()
            .filter(RawSseClient.Event::isChunk)
            .forEach((chunk) -> generated.append(chunk.json().get("delta").asString()));
        assertThat(text(answer)).isEqualTo(generated.toString()).startsWith("Resume me.");
    }

    @Test
    void secondPageShowsItsPlaceInTheQueueThenStreams() {
        openChat();
        String firstTab = this.browser.currentTab();
        send("First in line. " + LONG_RUN);
        awaitStreaming();

        String secondTab = this.browser.openTab(url("/"));
        send("Second in line. [[sim:delay_us=2000]]");
        this.browser.await("the queue position",
                (driver) -> this.browser.find("#status").getText().contains("position 1 in the queue"));
        assertThat(text(lastAnswer())).isEmpty();

        this.browser.switchTo(firstTab);
        this.browser.find("#stop").click();
        awaitFinish("aborted");
        this.browser.switchTo(secondTab);
        WebElement answer = awaitFinish("stop");

        assertThat(text(answer)).startsWith("Second in line.");
    }

}
