package io.github.agentlifecycle.livekit;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DoubleValue;
import com.google.protobuf.Duration;
import com.google.protobuf.FieldMask;
import com.google.protobuf.FloatValue;
import com.google.protobuf.Int32Value;
import com.google.protobuf.Int64Value;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import java.util.List;
import java.util.Random;

/**
 * Random messages of any type, built by walking its descriptors: a random subset of the fields, values drawn with a
 * bias to edge cases (extreme and negative numbers, NaN and infinities, empty and non-ASCII strings, unknown enum
 * numbers), lists and maps of 0 to 3 elements, nesting up to a depth, at most one member per oneof. Not thread-safe.
 */
final class RandomMessages {
    private static final int[] INTS = {0, 1, -1, 2, 127, 128, -128, Integer.MAX_VALUE, Integer.MIN_VALUE,
        Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1, 65_535, 1 << 24};
    private static final long[] LONGS = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53, (1L << 53) + 1,
        -(1L << 53) - 1, Integer.MAX_VALUE + 1L, 0xFFFF_FFFFL, 1_771_351_907L, 1_771_351_907_123L};
    private static final float[] FLOATS = {0f, -0f, 1f, -1.5f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL, 0.1f, 1e10f};
    private static final double[] DOUBLES = {0d, -0d, 1d, -1.5d, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, Double.MIN_NORMAL, 0.1d,
        1e300, 123456789.123456789};
    private static final List<String> STRINGS = List.of("", "a", " ", "ü", "日本語", "😀", "a\"b", "back\\slash",
        "\u0000", "\u001f", "\u2028\u2029", "</script>", "line\nbreak", "tab\t", "PA_alice0001", "lk.agent_name",
        "true", "123", "NaN");

    private final Random random;
    private final int maxDepth;

    RandomMessages(long seed, int maxDepth) {
        this.random = new Random(seed);
        this.maxDepth = maxDepth;
    }

    /** A random message of {@code builder}'s type, built in it. */
    Message fill(Message.Builder builder) {
        fill(builder, 0);
        return builder.build();
    }

    private void fill(Message.Builder builder, int depth) {
        Descriptor type = builder.getDescriptorForType();
        double chance = depth == 0 ? 0.5 : 0.4;
        for (FieldDescriptor field : type.getFields()) {
            if (random.nextDouble() >= chance) {
                continue;
            }
            OneofDescriptor oneof = field.getRealContainingOneof();
            if (oneof != null && builder.hasOneof(oneof)) {
                continue;
            }
            boolean nests = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()
                    && !ProtoJsonFields.isWellKnown(field.getMessageType());
            if (nests && depth >= maxDepth) {
                continue;
            }
            if (field.isMapField()) {
                FieldDescriptor key = field.getMessageType().findFieldByName("key");
                FieldDescriptor value = field.getMessageType().findFieldByName("value");
                boolean valueNests = value.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                        && !ProtoJsonFields.isWellKnown(value.getMessageType());
                if (valueNests && depth >= maxDepth) {
                    continue;
                }
                for (int i = random.nextInt(4); i > 0; i--) {
                    Message.Builder entry = builder.newBuilderForField(field);
                    entry.setField(key, value(key, entry, depth));
                    entry.setField(value, value(value, entry, depth));
                    builder.addRepeatedField(field, entry.build());
                }
            } else if (field.isRepeated()) {
                for (int i = random.nextInt(4); i > 0; i--) {
                    builder.addRepeatedField(field, value(field, builder, depth));
                }
            } else {
                builder.setField(field, value(field, builder, depth));
            }
        }
    }

    private Object value(FieldDescriptor field, Message.Builder owner, int depth) {
        switch (field.getJavaType()) {
            case INT:
                return pick() ? INTS[random.nextInt(INTS.length)] : random.nextInt();
            case LONG:
                return pick() ? LONGS[random.nextInt(LONGS.length)] : random.nextLong();
            case FLOAT:
                return pick() ? FLOATS[random.nextInt(FLOATS.length)] : random.nextFloat() * 1000 - 500;
            case DOUBLE:
                return pick() ? DOUBLES[random.nextInt(DOUBLES.length)] : random.nextGaussian() * 1e6;
            case BOOLEAN:
                return random.nextBoolean();
            case STRING:
                return string();
            case BYTE_STRING:
                byte[] bytes = new byte[random.nextInt(12)];
                random.nextBytes(bytes);
                return ByteString.copyFrom(bytes);
            case ENUM:
                EnumDescriptor type = field.getEnumType();
                if (!type.isClosed() && random.nextInt(8) == 0) {
                    return type.findValueByNumberCreatingIfUnknown(random.nextBoolean() ? 1000 + random.nextInt(100)
                            : -1 - random.nextInt(100));
                }
                return type.getValues().get(random.nextInt(type.getValues().size()));
            case MESSAGE:
                if (ProtoJsonFields.isWellKnown(field.getMessageType())) {
                    Message value = wellKnown(field.getMessageType().getFullName(), 0);
                    try {
                        return owner.newBuilderForField(field).mergeFrom(value.toByteString()).build();
                    } catch (InvalidProtocolBufferException e) {
                        throw new IllegalStateException(e);
                    }
                }
                Message.Builder message = owner.newBuilderForField(field);
                fill(message, depth + 1);
                return message.build();
            default:
                throw new IllegalArgumentException(field.toString());
        }
    }

    private Message wellKnown(String type, int depth) {
        switch (type) {
            case "google.protobuf.Timestamp":
                return Timestamp.newBuilder().setSeconds(between(-62_135_596_800L, 253_402_300_799L))
                        .setNanos(nanos()).build();
            case "google.protobuf.Duration":
                long seconds = between(-315_576_000_000L, 315_576_000_000L);
                int nanos = nanos();
                return Duration.newBuilder().setSeconds(seconds).setNanos(seconds < 0 ? -nanos : nanos).build();
            case "google.protobuf.Struct":
                Struct.Builder struct = Struct.newBuilder();
                for (int i = random.nextInt(4); i > 0; i--) {
                    struct.putFields(string(), jsonValue(depth + 1));
                }
                return struct.build();
            case "google.protobuf.Value":
                return jsonValue(depth);
            case "google.protobuf.ListValue":
                ListValue.Builder list = ListValue.newBuilder();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.addValues(jsonValue(depth + 1));
                }
                return list.build();
            case "google.protobuf.BoolValue":
                return BoolValue.of(random.nextBoolean());
            case "google.protobuf.Int32Value":
                return Int32Value.of(INTS[random.nextInt(INTS.length)]);
            case "google.protobuf.Int64Value":
                return Int64Value.of(LONGS[random.nextInt(LONGS.length)]);
            case "google.protobuf.UInt32Value":
                return UInt32Value.of(INTS[random.nextInt(INTS.length)]);
            case "google.protobuf.UInt64Value":
                return UInt64Value.of(LONGS[random.nextInt(LONGS.length)]);
            case "google.protobuf.FloatValue":
                return FloatValue.of(FLOATS[random.nextInt(FLOATS.length)]);
            case "google.protobuf.DoubleValue":
                return DoubleValue.of(DOUBLES[random.nextInt(DOUBLES.length)]);
            case "google.protobuf.StringValue":
                return StringValue.of(string());
            case "google.protobuf.BytesValue":
                byte[] bytes = new byte[random.nextInt(8)];
                random.nextBytes(bytes);
                return BytesValue.of(ByteString.copyFrom(bytes));
            case "google.protobuf.FieldMask":
                FieldMask.Builder mask = FieldMask.newBuilder();
                for (int i = random.nextInt(3); i > 0; i--) {
                    mask.addPaths(random.nextBoolean() ? "room.empty_timeout" : "participant_identity");
                }
                return mask.build();
            default:
                throw new IllegalArgumentException("no random " + type);
        }
    }

    private Value jsonValue(int depth) {
        int kind = random.nextInt(depth >= 2 ? 4 : 6);
        switch (kind) {
            case 0:
                return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
            case 1:
                return Value.newBuilder().setNumberValue(random.nextBoolean() ? random.nextInt(1000) - 500
                        : random.nextGaussian() * 1e9).build();
            case 2:
                return Value.newBuilder().setStringValue(string()).build();
            case 3:
                return Value.newBuilder().setBoolValue(random.nextBoolean()).build();
            case 4:
                return Value.newBuilder().setStructValue((Struct) wellKnown("google.protobuf.Struct", depth)).build();
            default:
                return Value.newBuilder().setListValue((ListValue) wellKnown("google.protobuf.ListValue", depth))
                        .build();
        }
    }

    private String string() {
        if (pick()) {
            return STRINGS.get(random.nextInt(STRINGS.size()));
        }
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(10); i > 0; i--) {
            int codePoint;
            switch (random.nextInt(4)) {
                case 0:
                    codePoint = random.nextInt(0x80);
                    break;
                case 1:
                    codePoint = 0x80 + random.nextInt(0x780);
                    break;
                case 2:
                    codePoint = 0x800 + random.nextInt(0xD800 - 0x800);
                    break;
                default:
                    codePoint = 0x10000 + random.nextInt(0x10FFFF - 0x10000);
                    break;
            }
            text.appendCodePoint(codePoint);
        }
        return text.toString();
    }

    private int nanos() {
        switch (random.nextInt(4)) {
            case 0:
                return 0;
            case 1:
                return random.nextInt(1000) * 1_000_000;
            case 2:
                return random.nextInt(1_000_000) * 1000;
            default:
                return random.nextInt(1_000_000_000);
        }
    }

    private long between(long min, long max) {
        return min + (long) (random.nextDouble() * (max - min));
    }

    private boolean pick() {
        return random.nextInt(3) > 0;
    }
}
