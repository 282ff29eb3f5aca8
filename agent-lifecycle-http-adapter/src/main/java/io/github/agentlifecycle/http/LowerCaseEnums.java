package io.github.agentlifecycle.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.Serializers;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.Locale;

/**
 * How the API writes an enum constant: its name in lower case, whatever the default locale, for example {@code
 * grace_period}. As a Jackson module it writes every enum that way, as a value and as a map key.
 */
final class LowerCaseEnums extends SimpleModule {
    private static final long serialVersionUID = 1L;

    LowerCaseEnums() {
        super(LowerCaseEnums.class.getSimpleName());
    }

    /** {@code value}'s name in lower case. */
    static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void setupModule(SetupContext context) {
        super.setupModule(context);
        context.addSerializers(new ForEnums(new LowerCaseName(false)));
        context.addKeySerializers(new ForEnums(new LowerCaseName(true)));
    }

    private static final class ForEnums extends Serializers.Base {
        private final JsonSerializer<Enum<?>> serializer;

        ForEnums(JsonSerializer<Enum<?>> serializer) {
            this.serializer = serializer;
        }

        @Override
        public JsonSerializer<?> findSerializer(SerializationConfig config, JavaType type, BeanDescription beanDesc) {
            return type.isEnumType() ? serializer : null;
        }
    }

    /** Writes the lower-case name as a string value, or as a field name where the enum is a map key. */
    private static final class LowerCaseName extends StdSerializer<Enum<?>> {
        private static final long serialVersionUID = 1L;
        private final boolean asKey;

        LowerCaseName(boolean asKey) {
            super(Enum.class, false);
            this.asKey = asKey;
        }

        @Override
        public void serialize(Enum<?> value, JsonGenerator generator, SerializerProvider provider)
                throws IOException {
            if (asKey) {
                generator.writeFieldName(name(value));
            } else {
                generator.writeString(name(value));
            }
        }
    }
}
