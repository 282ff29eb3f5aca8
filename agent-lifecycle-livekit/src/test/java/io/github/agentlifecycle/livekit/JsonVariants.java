package io.github.agentlifecycle.livekit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Changes protobuf JSON text (as {@code JsonFormat} prints it) of a known message type: adds unknown members with
 * values of every JSON shape, or puts odd values (wrong types, out-of-range and fractional numbers, numbers as strings,
 * odd base64, unknown enum names, nulls, odd map keys) into random fields at any depth. Stays within what both the
 * new reader and {@code JsonFormat} read alike: standard JSON, no name twice in an object and no one-element array
 * where a single value belongs (Gson unwraps those). Not thread-safe.
 */
final class JsonVariants {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VALUES = List.of("null", "{}", "[]", "[1,2]", "[\"a\",null]", "{\"a\":1}",
            "true", "false", "\"\"", "\"x\"", "0", "-0", "1", "-1", "1.0", "1.5", "-1.5", "1e2", "1E2", "1e-2",
            "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "18446744073709551615", "18446744073709551616", "1e39", "3.4028235e38", "3.4028236e38", "3.4028238e38",
            "3.4028270e38", "1.7976931348623157e308", "1.7976949e308", "1.8e308", "1e400", "4.9e-324", "1e-400",
            "0.1", "100.000", "1e0", "-0.0", "\"0\"", "\"-0\"", "\"1\"", "\"-1\"", "\"+1\"", "\" 1\"", "\"1 \"",
            "\"1.0\"", "\"1.5\"", "\"1e2\"", "\"0x10\"", "\"1_000\"", "\"007\"", "\"00.5\"", "\"-0.0\"",
            "\"2147483648\"", "\"-2147483649\"", "\"4294967295\"", "\"4294967296\"", "\"9223372036854775808\"",
            "\"18446744073709551615\"", "\"18446744073709551616\"", "\"-9223372036854775809\"", "\"1e39\"",
            "\"3.4028236e38\"", "\"1e400\"", "\"1e-400\"", "\"1e99999\"", "\"1e-99999\"", "\"0e99999\"", "\"NaN\"",
            "\"Infinity\"", "\"-Infinity\"", "\"+Infinity\"", "\"nan\"", "\"infinity\"", "\"1f\"", "\"1d\"",
            "\"0x1p3\"", "\"\u0661\u0662\"", "\"true\"", "\"false\"", "\"True\"", "\"AQID\"", "\"AQI\"", "\"AQ\"",
            "\"A\"", "\"AQ==\"", "\"AQ=\"", "\"AQ===\"", "\"-_8\"", "\"+/8\"", "\"-/\"", "\"A=B\"", "\"AQID\\n\"",
            "\"\uD83D\uDE00\"", "\"UNKNOWN_NAME\"", "\"red\"", "\"NULL_VALUE\"", "\"2020-01-01T00:00:00Z\"",
            "\"1.5s\"", "\"a,b\"");
    private static final List<String> KEYS = List.of("1", "-1", "0", "-0", "01", "+1", "1.0", "1e2", "1.5", "true",
            "false", "TRUE", "abc", "", "4294967295", "-2147483649", "18446744073709551615", "9223372036854775808",
            "2147483648", "\uD83D\uDE00");

    private final Random random;

    JsonVariants(long seed) {
        this.random = new Random(seed);
    }

    /** {@code json} with unknown members of random shape added to random message objects. */
    String withUnknownMembers(String json, Descriptor type) {
        ObjectNode root = read(json);
        for (Message message : messages(root, type)) {
            if (random.nextBoolean()) {
                List<Map.Entry<String, JsonNode>> members = new ArrayList<>(message.object.properties());
                for (int i = 1 + random.nextInt(2); i > 0; i--) {
                    String name = random.nextInt(5) == 0 ? "@type" : "zz_unknown_" + i;
                    if (!message.object.has(name)) {
                        members.add(random.nextInt(members.size() + 1), Map.entry(name, randomJson(0)));
                    }
                }
                message.object.removeAll();
                Map<String, JsonNode> ordered = new LinkedHashMap<>();
                members.forEach(m -> ordered.putIfAbsent(m.getKey(), m.getValue()));
                message.object.setAll(ordered);
            }
        }
        return root.toString();
    }

