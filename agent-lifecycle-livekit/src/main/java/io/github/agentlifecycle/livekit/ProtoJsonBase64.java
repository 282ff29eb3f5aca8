package io.github.agentlifecycle.livekit;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Decodes the base64 text of a protobuf JSON {@code bytes} value with the rules protobuf's {@code JsonFormat}
 * applies (through Guava's {@code BaseEncoding}): the standard alphabet, or failing that the URL-safe one; any
 * number of trailing {@code =} ignored, so padding is optional; a length of 1 modulo 4 without them is invalid; no
 * whitespace or other characters; bits past the last whole byte ignored. Stateless.
 */
final class ProtoJsonBase64 {
    private static final byte[] STANDARD = decodingTable('+', '/');
    private static final byte[] URL_SAFE = decodingTable('-', '_');

    private ProtoJsonBase64() {}

    /**
     * The bytes {@code text} encodes.
     *
     * @throws InvalidProtocolBufferException if it is base64 in neither alphabet
     */
    static byte[] decode(String text) throws InvalidProtocolBufferException {
        byte[] bytes = decode(text, STANDARD);
        if (bytes == null) {
            bytes = decode(text, URL_SAFE);
        }
        if (bytes == null) {
            throw new InvalidProtocolBufferException("Not a base64 value: " + ProtoJsonScalars.quote(text));
        }
        return bytes;
    }

    private static byte @Nullable [] decode(String text, byte[] table) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '=') {
            end--;
        }
        int tail = end % 4;
        if (tail == 1) {
            return null;
        }
        byte[] out = new byte[end / 4 * 3 + (tail == 0 ? 0 : tail - 1)];
        int written = 0;
        int bits = 0;
        int chars = 0;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            int sextet = c < table.length ? table[c] : -1;
            if (sextet < 0) {
                return null;
            }
            bits = bits << 6 | sextet;
            if (++chars == 4) {
                out[written++] = (byte) (bits >> 16);
                out[written++] = (byte) (bits >> 8);
                out[written++] = (byte) bits;
                bits = 0;
                chars = 0;
            }
        }
        if (chars == 2) {
            out[written] = (byte) (bits >> 4);
        } else if (chars == 3) {
            out[written++] = (byte) (bits >> 10);
            out[written] = (byte) (bits >> 2);
        }
        return out;
    }

    private static byte[] decodingTable(char index62, char index63) {
        byte[] table = new byte[128];
        Arrays.fill(table, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + index62 + index63;
        for (int i = 0; i < alphabet.length(); i++) {
            table[alphabet.charAt(i)] = (byte) i;
        }
        return table;
    }
}
