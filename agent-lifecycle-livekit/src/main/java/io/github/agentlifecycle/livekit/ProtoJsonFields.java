package io.github.agentlifecycle.livekit;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
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
import com.google.protobuf.NullValue;
import com.google.protobuf.StringValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The fields of one message type as protobuf JSON names them: each field under its original proto name and its
 * lowerCamelCase JSON name (where the two collide between fields, the later field wins, as in {@code JsonFormat}),
 * with what the reader needs to know about it precomputed. Thread-safe; immutable but for a cache of the nested
 * message types' tables, which the reader that built this table fills.
 */
final class ProtoJsonFields {
    /** How a field's JSON value is read. */
    enum Kind {
        INT32, INT64, UINT32, UINT64, FLOAT, DOUBLE, BOOL, STRING, BYTES, ENUM,
        /** A message read field by field. */
        MESSAGE,
        /** A well-known type with its own JSON form (timestamps, wrappers, {@code Struct}...). */
        WELL_KNOWN
    }

    private static final Set<String> WELL_KNOWN_TYPES = Stream.of(Any.getDescriptor(), Duration.getDescriptor(),
                    FieldMask.getDescriptor(), Timestamp.getDescriptor(), Struct.getDescriptor(),
                    Value.getDescriptor(), ListValue.getDescriptor(), BoolValue.getDescriptor(),
                    BytesValue.getDescriptor(), DoubleValue.getDescriptor(), FloatValue.getDescriptor(),
                    Int32Value.getDescriptor(), Int64Value.getDescriptor(), StringValue.getDescriptor(),
                    UInt32Value.getDescriptor(), UInt64Value.getDescriptor())
            .map(Descriptor::getFullName)
            .collect(Collectors.toUnmodifiableSet());

    /** Names and their fields in an open-addressing table, a power of two long and at most half full. */
    private final String[] names;
    private final Field[] fieldsByName;

    private ProtoJsonFields(Descriptor type) {
        Map<String, Field> byName = new HashMap<>();
        for (FieldDescriptor descriptor : type.getFields()) {
            Field field = new Field(descriptor);
            byName.put(descriptor.getName(), field);
            byName.put(descriptor.getJsonName(), field);
        }
        int size = Integer.highestOneBit(Math.max(2, byName.size()) * 2 - 1) * 2;
        this.names = new String[size];
        this.fieldsByName = new Field[size];
        byName.forEach((name, field) -> {
            int slot = name.hashCode() & (size - 1);
            while (names[slot] != null) {
                slot = (slot + 1) & (size - 1);
            }
            // interned like the names Jackson reads, so that lookups mostly compare references
            names[slot] = name.intern();
            fieldsByName[slot] = field;
        });
    }

    /** The fields of {@code type}. */
    static ProtoJsonFields of(Descriptor type) {
        return new ProtoJsonFields(type);
    }

    /** Whether {@code type} has a JSON form of its own rather than an object of its fields. */
    static boolean isWellKnown(Descriptor type) {
        return WELL_KNOWN_TYPES.contains(type.getFullName());
    }

    /** The field a JSON member called {@code name} sets, or null for an unknown name. */
    @Nullable Field find(String name) {
        int mask = names.length - 1;
        for (int slot = name.hashCode() & mask; ; slot = (slot + 1) & mask) {
            String candidate = names[slot];
            if (candidate == name) {
                return fieldsByName[slot];
            }
            if (candidate == null) {
                return null;
            }
            if (candidate.equals(name)) {
                return fieldsByName[slot];
            }
        }
    }

    /** One field and how to read it. */
    static final class Field {
        /** What {@link #enumNumber} returns when the text names no value. */
        static final long NO_ENUM_VALUE = Long.MIN_VALUE;

        final FieldDescriptor descriptor;
        final FieldDescriptor.Type type;
        final int number;
        final Kind kind;
        /** Position among its message's fields. */
        final int index;
        final boolean map;
        /** Repeated but not a map. */
        final boolean list;
        /** Position of its oneof (also a proto3 {@code optional} field's own) among its message's, or -1. */
        final int oneofIndex;
        /** For maps: the entry's key and value fields. */
        final @Nullable Field mapKey;
        final @Nullable Field mapValue;
        /** For {@code google.protobuf.Value} and {@code NullValue}: JSON null is a value, not absence. */
        final boolean nullIsValue;
        private final @Nullable EnumDescriptor enumType;
        private final Map<String, EnumValueDescriptor> enumNames;
        /** For messages: the fields of the message type, a cache filled on first use. */
        private volatile @Nullable ProtoJsonFields messageFields;

