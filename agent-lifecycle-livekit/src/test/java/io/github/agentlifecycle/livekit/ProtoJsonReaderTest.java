package io.github.agentlifecycle.livekit;

import static io.github.agentlifecycle.livekit.ProtoJsonReaderProperties.assertSameAsJsonFormat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import livekit.LivekitModels.ParticipantInfo;
import livekit.LivekitWebhook.WebhookEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ProtoJsonReader} against {@code JsonFormat.parser().ignoringUnknownFields()} on LiveKit's own webhook bodies
 * and on hand-written cases, accepted and rejected, plus the cases where it is deliberately stricter.
 */
class ProtoJsonReaderTest {
    private static final ProtoJsonReader READER = new ProtoJsonReader();
    private static final Supplier<Message.Builder> EVENT = WebhookEvent::newBuilder;
    private static final Supplier<Message.Builder> ALL = TestSchemas::allTypesBuilder;

    static List<WebhookFixture> fixtures() {
        return WebhookFixture.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void readsLiveKitBodiesAsJsonFormatDoes(WebhookFixture fixture) throws Exception {
        String body = new String(fixture.body(), StandardCharsets.UTF_8);
        assertSameAsJsonFormat(body, EVENT);
        if (!fixture.rejected()) {
            WebhookEvent.Builder expected = WebhookEvent.newBuilder();
            JsonFormat.parser().ignoringUnknownFields().merge(body, expected);
            WebhookVerifier verifier = WebhookVerifier.builder(WebhookFixture.CREDENTIALS).build();
            assertThat(verifier.parse(fixture.body())).isEqualTo(expected.build());
        }
    }

    @Test
    void liveKitsWebhookSchemaHasNoWellKnownTypes() {
        Set<Descriptor> types = messageTypes(WebhookEvent.getDescriptor());

        assertThat(types).hasSizeGreaterThan(40)
                .extracting(Descriptor::getFullName).allMatch(name -> name.startsWith("livekit."));
        assertThat(types).noneMatch(ProtoJsonFields::isWellKnown);
        assertThat(types.stream().flatMap(t -> t.getFields().stream()))
                .noneMatch(f -> f.getJavaType() == FieldDescriptor.JavaType.ENUM
                        && f.getEnumType().getFullName().startsWith("google.protobuf."));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"createdAt\":\"1771351907\"}",
        "{\"createdAt\":1771351907}",
        "{\"createdAt\":\"-0\"}",
        "{\"createdAt\":\"1e3\"}",
        "{\"createdAt\":1.0}",
        "{\"createdAt\":\"9223372036854775807\",\"numDropped\":\"-2147483648\"}",
        "{\"created_at\":\"5\",\"room\":{\"empty_timeout\":3,\"creation_time_ms\":\"7\"}}",
        "{\"participant\":{\"kind\":4}}",
        "{\"participant\":{\"kind\":\"4\"}}",
        "{\"participant\":{\"kind\":\"AGENT\",\"state\":2}}",
        "{\"participant\":{\"kind\":99}}",
        "{\"participant\":{\"kind\":\"ROBOT\"}}",
        "{\"participant\":{\"kind\":true}}",
        "{\"participant\":{\"kindDetails\":[\"FORWARDED\",\"NOPE\",1,null]}}",
        "{\"participant\":{\"attributes\":{\"lk.agent_name\":\"helper\",\"\":\"\",\"k\":\"ü😀\"}}}",
        "{\"participant\":{\"attributes\":{\"k\":\"a\",\"k\":\"b\"}}}",
        "{\"event\":12,\"id\":true,\"room\":{\"name\":1.50}}",
        "{\"event\":\"room_started\",\"x\":{\"a\":[1,{\"b\":null}]},\"y\":[[],[{}]],\"z\":\"s\",\"w\":1.5e300,"
            + "\"v\":true,\"u\":null,\"room\":{\"name\":\"r\",\"future\":{\"nested\":{\"deep\":[1,2,3]}}}}",
        "{\"event\":\"x\",\"room\":null,\"createdAt\":null,\"participant\":{\"attributes\":null,\"tracks\":null,"
            + "\"kind\":null,\"permission\":null}}",
        "{\"egressInfo\":{\"roomComposite\":{\"roomName\":\"r\"},\"file\":{\"filename\":\"f\"}}}",
        "{\"egressInfo\":{\"roomComposite\":null,\"web\":{\"url\":\"u\"}}}",
        "{\"ingressInfo\":{\"enabled\":false,\"enableTranscoding\":true}}",
    })
    void readsWebhookVariantsAsJsonFormatDoes(String json) {
        assertSameAsJsonFormat(json, EVENT);
        assertThat(read(json, EVENT)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"fBytes\":\"-_8\",\"rBytes\":[\"+/8\",\"AQID\",\"AQI\",\"AQ\",\"AQ==\",\"AQ=\",\"\"]}",
        "{\"fFloat\":\"NaN\",\"fDouble\":\"-Infinity\",\"rFloat\":[1e38,\"Infinity\",\"-0\",-0.0],"
            + "\"rDouble\":[\"1e308\",4.9e-324,-0.0]}",
        "{\"fBool\":\"true\",\"rBool\":[false,\"false\",true]}",
        "{\"fUint32\":4294967295,\"fUint64\":\"18446744073709551615\",\"fFixed64\":18446744073709551615,"
            + "\"fSint32\":-2147483648,\"fSint64\":\"-9223372036854775808\",\"fSfixed32\":\"-1\",\"fFixed32\":\"1e2\"}",
        "{\"fInt32\":\"1.000\",\"fInt64\":100.0,\"fUint32\":\"+5\",\"fUint64\":\"-0.0\"}",
        "{\"mBool\":{\"true\":1,\"false\":2},\"mInt32\":{\"1e2\":\"x\",\"-5\":\"y\"},\"mUint64\":{\"1.0\":3}}",
        "{\"mStringEnum\":{\"a\":\"RED\",\"b\":\"NOPE\",\"c\":2,\"d\":-7,\"e\":12345}}",
        "{\"mStringEnum\":{\"a\":\"NOPE\",\"a\":\"RED\"}}",
        "{\"mStringValue\":{\"a\":null,\"b\":[1,\"x\"]},\"mStringNull\":{\"a\":null,\"b\":\"NULL_VALUE\"}}",
        "{\"oString\":null,\"oInt64\":\"1\"}",
        "{\"oValue\":null}",
        "{\"pInt32\":0,\"pString\":\"\"}",
        "{\"renamedField\":\"a\"}",
        "{\"custom_named\":\"a\"}",
        "{\"wValue\":null,\"nullValue\":null,\"rNullValues\":[null,\"NULL_VALUE\",0],\"rValues\":[null,1,\"a\"]}",
        "{\"wTimestamp\":\"2020-01-01T00:00:00.5Z\",\"wDuration\":\"-1.5s\",\"wStruct\":{\"a\":[1,\"b\",null,{}]},"
            + "\"wInt32Value\":\"5\",\"wFieldMask\":\"a.bC,d\",\"wBytesValue\":\"-_8\",\"wListValue\":[]}",
        "{\"wTimestamp\":null,\"wInt64Value\":null,\"rTimestamps\":[\"1970-01-01T00:00:00Z\"]}",
        "{\"child\":{\"child\":{\"children\":[{\"fString\":\"deep\"},{}]}},\"mSint64\":{\"-3\":{\"oChild\":{}}}}",
    })
    void readsEveryFieldKindAsJsonFormatDoes(String json) {
        assertSameAsJsonFormat(json, ALL);
        assertThat(read(json, ALL)).isNotNull();
    }

