package io.github.agentlifecycle.livekit;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Int32Value;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import java.util.List;

/**
 * Message types built at run time for the protobuf JSON reader's tests, since LiveKit's schema has no field of
 * several kinds (bytes, float, uint64, sint, fixed, maps with non-string keys, well-known types):
 * <ul>
 *   <li>{@link #ALL_TYPES} ({@code test.AllTypes}, proto3): a singular and a repeated field of every scalar type,
 *       an open enum and itself; maps for every key type; a oneof; proto3 {@code optional} fields; a custom
 *       {@code json_name}; fields of every well-known type;</li>
 *   <li>{@link #CLOSED} ({@code test2.Closed}, proto2): a closed enum, singular, repeated and as map values.</li>
 * </ul>
 */
final class TestSchemas {
    static final Descriptor ALL_TYPES;
    static final Descriptor CLOSED;

    private static final List<Type> SCALARS = List.of(Type.TYPE_INT32, Type.TYPE_INT64, Type.TYPE_UINT32,
            Type.TYPE_UINT64, Type.TYPE_SINT32, Type.TYPE_SINT64, Type.TYPE_FIXED32, Type.TYPE_FIXED64,
            Type.TYPE_SFIXED32, Type.TYPE_SFIXED64, Type.TYPE_FLOAT, Type.TYPE_DOUBLE, Type.TYPE_BOOL,
            Type.TYPE_STRING, Type.TYPE_BYTES);
    private static final List<Type> MAP_KEYS = List.of(Type.TYPE_INT32, Type.TYPE_INT64, Type.TYPE_UINT32,
            Type.TYPE_UINT64, Type.TYPE_SINT32, Type.TYPE_SINT64, Type.TYPE_FIXED32, Type.TYPE_FIXED64,
            Type.TYPE_SFIXED32, Type.TYPE_SFIXED64, Type.TYPE_BOOL, Type.TYPE_STRING);

