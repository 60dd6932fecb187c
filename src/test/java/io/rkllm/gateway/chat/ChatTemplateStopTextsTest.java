package io.rkllm.gateway.chat;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The stop texts a template names for Ollama's {@code /api/show}: read from what it writes, never invented. */
class ChatTemplateStopTextsTest {

    private static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message.role + '\\n'"
            + " + message.content + '<|im_end|>\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final String LLAMA3 = "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>'"
            + " + message.role + '<|end_header_id|>\\n\\n' + message.content | trim + '<|eot_id|>' }}{% endfor %}";

    private static final String EOS_ONLY = "{% for message in messages %}{% if message.role == 'user' %}"
            + "{{ '[INST] ' + message.content + ' [/INST]' }}{% else %}{{ message.content + eos_token }}{% endif %}"
            + "{% endfor %}";

    @Test
    void theEndOfTurnMarkerIsReadFromTheTemplateWithoutAnEosToken() {
        assertThat(new ChatTemplate(CHATML, "", "").stopTexts()).containsExactly("<|im_end|>");
        assertThat(new ChatTemplate(LLAMA3, "<|begin_of_text|>", "").stopTexts()).containsExactly("<|eot_id|>");
    }

    @Test
    void theEosTokenIsAddedOnceWhenKnown() {
        assertThat(new ChatTemplate(CHATML, "", "<|im_end|>").stopTexts()).containsExactly("<|im_end|>");
        assertThat(new ChatTemplate(CHATML, "", "<|endoftext|>").stopTexts())
            .containsExactly("<|im_end|>", "<|endoftext|>");
        assertThat(new ChatTemplate(EOS_ONLY, "<s>", "</s>").stopTexts()).containsExactly("</s>");
    }

    @Test
    void nothingIsNamedWhenTheTemplateClosesATurnWithNothingKnown() {
        assertThat(new ChatTemplate(EOS_ONLY, "<s>", "").stopTexts()).isEmpty();
        assertThat(new ChatTemplate("{{ raise_exception('no') }}", "", "").stopTexts()).isEmpty();
    }

}