    @Test
    void keepsClosedEnumValuesOnlyWhenDeclared() {
        Supplier<Message.Builder> closed = TestSchemas::closedBuilder;
        String json = "{\"c\":7,\"cs\":[\"HIGH\",5,\"NOPE\",1],\"cm\":{\"a\":\"LOW\",\"b\":7},\"nested\":{\"c\":\"LOW\"}}";
        assertSameAsJsonFormat(json, closed);
        Message message = read(json, closed);
        assertThat(message.getAllFields()).hasSize(3);
    }

    @Test
    void keepsAnUnknownNumberOfAnOpenEnum() {
        WebhookEvent event = (WebhookEvent) read("{\"participant\":{\"kind\":99}}", EVENT);
        assertThat(event.getParticipant().getKindValue()).isEqualTo(99);
        assertThat(event.getParticipant().getKind()).isEqualTo(ParticipantInfo.Kind.UNRECOGNIZED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "{\"event\":", "{\"event\" \"x\"}", "{\"event\":\"x\",}", "[", "nul", "\"x\"", "[]", "null", "1",
        "{\"room\":\"r\"}", "{\"room\":[]}", "{\"room\":5}", "{\"event\":{}}", "{\"event\":[\"a\",\"b\"]}",
        "{\"event\":[]}", "{\"participant\":{\"attributes\":5}}", "{\"participant\":{\"attributes\":[]}}",
        "{\"participant\":{\"tracks\":{}}}", "{\"participant\":{\"tracks\":\"x\"}}", "{\"participant\":{\"tracks\":[null]}}",
        "{\"participant\":{\"attributes\":{\"k\":null}}}", "{\"participant\":{\"attributes\":{\"k\":{}}}}",
        "{\"participant\":{\"kind\":{}}}", "{\"participant\":{\"kind\":[1,2]}}",
        "{\"room\":{\"emptyTimeout\":-1}}", "{\"room\":{\"emptyTimeout\":4294967296}}",
        "{\"room\":{\"emptyTimeout\":1.5}}", "{\"createdAt\":\"1.5\"}", "{\"createdAt\":\"9223372036854775808\"}",
        "{\"createdAt\":\"0x10\"}", "{\"createdAt\":\" 1\"}", "{\"createdAt\":true}", "{\"numDropped\":2147483648}",
        "{\"room\":{\"activeRecording\":\"yes\"}}", "{\"room\":{\"activeRecording\":1}}",
        "{\"egressInfo\":{\"roomComposite\":{},\"web\":{}}}", "{\"egressInfo\":{\"file\":{},\"stream\":{}}}",
    })
    void rejectsWhatJsonFormatRejects(String json) {
        assertThat(jsonFormatReads(json, EVENT)).as("JsonFormat reads %s", json).isFalse();
        assertThat(errorOf(json, EVENT)).as("rejects %s", json).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"fInt32\":2147483648}", "{\"fInt32\":\"-2147483649\"}", "{\"fInt32\":1.5}", "{\"fInt32\":\"1e10\"}",
        "{\"fUint32\":-1}", "{\"fUint64\":\"18446744073709551616\"}", "{\"fUint64\":-1}", "{\"fUint64\":\"1e99999\"}",
        "{\"fUint64\":\"1e-99999\"}", "{\"fInt64\":\"9223372036854775808\"}", "{\"fFloat\":3.41e38}",
        "{\"fFloat\":\"+Infinity\"}", "{\"fFloat\":\"nan\"}", "{\"fDouble\":1.8e308}", "{\"fDouble\":\"0x1p3\"}",
        "{\"fBool\":\"True\"}", "{\"fBytes\":\"A\"}", "{\"fBytes\":\"+_\"}", "{\"fBytes\":\"A=B\"}", "{\"fBytes\":\" AQ\"}",
        "{\"mInt32\":{\"x\":\"a\"}}", "{\"mBool\":{\"1\":1}}", "{\"mUint32\":{\"-1\":true}}",
        "{\"oString\":\"a\",\"oInt64\":\"1\"}", "{\"oChild\":{},\"oEnum\":\"RED\"}", "{\"oValue\":null,\"oString\":\"a\"}",
        "{\"rValues\":{}}", "{\"wTimestamp\":\"yesterday\"}", "{\"wDuration\":5}", "{\"wInt32Value\":{}}",
        "{\"mStringValue\":{\"a\":{\"b\":[1,}}}",
    })
    void rejectsWhatJsonFormatRejectsForEveryFieldKind(String json) {
        assertThat(jsonFormatReads(json, ALL)).as("JsonFormat reads %s", json).isFalse();
        assertThat(errorOf(json, ALL)).as("rejects %s", json).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"event\":\"x\"} x",
        "{\"event\":\"x\"}{}",
        "{\"event\":\"x\"} {\"event\":\"y\"}",
        "{/* comment */\"event\":\"x\"}",
        "{'event':'x'}",
        "{event:\"x\"}",
        "{\"event\":x}",
        "{\"event\":[\"x\"]}",
        "{\"event\":\"a\",\"event\":\"b\"}",
        "{\"createdAt\":\"0\",\"created_at\":\"5\"}",
        "{\"event\":\"\\ud800\"}",
        "{\"participant\":{\"attributes\":{\"\\udc00\":\"v\"}}}",
        "{\"participant\":{\"kind\":\"AGENT\",\"kind\":\"FOO\"}}",
        "{\"participant\":{\"attributes\":{\"k\":{},\"k\":\"v\"}}}",
    })
    void isStricterThanJsonFormatOnOddJson(String json) {
        assertThat(jsonFormatReads(json, EVENT)).as("JsonFormat reads %s", json).isTrue();
        assertThat(errorOf(json, EVENT)).as("rejects %s", json).isNotNull();
    }

    @Test
    void isStricterThanJsonFormatOnNaNLiteralsAndEnumsRepeatedInMaps() {
        for (String json : List.of("{\"fFloat\":NaN}", "{\"mStringEnum\":{\"a\":\"RED\",\"a\":\"NOPE\"}}",
                "{\"wStringValue\":\"\\ud800\"}")) {
            assertThat(jsonFormatReads(json, ALL)).as("JsonFormat reads %s", json).isTrue();
            assertThat(errorOf(json, ALL)).as("rejects %s", json).isNotNull();
        }
    }

    @Test
    void stopsAtJsonFormatsRecursionLimitOfAHundredNestedMessages() {
        Supplier<Message.Builder> descriptor = DescriptorProto::newBuilder;
        String hundred = nestedTypes(ProtoJsonReader.RECURSION_LIMIT);
        String tooDeep = nestedTypes(ProtoJsonReader.RECURSION_LIMIT + 1);

        assertSameAsJsonFormat(hundred, descriptor);
        assertThat(errorOf(hundred, descriptor)).isNull();
        assertSameAsJsonFormat(tooDeep, descriptor);
        assertThat(errorOf(tooDeep, descriptor)).contains("recursion limit");
    }

    @Test
    void boundsJsonNestingAlsoInUnknownMembers() {
        String deepest = "{\"event\":\"x\",\"u\":" + "[".repeat(ProtoJsonReader.MAX_JSON_DEPTH - 1)
                + "]".repeat(ProtoJsonReader.MAX_JSON_DEPTH - 1) + "}";
        String tooDeep = "{\"event\":\"x\",\"u\":" + "[".repeat(ProtoJsonReader.MAX_JSON_DEPTH)
                + "]".repeat(ProtoJsonReader.MAX_JSON_DEPTH) + "}";

        assertSameAsJsonFormat(deepest, EVENT);
        assertThat(errorOf(deepest, EVENT)).isNull();
        assertThat(errorOf(tooDeep, EVENT)).contains("nesting depth");
        String farTooDeep = "{\"u\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThat(errorOf(farTooDeep, EVENT)).contains("nesting depth");
    }

    @Test
    void readsAWellKnownTypeAtTheTopAsJsonFormatDoes() {
        assertSameAsJsonFormat("\"2020-01-01T00:00:00Z\"", com.google.protobuf.Timestamp::newBuilder);
        assertSameAsJsonFormat("{\"a\":[1,{\"b\":null}]}", com.google.protobuf.Struct::newBuilder);
        assertThat(errorOf("{\"a\":1} x", com.google.protobuf.Struct::newBuilder)).isNotNull();
    }

    @Test
    void rejectionsAreCheckedExceptionsWithAShortMessage() {
        assertThatThrownBy(() -> READER.merge("{\"event\":[1,2]}".getBytes(StandardCharsets.UTF_8),
                WebhookEvent.newBuilder()))
                .isInstanceOf(InvalidProtocolBufferException.class)
                .hasMessageContaining("livekit.WebhookEvent.event");
        assertThatThrownBy(() -> READER.merge("{\"event\" 1}".getBytes(StandardCharsets.UTF_8),
                WebhookEvent.newBuilder()))
                .isInstanceOf(InvalidProtocolBufferException.class)
                .hasMessageStartingWith("Unexpected character");
    }

    @Test
    void oneReaderServesManyThreadsFromItsFirstUse() throws Exception {
        ProtoJsonReader reader = new ProtoJsonReader();
        List<WebhookFixture> accepted = WebhookFixture.all().stream().filter(f -> !f.rejected())
                .collect(Collectors.toList());
        List<WebhookEvent> expected = new ArrayList<>();
        for (WebhookFixture fixture : accepted) {
            WebhookEvent.Builder event = WebhookEvent.newBuilder();
            JsonFormat.parser().ignoringUnknownFields().merge(new String(fixture.body(), StandardCharsets.UTF_8), event);
            expected.add(event.build());
        }
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        int which = (i + offset) % accepted.size();
                        WebhookEvent.Builder event = WebhookEvent.newBuilder();
                        reader.merge(accepted.get(which).body(), event);
                        assertThat(event.build()).isEqualTo(expected.get(which));
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static String nestedTypes(int levels) {
        return "{\"name\":\"top\"" + ",\"nestedType\":[{\"name\":\"n\"".repeat(levels) + "}]".repeat(levels) + "}";
    }

    private static Set<Descriptor> messageTypes(Descriptor root) {
        Set<Descriptor> seen = new LinkedHashSet<>();
        Deque<Descriptor> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            Descriptor type = pending.pop();
            if (seen.add(type)) {
                pending.addAll(type.getFields().stream()
                        .filter(f -> f.getJavaType() == FieldDescriptor.JavaType.MESSAGE)
                        .map(FieldDescriptor::getMessageType).collect(Collectors.toList()));
            }
        }
        return seen;
    }

    private static Message read(String json, Supplier<Message.Builder> type) {
        Message.Builder builder = type.get();
        try {
            READER.merge(json.getBytes(StandardCharsets.UTF_8), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("rejected " + json, e);
        }
        return builder.build();
    }

    private static String errorOf(String json, Supplier<Message.Builder> type) {
        try {
            READER.merge(json.getBytes(StandardCharsets.UTF_8), type.get());
            return null;
        } catch (InvalidProtocolBufferException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static boolean jsonFormatReads(String json, Supplier<Message.Builder> type) {
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(json, type.get());
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }
}