        private Field(FieldDescriptor descriptor) {
            this.descriptor = descriptor;
            this.type = descriptor.getType();
            this.number = descriptor.getNumber();
            this.kind = kindOf(descriptor);
            this.index = descriptor.getIndex();
            this.map = descriptor.isMapField();
            this.list = descriptor.isRepeated() && !map;
            OneofDescriptor oneof = descriptor.getContainingOneof();
            this.oneofIndex = oneof == null ? -1 : oneof.getIndex();
            if (map) {
                Descriptor entry = descriptor.getMessageType();
                this.mapKey = new Field(entry.findFieldByName("key"));
                this.mapValue = new Field(entry.findFieldByName("value"));
            } else {
                this.mapKey = null;
                this.mapValue = null;
            }
            if (kind == Kind.ENUM) {
                this.enumType = descriptor.getEnumType();
                this.enumNames = new HashMap<>();
                for (EnumValueDescriptor value : enumType.getValues()) {
                    enumNames.put(value.getName(), value);
                }
                this.nullIsValue = enumType.getFullName().equals(NullValue.getDescriptor().getFullName());
            } else {
                this.enumType = null;
                this.enumNames = Map.of();
                this.nullIsValue = kind == Kind.WELL_KNOWN
                        && descriptor.getMessageType().getFullName().equals(Value.getDescriptor().getFullName());
            }
        }

        /**
         * The number of the enum value {@code text} names, by name or by number, or {@link #NO_ENUM_VALUE} when it
         * names none (such a value is ignored, as {@code JsonFormat} ignores it when told to ignore unknown fields).
         * Any int32 number is a value of an open (proto3) enum, kept as unrecognized if it is not declared; a closed
         * (proto2) enum has only its declared values.
         */
        long enumNumber(String text) {
            EnumDescriptor type = enumType;
            if (type == null) {
                throw new IllegalStateException(descriptor.getFullName() + " is not an enum field");
            }
            EnumValueDescriptor value = enumNames.get(text);
            if (value != null) {
                return value.getNumber();
            }
            int number;
            try {
                number = ProtoJsonScalars.int32(text);
            } catch (InvalidProtocolBufferException e) {
                return NO_ENUM_VALUE;
            }
            return !type.isClosed() || type.findValueByNumber(number) != null ? number : NO_ENUM_VALUE;
        }

        /** The fields of this message-typed field's type, from {@code lookUp} the first time. */
        ProtoJsonFields messageFields(Function<Descriptor, ProtoJsonFields> lookUp) {
            ProtoJsonFields fields = messageFields;
            if (fields == null) {
                fields = lookUp.apply(descriptor.getMessageType());
                messageFields = fields;
            }
            return fields;
        }

        private static Kind kindOf(FieldDescriptor descriptor) {
            switch (descriptor.getType()) {
                case INT32:
                case SINT32:
                case SFIXED32:
                    return Kind.INT32;
                case INT64:
                case SINT64:
                case SFIXED64:
                    return Kind.INT64;
                case UINT32:
                case FIXED32:
                    return Kind.UINT32;
                case UINT64:
                case FIXED64:
                    return Kind.UINT64;
                case FLOAT:
                    return Kind.FLOAT;
                case DOUBLE:
                    return Kind.DOUBLE;
                case BOOL:
                    return Kind.BOOL;
                case STRING:
                    return Kind.STRING;
                case BYTES:
                    return Kind.BYTES;
                case ENUM:
                    return Kind.ENUM;
                case MESSAGE:
                case GROUP:
                    return isWellKnown(descriptor.getMessageType()) ? Kind.WELL_KNOWN : Kind.MESSAGE;
                default:
                    throw new IllegalArgumentException("unknown field type " + descriptor.getType());
            }
        }
    }
}
