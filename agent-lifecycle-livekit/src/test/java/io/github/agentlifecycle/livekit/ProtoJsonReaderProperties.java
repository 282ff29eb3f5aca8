package io.github.agentlifecycle.livekit;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.github.agentlifecycle.livekit.testing.WebhookFixture;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import livekit.LivekitWebhook.WebhookEvent;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link ProtoJsonReader} reads what {@code JsonFormat.parser().ignoringUnknownFields()} reads, to the same message,
 * and rejects what it rejects: random messages of LiveKit's {@code WebhookEvent} (its whole schema) and of
 * {@link TestSchemas#ALL_TYPES} (every field kind, maps of every key type, oneofs, well-known types), printed by
 * {@code JsonFormat} with random printer options, then also with unknown members and with odd values.
 */
class ProtoJsonReaderProperties {
    private static final ProtoJsonReader READER = new ProtoJsonReader();
    private static final JsonFormat.Parser REFERENCE = JsonFormat.parser().ignoringUnknownFields();
    private static final List<WebhookFixture> FIXTURES = WebhookFixture.all();

    @Property(tries = 800)
    void readsPrintedWebhookEventsAsJsonFormatDoes(@ForAll long seed) throws Exception {
        String json = print(seed, WebhookEvent::newBuilder, 8);
        assertSameAsJsonFormat(json, WebhookEvent::newBuilder);
    }

    @Property(tries = 800)
    void readsPrintedMessagesOfEveryFieldKindAsJsonFormatDoes(@ForAll long seed) throws Exception {
        String json = print(seed, TestSchemas::allTypesBuilder, 3);
        assertSameAsJsonFormat(json, TestSchemas::allTypesBuilder);
    }

    @Property(tries = 500)
    void ignoresUnknownMembersOfEveryShape(@ForAll long seed) throws Exception {
        boolean webhook = (seed & 1) == 0;
        Supplier<Message.Builder> type = webhook ? WebhookEvent::newBuilder : TestSchemas::allTypesBuilder;
        String json = new JsonVariants(seed).withUnknownMembers(print(seed, type, webhook ? 8 : 3),
                type.get().getDescriptorForType());
        assertSameAsJsonFormat(json, type);
    }

    @Property(tries = 1500)
    void acceptsAndRejectsOddValuesAsJsonFormatDoes(@ForAll long seed) throws Exception {
        boolean webhook = (seed & 1) == 0;
        Supplier<Message.Builder> type = webhook ? WebhookEvent::newBuilder : TestSchemas::allTypesBuilder;
        String json = new JsonVariants(seed).withOddValues(print(seed, type, webhook ? 8 : 3),
                type.get().getDescriptorForType());
        assertSameAsJsonFormat(json, type);
    }

    @Property(tries = 1000)
    void decodesBase64AsJsonFormatDoes(
            @ForAll @StringLength(max = 10) @Chars({'A', 'Q', 'g', '/', '+', '-', '_', '=', ' ', '8'}) String text)
            throws Exception {
        Descriptor type = TestSchemas.ALL_TYPES;
        String json = "{\"fBytes\":\"" + text + "\",\"rBytes\":[\"" + text + "\"],\"wBytesValue\":\"" + text + "\"}";
        assertSameAsJsonFormat(json, () -> DynamicMessage.newBuilder(type));
    }

    @Property(tries = 1500)
    void neverReadsWhatJsonFormatRejectsFromDamagedBodies(@ForAll long seed) {
        Random random = new Random(seed);
        byte[] original = FIXTURES.get(random.nextInt(FIXTURES.size())).body();
        byte[] body = damage(original, random);
        Assume.that(Utf8.isWellFormed(body));
        String json = new String(body, StandardCharsets.UTF_8);
        Message.Builder expected = WebhookEvent.newBuilder();
        boolean expectedRead;
        try {
            REFERENCE.merge(json, expected);
            expectedRead = true;
        } catch (InvalidProtocolBufferException e) {
            expectedRead = false;
        }
        Message.Builder actual = WebhookEvent.newBuilder();
        boolean actualRead;
        try {
            READER.merge(body, actual);
            actualRead = true;
        } catch (InvalidProtocolBufferException e) {
            actualRead = false;
        }
        Statistics.label("outcome").collect(expectedRead ? actualRead ? "both read" : "only JsonFormat reads"
                : "both reject");
        if (!expectedRead) {
            assertThat(actualRead).as("JsonFormat rejects %s", json).isFalse();
        } else if (actualRead) {
            assertThat(actual.build()).as("read from %s", json).isEqualTo(expected.build());
        }
    }

    /** {@code body} with one to three bytes replaced by JSON punctuation or letters, cut short or with a slice cut out. */
    private static byte[] damage(byte[] body, Random random) {
        byte[] damaged = body.clone();
        String replacements = "{}[]\":,-+.0123456789eEtrufalsn \\xz";
        switch (random.nextInt(4)) {
            case 0:
                return Arrays.copyOf(damaged, random.nextInt(damaged.length));
            case 1:
                int from = random.nextInt(damaged.length);
                int to = Math.min(damaged.length, from + 1 + random.nextInt(12));
                byte[] cut = new byte[damaged.length - (to - from)];
                System.arraycopy(damaged, 0, cut, 0, from);
                System.arraycopy(damaged, to, cut, from, damaged.length - to);
                return cut;
            default:
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    damaged[random.nextInt(damaged.length)] =
                            (byte) replacements.charAt(random.nextInt(replacements.length()));
                }
                return damaged;
        }
    }

    @SuppressWarnings("deprecation")
    static String print(long seed, Supplier<Message.Builder> type, int maxDepth) throws Exception {
        Message message = new RandomMessages(seed, maxDepth).fill(type.get());
        Random options = new Random(~seed);
        JsonFormat.Printer printer = JsonFormat.printer();
        if (options.nextBoolean()) {
            printer = printer.preservingProtoFieldNames();
        }
        switch (options.nextInt(3)) {
            case 0:
                printer = printer.alwaysPrintFieldsWithNoPresence();
                break;
            case 1:
                printer = printer.includingDefaultValueFields();
                break;
            default:
                break;
        }
        if (options.nextBoolean()) {
            printer = printer.omittingInsignificantWhitespace();
        }
        if (options.nextInt(3) == 0) {
            printer = printer.printingEnumsAsInts();
        }
        if (options.nextInt(3) == 0) {
            printer = printer.sortingMapKeys();
        }
        return printer.print(message);
    }

    /** Reads {@code json} both ways and requires the same message, or a rejection by both. */
    static void assertSameAsJsonFormat(String json, Supplier<Message.Builder> type) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Message.Builder expected = type.get();
        InvalidProtocolBufferException expectedError = null;
        try {
            REFERENCE.merge(new String(bytes, StandardCharsets.UTF_8), expected);
        } catch (InvalidProtocolBufferException e) {
            expectedError = e;
        }
        Message.Builder actual = type.get();
        InvalidProtocolBufferException actualError = null;
        try {
            READER.merge(bytes, actual);
        } catch (InvalidProtocolBufferException e) {
            actualError = e;
        }
        if (expectedError != null) {
            assertThat(actualError).as("JsonFormat rejects %s with %s", json, expectedError).isNotNull();
        } else {
            assertThat(actualError).as("JsonFormat reads %s", json).isNull();
            assertThat(actual.build()).as("read from %s", json).isEqualTo(expected.build());
        }
    }
}
