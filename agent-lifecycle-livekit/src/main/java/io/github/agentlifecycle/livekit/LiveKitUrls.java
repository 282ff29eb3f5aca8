package io.github.agentlifecycle.livekit;

import java.util.Locale;

/** LiveKit server URLs: the API is served over HTTP(S) at the address clients reach over WebSocket. */
final class LiveKitUrls {
    private LiveKitUrls() {}

    /** {@code wss://host} becomes {@code https://host}, {@code ws://host} becomes {@code http://host}. */
    static String toHttp(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("wss://")) {
            return "https://" + url.substring(6);
        }
        if (lower.startsWith("ws://")) {
            return "http://" + url.substring(5);
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return url;
        }
        throw new IllegalArgumentException("url must start with http://, https://, ws:// or wss://");
    }
}
