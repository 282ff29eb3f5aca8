package io.github.agentlifecycle.livekit;

import io.github.agentlifecycle.core.Require;

/**
 * A LiveKit API key and its secret. The secret never appears in {@link #toString()}.
 *
 * @param apiKey the API key (the {@code iss} of every token signed with it)
 * @param apiSecret the secret tokens and webhooks are signed with
 */
public record LiveKitCredentials(String apiKey, String apiSecret) {
    /** Validates both values: not blank, no control characters. */
    public LiveKitCredentials {
        Require.name(apiKey, "apiKey");
        Require.nonNull(apiSecret, "apiSecret");
        if (apiSecret.isBlank()) {
            throw new IllegalArgumentException("apiSecret must not be blank");
        }
    }

    @Override
    public String toString() {
        return "LiveKitCredentials{apiKey=" + apiKey + ", apiSecret=***}";
    }
}