    static {
        try {
            ALL_TYPES = allTypes();
            CLOSED = closed();
        } catch (DescriptorValidationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TestSchemas() {}

    static Message.Builder allTypesBuilder() {
        return DynamicMessage.newBuilder(ALL_TYPES);
    }

    static Message.Builder closedBuilder() {
        return DynamicMessage.newBuilder(CLOSED);
    }

    private static Descriptor allTypes() throws DescriptorValidationException {
        DescriptorProto.Builder message = DescriptorProto.newBuilder().setName("AllTypes");
        int number = 1;
        for (Type type : SCALARS) {
            String name = type.name().substring(5).toLowerCase();
            message.addField(field("f_" + name, number, type, Label.LABEL_OPTIONAL, null));
            message.addField(field("r_" + name, number + 100, type, Label.LABEL_REPEATED, null));
            number++;
        }
        message.addField(field("f_enum", 20, Type.TYPE_ENUM, Label.LABEL_OPTIONAL, ".test.Color"));
        message.addField(field("r_enum", 120, Type.TYPE_ENUM, Label.LABEL_REPEATED, ".test.Color"));
        message.addField(field("child", 21, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, ".test.AllTypes"));
        message.addField(field("children", 121, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".test.AllTypes"));

        List<Type> values = List.of(Type.TYPE_STRING, Type.TYPE_INT64, Type.TYPE_BOOL, Type.TYPE_DOUBLE,
                Type.TYPE_ENUM, Type.TYPE_MESSAGE, Type.TYPE_BYTES, Type.TYPE_FLOAT, Type.TYPE_UINT64,
                Type.TYPE_INT32, Type.TYPE_UINT32, Type.TYPE_SINT64);
        number = 200;
        for (int i = 0; i < MAP_KEYS.size(); i++) {
            Type key = MAP_KEYS.get(i);
            Type value = values.get(i);
            String valueType = value == Type.TYPE_ENUM ? ".test.Color" : value == Type.TYPE_MESSAGE ? ".test.AllTypes" : null;
            addMap(message, "m_" + key.name().substring(5).toLowerCase(), number++, key, value, valueType);
        }
        addMap(message, "m_string_enum", number++, Type.TYPE_STRING, Type.TYPE_ENUM, ".test.Color");
        addMap(message, "m_string_value", number++, Type.TYPE_STRING, Type.TYPE_MESSAGE, ".google.protobuf.Value");
        addMap(message, "m_string_null", number, Type.TYPE_STRING, Type.TYPE_ENUM, ".google.protobuf.NullValue");

        message.addOneofDecl(OneofDescriptorProto.newBuilder().setName("choice"));
        message.addField(field("o_string", 300, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null).setOneofIndex(0));
        message.addField(field("o_int64", 301, Type.TYPE_INT64, Label.LABEL_OPTIONAL, null).setOneofIndex(0));
        message.addField(field("o_child", 302, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, ".test.AllTypes")
                .setOneofIndex(0));
        message.addField(field("o_enum", 303, Type.TYPE_ENUM, Label.LABEL_OPTIONAL, ".test.Color").setOneofIndex(0));
        message.addField(field("o_value", 304, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, ".google.protobuf.Value")
                .setOneofIndex(0));
        message.addOneofDecl(OneofDescriptorProto.newBuilder().setName("_p_int32"));
        message.addField(field("p_int32", 310, Type.TYPE_INT32, Label.LABEL_OPTIONAL, null)
                .setProto3Optional(true).setOneofIndex(1));
        message.addOneofDecl(OneofDescriptorProto.newBuilder().setName("_p_string"));
        message.addField(field("p_string", 311, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null)
                .setProto3Optional(true).setOneofIndex(2));
        message.addField(field("custom_named", 320, Type.TYPE_STRING, Label.LABEL_OPTIONAL, null)
                .setJsonName("renamedField"));

        String[][] wellKnown = {
            {"timestamp", "Timestamp"}, {"duration", "Duration"}, {"struct", "Struct"}, {"value", "Value"},
            {"list_value", "ListValue"}, {"bool_value", "BoolValue"}, {"int32_value", "Int32Value"},
            {"int64_value", "Int64Value"}, {"uint32_value", "UInt32Value"}, {"uint64_value", "UInt64Value"},
            {"float_value", "FloatValue"}, {"double_value", "DoubleValue"}, {"string_value", "StringValue"},
            {"bytes_value", "BytesValue"}, {"field_mask", "FieldMask"},
        };
        number = 400;
        for (String[] type : wellKnown) {
            message.addField(field("w_" + type[0], number++, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL,
                    ".google.protobuf." + type[1]));
        }
        message.addField(field("r_values", number++, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, ".google.protobuf.Value"));
        message.addField(field("r_timestamps", number++, Type.TYPE_MESSAGE, Label.LABEL_REPEATED,
                ".google.protobuf.Timestamp"));
        message.addField(field("null_value", number++, Type.TYPE_ENUM, Label.LABEL_OPTIONAL,
                ".google.protobuf.NullValue"));
        message.addField(field("r_null_values", number, Type.TYPE_ENUM, Label.LABEL_REPEATED,
                ".google.protobuf.NullValue"));

        EnumDescriptorProto color = EnumDescriptorProto.newBuilder().setName("Color")
                .addValue(EnumValueDescriptorProto.newBuilder().setName("COLOR_UNSPECIFIED").setNumber(0))
                .addValue(EnumValueDescriptorProto.newBuilder().setName("RED").setNumber(1))
                .addValue(EnumValueDescriptorProto.newBuilder().setName("GREEN").setNumber(2))
                .addValue(EnumValueDescriptorProto.newBuilder().setName("BLUE").setNumber(-7))
                .build();
        List<FileDescriptor> imports = List.of(Timestamp.getDescriptor().getFile(), Duration.getDescriptor().getFile(),
                Struct.getDescriptor().getFile(), Int32Value.getDescriptor().getFile(),
                FieldMask.getDescriptor().getFile());
        FileDescriptorProto.Builder file = FileDescriptorProto.newBuilder().setName("test/all_types.proto")
                .setPackage("test").setSyntax("proto3").addEnumType(color).addMessageType(message);
        imports.forEach(i -> file.addDependency(i.getName()));
        FileDescriptor built = FileDescriptor.buildFrom(file.build(), imports.toArray(new FileDescriptor[0]));
        if (Value.getDescriptor().getFile() != Struct.getDescriptor().getFile()) {
            throw new IllegalStateException("Value is expected in struct.proto");
        }
        return built.findMessageTypeByName("AllTypes");
    }

    private static Descriptor closed() throws DescriptorValidationException {
        DescriptorProto.Builder message = DescriptorProto.newBuilder().setName("Closed")
                .addField(field("c", 1, Type.TYPE_ENUM, Label.LABEL_OPTIONAL, ".test2.Level"))
                .addField(field("cs", 2, Type.TYPE_ENUM, Label.LABEL_REPEATED, ".test2.Level"))
                .addField(field("i", 3, Type.TYPE_INT32, Label.LABEL_OPTIONAL, null))
                .addField(field("nested", 4, Type.TYPE_MESSAGE, Label.LABEL_OPTIONAL, ".test2.Closed"));
        addMap(message, "cm", 5, Type.TYPE_STRING, Type.TYPE_ENUM, ".test2.Level");
        EnumDescriptorProto level = EnumDescriptorProto.newBuilder().setName("Level")
                .addValue(EnumValueDescriptorProto.newBuilder().setName("LOW").setNumber(1))
                .addValue(EnumValueDescriptorProto.newBuilder().setName("HIGH").setNumber(2))
                .build();
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("test2/closed.proto")
                .setPackage("test2").setSyntax("proto2").addEnumType(level).addMessageType(message).build();
        return FileDescriptor.buildFrom(file, new FileDescriptor[0]).findMessageTypeByName("Closed");
    }

    private static void addMap(DescriptorProto.Builder message, String name, int number, Type key, Type value,
            String valueType) {
        String entry = Character.toUpperCase(name.charAt(0)) + name.substring(1).replace("_", "") + "Entry";
        message.addNestedType(DescriptorProto.newBuilder().setName(entry)
                .setOptions(MessageOptions.newBuilder().setMapEntry(true))
                .addField(field("key", 1, key, Label.LABEL_OPTIONAL, null))
                .addField(field("value", 2, value, Label.LABEL_OPTIONAL, valueType)));
        String scope = message.getName().equals("Closed") ? ".test2.Closed." : ".test.AllTypes.";
        message.addField(field(name, number, Type.TYPE_MESSAGE, Label.LABEL_REPEATED, scope + entry));
    }

    private static FieldDescriptorProto.Builder field(String name, int number, Type type, Label label,
            String typeName) {
        FieldDescriptorProto.Builder field = FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
                .setType(type).setLabel(label);
        if (typeName != null) {
            field.setTypeName(typeName);
        }
        return field;
    }
}
