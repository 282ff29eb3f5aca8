package io.github.agentlifecycle.http;

import java.util.Locale;

/** How the API writes an enum constant: its name in lower case, for example {@code grace_period}. */
final class LowerCaseEnums {
    private LowerCaseEnums() {}

    /** {@code value}'s name in lower case, whatever the default locale. */
    static String name(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