    /** {@code json} with odd values put into one to three random fields of random message objects. */
    String withOddValues(String json, Descriptor type) {
        ObjectNode root = read(json);
        List<Message> messages = messages(root, type);
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            Message message = messages.get(random.nextInt(messages.size()));
            List<FieldDescriptor> fields = message.type.getFields();
            FieldDescriptor field = fields.get(random.nextInt(fields.size()));
            String name = message.object.has(field.getName()) ? field.getName()
                    : message.object.has(field.getJsonName()) || random.nextBoolean() ? field.getJsonName()
                    : field.getName();
            message.object.set(name, oddValue(field));
        }
        return root.toString();
    }

    private JsonNode oddValue(FieldDescriptor field) {
        if (field.isMapField() && random.nextInt(4) > 0) {
            FieldDescriptor value = field.getMessageType().findFieldByName("value");
            ObjectNode map = JSON.createObjectNode();
            for (int i = random.nextInt(4); i > 0; i--) {
                map.set(KEYS.get(random.nextInt(KEYS.size())), oddSingle(value));
            }
            return map;
        }
        if (field.isRepeated() && !field.isMapField() && random.nextInt(4) > 0) {
            ArrayNode list = JSON.createArrayNode();
            for (int i = random.nextInt(4); i > 0; i--) {
                JsonNode element = oddSingle(field);
                while (element.isArray()) {
                    element = oddSingle(field);
                }
                list.add(element);
            }
            return list;
        }
        return oddSingle(field);
    }

    private JsonNode oddSingle(FieldDescriptor field) {
        if (field.getJavaType() == FieldDescriptor.JavaType.ENUM && random.nextBoolean()) {
            List<EnumValueDescriptor> values = field.getEnumType().getValues();
            EnumValueDescriptor value = values.get(random.nextInt(values.size()));
            return random.nextBoolean() ? JSON.getNodeFactory().textNode(value.getName())
                    : JSON.getNodeFactory().numberNode(value.getNumber());
        }
        if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && random.nextInt(3) == 0) {
            return randomJson(1);
        }
        return raw(VALUES.get(random.nextInt(VALUES.size())));
    }

    private JsonNode randomJson(int depth) {
        int kind = random.nextInt(depth >= 4 ? 5 : 7);
        switch (kind) {
            case 0:
                return JSON.getNodeFactory().nullNode();
            case 1:
                return JSON.getNodeFactory().booleanNode(random.nextBoolean());
            case 2:
            case 3:
            case 4:
                return raw(VALUES.get(random.nextInt(VALUES.size())));
            case 5:
                ObjectNode object = JSON.createObjectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(KEYS.get(random.nextInt(KEYS.size())), randomJson(depth + 1));
                }
                return object;
            default:
                ArrayNode array = JSON.createArrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomJson(depth + 1));
                }
                return array;
        }
    }

    private static JsonNode raw(String json) {
        return JSON.getNodeFactory().rawValueNode(new RawValue(json));
    }

    /** A message object in the tree and its type. */
    private record Message(ObjectNode object, Descriptor type) {}

    /** Every object in the tree that is a message read field by field (not a map, not a well-known type). */
    private static List<Message> messages(ObjectNode root, Descriptor type) {
        List<Message> found = new ArrayList<>();
        collect(root, type, found);
        return found;
    }

    private static void collect(ObjectNode object, Descriptor type, List<Message> found) {
        found.add(new Message(object, type));
        for (Map.Entry<String, JsonNode> member : object.properties()) {
            FieldDescriptor field = type.findFieldByName(member.getKey());
            if (field == null) {
                field = type.getFields().stream().filter(f -> f.getJsonName().equals(member.getKey())).findFirst()
                        .orElse(null);
            }
            if (field == null || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (field.isMapField()) {
                FieldDescriptor value = field.getMessageType().findFieldByName("value");
                if (value.getJavaType() == FieldDescriptor.JavaType.MESSAGE && isPlain(value.getMessageType())) {
                    member.getValue().forEach(v -> collect((ObjectNode) v, value.getMessageType(), found));
                }
            } else if (isPlain(field.getMessageType())) {
                Descriptor nested = field.getMessageType();
                if (field.isRepeated()) {
                    member.getValue().forEach(v -> collect((ObjectNode) v, nested, found));
                } else {
                    collect((ObjectNode) member.getValue(), nested, found);
                }
            }
        }
    }

    private static boolean isPlain(Descriptor type) {
        return !ProtoJsonFields.isWellKnown(type);
    }

    private static ObjectNode read(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
