package io.github.agentlifecycle.livekit;

import com.google.protobuf.InvalidProtocolBufferException;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.jspecify.annotations.Nullable;

/**
 * Converts the text of a JSON scalar (a string's content, a number's literal, {@code true} or {@code false}) to the
 * value of a protobuf field with the rules of protobuf's {@code JsonFormat} parser:
 * <ul>
 *   <li>integers from numbers or strings, through {@link Integer#parseInt} or {@link Long#parseLong} and else as an
 *       exact decimal, so {@code "1.0"} and {@code "1e2"} are integers and {@code 1.5} is not; values outside the
 *       type's range are rejected, unsigned types reject negative values;</li>
 *   <li>{@code float} through {@link Double#parseDouble}, {@code double} as a decimal, both range-checked with a
 *       tolerance of one part in a million, and both accepting {@code "NaN"}, {@code "Infinity"} and
 *       {@code "-Infinity"};</li>
 *   <li>{@code bool} from the text {@code true} or {@code false}, quoted or not.</li>
 * </ul>
 * One difference: a text longer than {@value #MAX_DECIMAL_LENGTH} characters is never read as an exact decimal
 * (JsonFormat would, at a cost that grows with the square of the length), so such numbers are rejected. Stateless.
 */
final class ProtoJsonScalars {
    /** The longest text read as an exact decimal; Jackson's own limit for the length of a JSON number. */
    static final int MAX_DECIMAL_LENGTH = 1000;

    private static final double FLOAT_LIMIT = Float.MAX_VALUE * (1.0 + 1e-6);
    private static final BigDecimal DOUBLE_MAX =
            new BigDecimal(String.valueOf(Double.MAX_VALUE)).multiply(new BigDecimal(String.valueOf(1.0 + 1e-6)));
    private static final BigDecimal DOUBLE_MIN = DOUBLE_MAX.negate();
    private static final BigInteger UINT32_MAX = BigInteger.valueOf(0xFFFF_FFFFL);
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    /** Integer digits beyond which a decimal exceeds every 64-bit range. */
    private static final int MAX_INTEGER_DIGITS = 20;

    private ProtoJsonScalars() {}

    static int int32(String text) throws InvalidProtocolBufferException {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            // may still be an integral decimal such as 1.0 or 1e2
        }
        BigDecimal decimal = decimal(text);
        try {
            if (decimal != null) {
                return decimal.intValueExact();
            }
        } catch (ArithmeticException e) {
            // fractional or out of range
        }
        throw new InvalidProtocolBufferException("Not an int32 value: " + quote(text));
    }

    /**
     * Whether {@code length} characters at {@code offset} are an optional minus and 1 to 18 ASCII digits, which
     * {@link #shortDecimal} reads as {@link Long#parseLong} would, without making a string.
     */
    static boolean isShortDecimal(char[] chars, int offset, int length) {
        int start = length > 0 && chars[offset] == '-' ? 1 : 0;
        if (length - start < 1 || length - start > 18) {
            return false;
        }
        for (int i = offset + start; i < offset + length; i++) {
            if (chars[i] < '0' || chars[i] > '9') {
                return false;
            }
        }
        return true;
    }

    /** The value of a text {@link #isShortDecimal} accepts. */
    static long shortDecimal(char[] chars, int offset, int length) {
        boolean negative = chars[offset] == '-';
        long value = 0;
        for (int i = offset + (negative ? 1 : 0); i < offset + length; i++) {
            value = value * 10 + (chars[i] - '0');
        }
        return negative ? -value : value;
    }

    static long int64(String text) throws InvalidProtocolBufferException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            // may still be an integral decimal such as 1.0 or 1e2
        }
        BigDecimal decimal = decimal(text);
        try {
            if (decimal != null) {
                return decimal.longValueExact();
            }
        } catch (ArithmeticException e) {
            // fractional or out of range
        }
        throw new InvalidProtocolBufferException("Not an int64 value: " + quote(text));
    }

    static int uint32(String text) throws InvalidProtocolBufferException {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            BigInteger integral = integral(text, "uint32");
            if (integral.signum() < 0 || integral.compareTo(UINT32_MAX) > 0) {
                throw outOfRange("uint32", text);
            }
            return integral.intValue();
        }
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw outOfRange("uint32", text);
        }
        return (int) value;
    }

    static long uint64(String text) throws InvalidProtocolBufferException {
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw outOfRange("uint64", text);
            }
            return value;
        } catch (NumberFormatException e) {
            // above Long.MAX_VALUE, or a decimal form
        }
        BigInteger integral = integral(text, "uint64");
        if (integral.signum() < 0 || integral.compareTo(UINT64_MAX) > 0) {
            throw outOfRange("uint64", text);
        }
        return integral.longValue();
    }

    static float float32(String text) throws InvalidProtocolBufferException {
        switch (text) {
            case "NaN":
                return Float.NaN;
            case "Infinity":
                return Float.POSITIVE_INFINITY;
            case "-Infinity":
                return Float.NEGATIVE_INFINITY;
            default:
                break;
        }
        double value;
        try {
            value = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new InvalidProtocolBufferException("Not a float value: " + quote(text));
        }
        if (value > FLOAT_LIMIT || value < -FLOAT_LIMIT) {
            throw outOfRange("float", text);
        }
        return (float) value;
    }

    static double float64(String text) throws InvalidProtocolBufferException {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "Infinity":
                return Double.POSITIVE_INFINITY;
            case "-Infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                break;
        }
        BigDecimal decimal = decimal(text);
        if (decimal == null) {
            throw new InvalidProtocolBufferException("Not a double value: " + quote(text));
        }
        if (decimal.compareTo(DOUBLE_MAX) > 0 || decimal.compareTo(DOUBLE_MIN) < 0) {
            throw outOfRange("double", text);
        }
        return decimal.doubleValue();
    }

    static boolean bool(String text) throws InvalidProtocolBufferException {
        if (text.equals("true")) {
            return true;
        }
        if (text.equals("false")) {
            return false;
        }
        throw new InvalidProtocolBufferException("Invalid bool value: " + quote(text));
    }

    /** {@code text} in quotes for an error message, shortened when long. */
    static String quote(String text) {
        return '"' + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + '"';
    }

    private static @Nullable BigDecimal decimal(String text) {
        if (text.length() > MAX_DECIMAL_LENGTH) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The integer {@code text} writes in decimal form, checking the size first so 1e999999999 costs nothing. */
    private static BigInteger integral(String text, String type) throws InvalidProtocolBufferException {
        BigDecimal decimal = decimal(text);
        if (decimal == null) {
            throw new InvalidProtocolBufferException("Not an " + type + " value: " + quote(text));
        }
        if (decimal.signum() == 0) {
            return BigInteger.ZERO;
        }
        int integerDigits = decimal.precision() - decimal.scale();
        if (integerDigits <= 0) {
            throw new InvalidProtocolBufferException("Not an " + type + " value: " + quote(text));
        }
        if (integerDigits > MAX_INTEGER_DIGITS) {
            throw outOfRange(type, text);
        }
        try {
            return decimal.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new InvalidProtocolBufferException("Not an " + type + " value: " + quote(text));
        }
    }

    private static InvalidProtocolBufferException outOfRange(String type, String text) {
        return new InvalidProtocolBufferException("Out of range " + type + " value: " + quote(text));
    }
}
