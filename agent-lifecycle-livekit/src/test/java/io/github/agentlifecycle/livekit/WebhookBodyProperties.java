package io.github.agentlifecycle.livekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.StringLength;

/** {@link WebhookVerifier#parse} calls a body not UTF-8 exactly when the JDK's strict UTF-8 decoder rejects it. */
class WebhookBodyProperties {
    private static final WebhookVerifier VERIFIER = WebhookVerifier.builder(WebhookFixture.CREDENTIALS).build();

    @Property(tries = 3000)
    void rejectsAsNotUtf8WhatTheJdksStrictDecoderRejects(@ForAll("mostlyText") byte[] bytes) {
        byte[] body = WebhookVerifierTest.eventWithId(bytes);
        assertThat(isNotUtf8(body)).as("%s", HexFormat.of().formatHex(bytes)).isEqualTo(!jdkDecodes(body));
    }

    @Property(tries = 500)
    void acceptsEveryEncodedString(@ForAll @StringLength(max = 40) String text) {
        assertThat(isNotUtf8(WebhookVerifierTest.eventWithId(text.getBytes(StandardCharsets.UTF_8)))).isFalse();
    }

    @Provide
    Arbitrary<byte[]> mostlyText() {
        Arbitrary<Byte> ascii = Arbitraries.bytes().between((byte) 0x20, (byte) 0x7E);
        Arbitrary<Byte> high = Arbitraries.bytes().between(Byte.MIN_VALUE, (byte) -1);
        Arbitrary<Byte> edges = Arbitraries.of((byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC1, (byte) 0xC2,
                (byte) 0xDF, (byte) 0xE0, (byte) 0xA0, (byte) 0xED, (byte) 0x9F, (byte) 0xEF, (byte) 0xF0,
                (byte) 0x90, (byte) 0xF4, (byte) 0x8F, (byte) 0xF5, (byte) 0xFF);
        Arbitrary<Byte> one = Arbitraries.frequencyOf(
                Tuple.of(5, ascii), Tuple.of(3, high), Tuple.of(4, edges));
        return one.array(byte[].class).ofMaxSize(24);
    }

    private static boolean isNotUtf8(byte[] body) {
        try {
            VERIFIER.parse(body);
            return false;
        } catch (WebhookException e) {
            return e.getMessage().equals("webhook body is not UTF-8");
        }
    }

    private static boolean jdkDecodes(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
