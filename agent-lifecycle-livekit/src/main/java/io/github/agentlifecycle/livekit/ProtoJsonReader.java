package io.github.agentlifecycle.livekit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads protobuf JSON from UTF-8 bytes into a message builder, giving what
 * {@code JsonFormat.parser().ignoringUnknownFields()} gives for the same text, but streaming over the bytes with
 * Jackson instead of decoding them to a string and building a Gson tree, and writing the message in the binary wire
 * format, which the builder then merges with its own generated parser (no reflective setter calls). Works for any
 * message type, through its descriptors.
 *
 * <p>As in {@code JsonFormat}: fields by lowerCamelCase JSON name or original proto name; unknown members ignored,
 * whatever their value; JSON null leaves a field unset (except for {@code google.protobuf.Value} and
 * {@code NullValue}); lists as arrays, in which null is an error; maps as objects whose member names are read as
 * the key type; enums by name or number, an unknown name or a number a closed enum lacks leaves the field unset
 * (or is dropped from a list or map); scalars as {@link ProtoJsonScalars} and {@link ProtoJsonBase64} read them, from
 * a string or a bare literal alike; a second member of a oneof is an error; at most {@value #RECURSION_LIMIT}
 * levels of messages below the top one. Well-known types ({@code Timestamp}, {@code Duration}, {@code Struct},
 * {@code Value}, {@code ListValue}, wrappers, {@code FieldMask}, {@code Any}) are copied as JSON text and read by
 * {@code JsonFormat} itself (its recursion limit then counts afresh inside them).
 *
 * <p>Stricter than {@code JsonFormat}, which reads with Gson in lenient mode: only standard JSON is accepted (no
 * comments, single quotes, unquoted names or values, bare NaN), nothing may follow the top-level value, JSON nests at
 * most {@value #MAX_JSON_DEPTH} deep (also inside unknown members), and an array where a single value belongs is an
 * error (Gson unwraps a one-element array). An object naming the same field twice (by either name) is an error (Gson
 * keeps the last of identical names; {@code JsonFormat} then rejects a field set under both names unless the first
 * value was a default). A map key given twice keeps the last value, as with Gson, but every value given must be valid,
 * not only the last, and an unknown enum value may not follow a valid one. A string with an unpaired surrogate
 * (which JSON's escapes of UTF-16 units can write) is an error: it is not Unicode and has no UTF-8 form, and protobuf
 * would turn it into {@code ?} when serialising. Required fields of proto2 messages are not checked here but by
 * {@code build()}.
 *
 * <p>The bytes should be UTF-8; Jackson rejects most malformed sequences but not all (it decodes overlong forms and
 * encoded surrogates), so callers that must reject every one check first ({@link Utf8}).
 *
 * <p>Immutable and thread-safe: the per-type field tables it builds on first use are cached in a concurrent map,
 * one per message type read (a bounded set, the types of the schema).
 */
final class ProtoJsonReader {
    /** Message levels below the top-level message, as {@code JsonFormat}'s default recursion limit. */
    static final int RECURSION_LIMIT = 100;
    /** JSON objects and arrays nested in each other, counting those inside unknown members. */
    static final int MAX_JSON_DEPTH = 1000;
    /** Nested messages in the wire form: map entries and well-known values add levels of their own. */
    private static final int WIRE_RECURSION_LIMIT = 4 * RECURSION_LIMIT;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
            .build();
    private static final JsonFormat.Parser WELL_KNOWN = JsonFormat.parser().ignoringUnknownFields();

    private final ConcurrentHashMap<Descriptor, ProtoJsonFields> fields = new ConcurrentHashMap<>();
    private final Function<Descriptor, ProtoJsonFields> lookUp = this::fieldsOf;

    /**
     * Reads the JSON in {@code json} and merges it into {@code builder}.
     *
     * @throws InvalidProtocolBufferException if it is not JSON, or not a message of the builder's type
     */
    void merge(byte[] json, Message.Builder builder) throws InvalidProtocolBufferException {
        Descriptor type = builder.getDescriptorForType();
        try (JsonParser parser = JSON.createParser(json)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new InvalidProtocolBufferException("Expect message object but got nothing");
            }
            if (ProtoJsonFields.isWellKnown(type)) {
                String text = copyValue(parser);
                expectEnd(parser);
                WELL_KNOWN.merge(text, builder);
                return;
            }
            if (token != JsonToken.START_OBJECT) {
                throw new InvalidProtocolBufferException("Expect message object but got " + describe(token));
            }
            ProtoWireWriter out = new ProtoWireWriter(json.length / 2);
            mergeObject(parser, fieldsOf(type), out, 0);
            expectEnd(parser);
            builder.mergeFrom(out.input(WIRE_RECURSION_LIMIT));
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw new InvalidProtocolBufferException(e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
    }

    private void mergeObject(JsonParser parser, ProtoJsonFields known, ProtoWireWriter out, int depth)
            throws IOException {
        IndexSet fieldsSeen = new IndexSet();
        IndexSet oneofsSet = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            JsonToken token = parser.nextToken();
            ProtoJsonFields.Field field = known.find(name);
            if (field == null) {
                parser.skipChildren();
                continue;
            }
            if (!fieldsSeen.add(field.index)) {
                throw new InvalidProtocolBufferException(
                        "Field " + field.descriptor.getFullName() + " has already been set.");
            }
            if (field.map || field.list) {
                if (token != JsonToken.VALUE_NULL) {
                    if (field.map) {
                        mergeMap(parser, token, field, out, depth);
                    } else {
                        mergeList(parser, token, field, out, depth);
                    }
                }
            } else if (write(parser, token, field, out, depth) && field.oneofIndex >= 0) {
                if (oneofsSet == null) {
                    oneofsSet = new IndexSet();
                }
                if (!oneofsSet.add(field.oneofIndex)) {
                    throw new InvalidProtocolBufferException("Cannot set field " + field.descriptor.getFullName()
                            + " because another field belonging to the same oneof has already been set");
                }
            }
        }
    }

    private void mergeList(JsonParser parser, JsonToken token, ProtoJsonFields.Field field, ProtoWireWriter out,
            int depth) throws IOException {
        if (token != JsonToken.START_ARRAY) {
            throw new InvalidProtocolBufferException(
                    "Expected an array for " + field.descriptor.getName() + " but found " + describe(token));
        }
        for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
            if (!write(parser, element, field, out, depth) && field.kind != ProtoJsonFields.Kind.ENUM) {
                throw new InvalidProtocolBufferException(
                        "Repeated field elements cannot be null in field: " + field.descriptor.getFullName());
            }
        }
    }

    private void mergeMap(JsonParser parser, JsonToken token, ProtoJsonFields.Field field, ProtoWireWriter out,
            int depth) throws IOException {
        if (token != JsonToken.START_OBJECT) {
            throw new InvalidProtocolBufferException("Expect a map object but found " + describe(token));
        }
        ProtoJsonFields.Field keyField = field.mapKey;
        ProtoJsonFields.Field valueField = field.mapValue;
        if (keyField == null || valueField == null) {
            throw new InvalidProtocolBufferException("Invalid map field: " + field.descriptor.getFullName());
        }
        Set<String> keysWritten = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            JsonToken valueToken = parser.nextToken();
            int mark = out.position();
            int nesting = out.nesting();
            out.beginNested(field.number);
            writeFromText(keyField, name, out);
            if (write(parser, valueToken, valueField, out, depth)) {
                out.endNested();
                if (valueField.kind == ProtoJsonFields.Kind.ENUM) {
                    if (keysWritten == null) {
                        keysWritten = new HashSet<>();
                    }
                    keysWritten.add(name);
                }
                continue;
            }
            if (valueField.kind != ProtoJsonFields.Kind.ENUM) {
                throw new InvalidProtocolBufferException("Map value cannot be null.");
            }
            out.truncate(mark, nesting);
            if (keysWritten != null && keysWritten.contains(name)) {
                throw new InvalidProtocolBufferException("Map key " + ProtoJsonScalars.quote(name)
                        + " is given twice, last with an unknown enum value");
            }
        }
    }

    /**
     * Writes the value at {@code token} (a single field, or one element of a list or map) and leaves the parser on
     * its last token; false when there is none to write (JSON null, unknown enum value).
     */
    private boolean write(JsonParser parser, JsonToken token, ProtoJsonFields.Field field, ProtoWireWriter out,
            int depth) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return writeNull(field, out);
        }
        switch (field.kind) {
            case MESSAGE:
                writeMessage(parser, token, field, out, depth);
                return true;
            case WELL_KNOWN:
                if (depth >= RECURSION_LIMIT) {
                    throw new InvalidProtocolBufferException("Hit recursion limit.");
                }
                writeWellKnown(copyValue(parser), field, out);
                return true;
            case INT32:
                if (token == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() == JsonParser.NumberType.INT) {
                    out.writeInt(field.type, field.number, parser.getIntValue());
                    return true;
                }
                break;
            case UINT32:
                if (token == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    long value = parser.getLongValue();
                    if (value >= 0 && value <= 0xFFFF_FFFFL) {
                        out.writeInt(field.type, field.number, (int) value);
                        return true;
                    }
                }
                break;
            case UINT64:
                if (token == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER && parser.getLongValue() >= 0) {
                    out.writeLong(field.type, field.number, parser.getLongValue());
                    return true;
                }
                break;
            case INT64:
                if (token == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                    out.writeLong(field.type, field.number, parser.getLongValue());
                    return true;
                }
                if (token == JsonToken.VALUE_STRING && ProtoJsonScalars.isShortDecimal(parser.getTextCharacters(),
                        parser.getTextOffset(), parser.getTextLength())) {
                    out.writeLong(field.type, field.number, ProtoJsonScalars.shortDecimal(parser.getTextCharacters(),
                            parser.getTextOffset(), parser.getTextLength()));
                    return true;
                }
                break;
            case BOOL:
                if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
                    out.writeBool(field.number, token == JsonToken.VALUE_TRUE);
                    return true;
                }
                break;
            case STRING:
                if (token == JsonToken.VALUE_STRING) {
                    out.writeString(field.number, parser.getTextCharacters(), parser.getTextOffset(),
                            parser.getTextLength());
                    return true;
                }
                break;
            default:
                break;
        }
        if (!token.isScalarValue()) {
            throw new InvalidProtocolBufferException("Invalid value: " + describe(token) + " for "
                    + field.descriptor.getFullName() + " of type " + field.type);
        }
        return writeFromText(field, parser.getText(), out);
    }

    /** Writes a scalar field from the text of a JSON scalar or a map key; false for an unknown enum value. */
    private static boolean writeFromText(ProtoJsonFields.Field field, String text, ProtoWireWriter out)
            throws InvalidProtocolBufferException {
        switch (field.kind) {
            case INT32:
                out.writeInt(field.type, field.number, ProtoJsonScalars.int32(text));
                return true;
            case UINT32:
                out.writeInt(field.type, field.number, ProtoJsonScalars.uint32(text));
                return true;
            case INT64:
                out.writeLong(field.type, field.number, ProtoJsonScalars.int64(text));
                return true;
            case UINT64:
                out.writeLong(field.type, field.number, ProtoJsonScalars.uint64(text));
                return true;
            case FLOAT:
                out.writeFloat(field.number, ProtoJsonScalars.float32(text));
                return true;
            case DOUBLE:
                out.writeDouble(field.number, ProtoJsonScalars.float64(text));
                return true;
            case BOOL:
                out.writeBool(field.number, ProtoJsonScalars.bool(text));
                return true;
            case STRING:
                out.writeString(field.number, text);
                return true;
            case BYTES:
                out.writeBytes(field.number, ProtoJsonBase64.decode(text));
                return true;
            case ENUM:
                long number = field.enumNumber(text);
                if (number == ProtoJsonFields.Field.NO_ENUM_VALUE) {
                    return false;
                }
                out.writeInt(FieldDescriptor.Type.ENUM, field.number, (int) number);
                return true;
            default:
                throw new InvalidProtocolBufferException("Expect message object for "
                        + field.descriptor.getFullName() + " but got " + ProtoJsonScalars.quote(text));
        }
    }

    private static boolean writeNull(ProtoJsonFields.Field field, ProtoWireWriter out)
            throws InvalidProtocolBufferException {
        if (!field.nullIsValue) {
            return false;
        }
        if (field.kind == ProtoJsonFields.Kind.ENUM) {
            out.writeInt(FieldDescriptor.Type.ENUM, field.number, 0);
        } else {
            writeWellKnown("null", field, out);
        }
        return true;
    }

    private void writeMessage(JsonParser parser, JsonToken token, ProtoJsonFields.Field field, ProtoWireWriter out,
            int depth) throws IOException {
        if (depth >= RECURSION_LIMIT) {
            throw new InvalidProtocolBufferException("Hit recursion limit.");
        }
        if (token != JsonToken.START_OBJECT) {
            throw new InvalidProtocolBufferException("Expect message object for " + field.descriptor.getFullName()
                    + " but got " + describe(token));
        }
        ProtoJsonFields nested = field.messageFields(lookUp);
        if (field.type == FieldDescriptor.Type.GROUP) {
            out.beginGroup(field.number);
            mergeObject(parser, nested, out, depth + 1);
            out.endGroup(field.number);
        } else {
            out.beginNested(field.number);
            mergeObject(parser, nested, out, depth + 1);
            out.endNested();
        }
    }

    /** Has {@code JsonFormat} read a well-known value from its JSON text and writes it. */
    private static void writeWellKnown(String json, ProtoJsonFields.Field field, ProtoWireWriter out)
            throws InvalidProtocolBufferException {
        DynamicMessage.Builder value = DynamicMessage.newBuilder(field.descriptor.getMessageType());
        WELL_KNOWN.merge(json, value);
        out.writeBytes(field.number, value.build().toByteArray());
    }

    /**
     * The JSON text of the value at the parser's current token, which is left on the value's last token. Strings
     * must be valid Unicode (see {@link ProtoWireWriter#writeString(int, String)}).
     */
    private static String copyValue(JsonParser parser) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator copy = JSON.createGenerator(text)) {
            int depth = 0;
            for (JsonToken token = parser.currentToken(); ; token = parser.nextToken()) {
                switch (token) {
                    case START_OBJECT:
                        copy.writeStartObject();
                        depth++;
                        break;
                    case START_ARRAY:
                        copy.writeStartArray();
                        depth++;
                        break;
                    case END_OBJECT:
                        copy.writeEndObject();
                        depth--;
                        break;
                    case END_ARRAY:
                        copy.writeEndArray();
                        depth--;
                        break;
                    case FIELD_NAME:
                        copy.writeFieldName(unicode(parser.currentName()));
                        break;
                    case VALUE_STRING:
                        copy.writeString(unicode(parser.getText()));
                        break;
                    case VALUE_NUMBER_INT:
                    case VALUE_NUMBER_FLOAT:
                        copy.writeNumber(parser.getText());
                        break;
                    case VALUE_TRUE:
                    case VALUE_FALSE:
                        copy.writeBoolean(token == JsonToken.VALUE_TRUE);
                        break;
                    case VALUE_NULL:
                        copy.writeNull();
                        break;
                    default:
                        throw new InvalidProtocolBufferException("Unexpected JSON token " + token);
                }
                if (depth == 0) {
                    break;
                }
            }
        }
        return text.toString();
    }

    private static String unicode(String text) throws InvalidProtocolBufferException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    throw new InvalidProtocolBufferException("String has an unpaired surrogate");
                }
            }
        }
        return text;
    }

    private static void expectEnd(JsonParser parser) throws IOException {
        if (parser.nextToken() != null) {
            throw new InvalidProtocolBufferException("Unexpected content after the JSON value");
        }
    }

    private ProtoJsonFields fieldsOf(Descriptor type) {
        ProtoJsonFields known = fields.get(type);
        return known != null ? known : fields.computeIfAbsent(type, ProtoJsonFields::of);
    }

    private static String describe(JsonToken token) {
        switch (token) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return token.toString();
        }
    }

    /** Small non-negative indexes seen, as bits. */
    private static final class IndexSet {
        private long low;
        private @Nullable BitSet high;

        /** Adds {@code index}; false if it was there. */
        boolean add(int index) {
            if (index < Long.SIZE) {
                long bit = 1L << index;
                boolean added = (low & bit) == 0;
                low |= bit;
                return added;
            }
            BitSet set = high;
            if (set == null) {
                set = new BitSet();
                high = set;
            }
            boolean added = !set.get(index);
            set.set(index);
            return added;
        }
    }
}
