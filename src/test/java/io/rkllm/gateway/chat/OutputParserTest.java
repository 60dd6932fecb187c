package io.rkllm.gateway.chat;

import java.util.ArrayList;
import java.util.List;

import io.rkllm.gateway.chat.ChatEvent.Reasoning;
import io.rkllm.gateway.chat.ChatEvent.Text;
import io.rkllm.gateway.chat.ChatEvent.ToolCalled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutputParserTest {

    /** Feeds the text one character at a time: every tag and stop text is split across pieces. */
    private static List<ChatEvent> byCharacter(OutputParser parser, String output) {
        List<ChatEvent> events = new ArrayList<>();
        for (int i = 0; i < output.length() && !parser.stopped(); i++) {
            events.addAll(parser.feed(output.substring(i, i + 1)));
        }
        events.addAll(parser.finish());
        return events;
    }

    private static String text(List<ChatEvent> events) {
        StringBuilder text = new StringBuilder();
        events.stream().filter(Text.class::isInstance).forEach((event) -> text.append(((Text) event).delta()));
        return text.toString();
    }

    private static String reasoning(List<ChatEvent> events) {
        StringBuilder text = new StringBuilder();
        events.stream()
            .filter(Reasoning.class::isInstance)
            .forEach((event) -> text.append(((Reasoning) event).delta()));
        return text.toString();
    }

    @Test
    void stopTextSplitAcrossTokensEndsTheOutputAndNeverShows() {
        OutputParser parser = new OutputParser(List.of("END!"), false);

        List<ChatEvent> events = byCharacter(parser, "one two EN three END! four");

        assertThat(text(events)).isEqualTo("one two EN three ");
        assertThat(parser.stopped()).isTrue();
    }

    @Test
    void thinkBlockIsReasoningAndTheAnswerLosesItsLeadingBlankLines() {
        OutputParser parser = new OutputParser(List.of(), false);

        List<ChatEvent> events = byCharacter(parser, "<think>\nweigh it\n</think>\n\nThe answer < 3.");

        assertThat(reasoning(events)).isEqualTo("\nweigh it\n");
        assertThat(text(events)).isEqualTo("The answer < 3.");
    }

    @Test
    void outputThatStartsInsideTheReasoningEndsItAtTheClosingTag() {
        OutputParser parser = new OutputParser(List.of(), true);

        List<ChatEvent> events = byCharacter(parser, "hmm</think>yes");

        assertThat(reasoning(events)).isEqualTo("hmm");
        assertThat(text(events)).isEqualTo("yes");
    }

    @Test
    void toolCallsBecomeCallsNumberedFromZeroAndNeverText() {
        OutputParser parser = new OutputParser(List.of(), false);

        List<ChatEvent> events = byCharacter(parser, "Checking.<tool_call>\n{\"name\": \"get_weather\", "
                + "\"arguments\": {\"city\": \"Paris\"}}\n</tool_call><tool_call>{\"name\":\"now\"}</tool_call>");

        assertThat(text(events)).isEqualTo("Checking.");
        List<ToolCalled> calls = events.stream().filter(ToolCalled.class::isInstance).map(ToolCalled.class::cast)
            .toList();
        assertThat(calls).extracting(ToolCalled::index).containsExactly(0, 1);
        assertThat(calls.get(0).call().name()).isEqualTo("get_weather");
        assertThat(calls.get(0).call().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(calls.get(0).call().id()).startsWith("call_").hasSize(29);
        assertThat(calls.get(1).call().arguments()).isEqualTo("{}");
        assertThat(parser.toolCalls()).isEqualTo(2);
    }

    @Test
    void aToolCallThatIsNoJsonCallStaysText() {
        OutputParser parser = new OutputParser(List.of(), false);

        List<ChatEvent> events = byCharacter(parser, "a <tool_call>not json</tool_call> b <tool_ca");

        assertThat(text(events)).isEqualTo("a <tool_call>not json</tool_call> b <tool_ca");
        assertThat(parser.toolCalls()).isZero();
    }

}
