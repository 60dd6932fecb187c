package io.rkllm.gateway.rpc;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.BigIntegerNode;
import tools.jackson.databind.node.IntNode;
import tools.jackson.databind.node.LongNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The keys JSON-RPC ids are looked up by. */
class RpcCallTest {

    private static Object key(String json) {
        JsonNode id = JsonMapper.shared().readTree(json);
        return RpcCall.requestKeyOf(id);
    }

    @Test
    void aNumberAndTheStringThatSpellsItAreDifferentIds() {
        assertThat(key("1")).isNotEqualTo(key("\"1\""));
        assertThat(key("1.5")).isNotEqualTo(key("\"1.5\""));
        assertThat(key("-7")).isNotEqualTo(key("\"-7\""));
    }

    @Test
    void oneNumberIsOneIdHoweverItWasParsed() {
        Object key = RpcCall.requestKeyOf(IntNode.valueOf(7));

        assertThat(RpcCall.requestKeyOf(LongNode.valueOf(7))).isEqualTo(key);
        assertThat(RpcCall.requestKeyOf(BigIntegerNode.valueOf(BigInteger.valueOf(7)))).isEqualTo(key);
        assertThat(key("7.0")).isEqualTo(key);
        assertThat(key("0")).isEqualTo(key("0.000"));
    }

    @Test
    void differentNumbersAreDifferentIds() {
        assertThat(key("1")).isNotEqualTo(key("1.5"));
        assertThat(key("12345678901234567890")).isNotEqualTo(key("12345678901234567891"));
    }

}
