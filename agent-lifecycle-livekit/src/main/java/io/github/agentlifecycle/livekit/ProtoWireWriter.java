package io.github.agentlifecycle.livekit;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.util.Arrays;

/**
 * Writes one protobuf message in the binary wire format into a growing array: fields as tag and value, nested
 * messages (and map entries) length-delimited, their length written when they end, groups between start and end
 * tags. Strings are encoded to UTF-8 here and must be valid Unicode. Not thread-safe: one per message written.
 */
final class ProtoWireWriter {
    private byte[] bytes;
    private int position;
    private int[] nestedStarts = new int[8];
    private int nesting;

    ProtoWireWriter(int expectedSize) {
        this.bytes = new byte[Math.max(64, expectedSize)];
    }

    /** How much has been written, for {@link #truncate}. */
    int position() {
        return position;
    }

    /** Forgets everything written since {@link #position()} was {@code mark} and {@link #nesting()} {@code nestingAtMark}. */
    void truncate(int mark, int nestingAtMark) {
        position = mark;
        nesting = nestingAtMark;
    }

    /** How many nested messages are open, for {@link #truncate}. */
    int nesting() {
        return nesting;
    }

    /** The message written, to be merged into a builder. */
    CodedInputStream input(int recursionLimit) {
        CodedInputStream input = CodedInputStream.newInstance(bytes, 0, position);
        input.setRecursionLimit(recursionLimit);
        return input;
    }

    /** Begins a nested message (or map entry) in field {@code number}; {@link #endNested()} ends it. */
    void beginNested(int number) {
        writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        if (nesting == nestedStarts.length) {
            nestedStarts = Arrays.copyOf(nestedStarts, nesting * 2);
        }
        ensure(1);
        position++;
        nestedStarts[nesting++] = position;
    }

    /** Ends the innermost nested message, writing its length before it. */
    void endNested() {
        int start = nestedStarts[--nesting];
        int length = position - start;
        int lengthSize = varint32Size(length);
        if (lengthSize > 1) {
            ensure(lengthSize - 1);
            System.arraycopy(bytes, start, bytes, start + lengthSize - 1, length);
            position += lengthSize - 1;
        }
        int at = start - 1;
        int value = length;
        while ((value & ~0x7F) != 0) {
            bytes[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[at] = (byte) value;
    }

    void beginGroup(int number) {
        writeTag(number, WireFormat.WIRETYPE_START_GROUP);
    }

    void endGroup(int number) {
        writeTag(number, WireFormat.WIRETYPE_END_GROUP);
    }

    /** A 32-bit integer field of any encoding ({@code int32}, {@code sint32}, {@code fixed32}...) or an enum. */
    void writeInt(FieldDescriptor.Type type, int number, int value) {
        switch (type) {
            case INT32:
            case ENUM:
                writeTag(number, WireFormat.WIRETYPE_VARINT);
                writeVarint64(value);
                break;
            case UINT32:
                writeTag(number, WireFormat.WIRETYPE_VARINT);
                writeVarint64(value & 0xFFFF_FFFFL);
                break;
            case SINT32:
                writeTag(number, WireFormat.WIRETYPE_VARINT);
                writeVarint64((value << 1 ^ value >> 31) & 0xFFFF_FFFFL);
                break;
            case FIXED32:
            case SFIXED32:
                writeTag(number, WireFormat.WIRETYPE_FIXED32);
                writeFixed32(value);
                break;
            default:
                throw new IllegalArgumentException("not a 32-bit integer type: " + type);
        }
    }

    /** A 64-bit integer field of any encoding. */
    void writeLong(FieldDescriptor.Type type, int number, long value) {
        switch (type) {
            case INT64:
            case UINT64:
                writeTag(number, WireFormat.WIRETYPE_VARINT);
                writeVarint64(value);
                break;
            case SINT64:
                writeTag(number, WireFormat.WIRETYPE_VARINT);
                writeVarint64(value << 1 ^ value >> 63);
                break;
            case FIXED64:
            case SFIXED64:
                writeTag(number, WireFormat.WIRETYPE_FIXED64);
                writeFixed64(value);
                break;
            default:
                throw new IllegalArgumentException("not a 64-bit integer type: " + type);
        }
    }

    void writeFloat(int number, float value) {
        writeTag(number, WireFormat.WIRETYPE_FIXED32);
        writeFixed32(Float.floatToRawIntBits(value));
    }

    void writeDouble(int number, double value) {
        writeTag(number, WireFormat.WIRETYPE_FIXED64);
        writeFixed64(Double.doubleToRawLongBits(value));
    }

    void writeBool(int number, boolean value) {
        writeTag(number, WireFormat.WIRETYPE_VARINT);
        ensure(1);
        bytes[position++] = (byte) (value ? 1 : 0);
    }

    void writeBytes(int number, byte[] value) {
        writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        writeVarint64(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, bytes, position, value.length);
        position += value.length;
    }

    /**
     * A string field from {@code length} characters of {@code chars} at {@code offset}.
     *
     * @throws InvalidProtocolBufferException if they hold an unpaired surrogate, which UTF-8 cannot encode
     */
    void writeString(int number, char[] chars, int offset, int length) throws InvalidProtocolBufferException {
        int end = offset + length;
        int utf8Length = length;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c >= 0x80) {
                if (c < 0x800) {
                    utf8Length++;
                } else if (!Character.isSurrogate(c)) {
                    utf8Length += 2;
                } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(chars[i + 1])) {
                    utf8Length += 2;
                    i++;
                } else {
                    throw new InvalidProtocolBufferException("String has an unpaired surrogate");
                }
            }
        }
        writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        writeVarint64(utf8Length);
        ensure(utf8Length);
        byte[] out = bytes;
        int at = position;
        for (int i = offset; i < end; i++) {
            char c = chars[i];
            if (c < 0x80) {
                out[at++] = (byte) c;
            } else if (c < 0x800) {
                out[at++] = (byte) (0xC0 | c >> 6);
                out[at++] = (byte) (0x80 | c & 0x3F);
            } else if (!Character.isSurrogate(c)) {
                out[at++] = (byte) (0xE0 | c >> 12);
                out[at++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | c & 0x3F);
            } else {
                int codePoint = Character.toCodePoint(c, chars[++i]);
                out[at++] = (byte) (0xF0 | codePoint >> 18);
                out[at++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
                out[at++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | codePoint & 0x3F);
            }
        }
        position = at;
    }

    /** A string field from {@code value}; see {@link #writeString(int, char[], int, int)}. */
    void writeString(int number, String value) throws InvalidProtocolBufferException {
        writeString(number, value.toCharArray(), 0, value.length());
    }

    private void writeTag(int number, int wireType) {
        writeVarint64((number << 3 | wireType) & 0xFFFF_FFFFL);
    }

    private void writeVarint64(long value) {
        if ((value & ~0x7FL) == 0) {
            ensure(1);
            bytes[position++] = (byte) value;
            return;
        }
        ensure(10);
        byte[] out = bytes;
        int at = position;
        while ((value & ~0x7FL) != 0) {
            out[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[at++] = (byte) value;
        position = at;
    }

    private void writeFixed32(int value) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[position++] = (byte) (value >>> 8 * i);
        }
    }

    private void writeFixed64(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            bytes[position++] = (byte) (value >>> 8 * i);
        }
    }

    private void ensure(int more) {
        if (bytes.length - position < more) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, position + more));
        }
    }

    private static int varint32Size(int value) {
        int size = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }
}
