package io.github.agentlifecycle.livekit;

import java.io.IOException;
import java.time.Duration;
import okhttp3.OkHttpClient;
import retrofit2.Call;
import retrofit2.Response;

/**
 * Runs LiveKit SDK calls, turning non-2xx answers (which the SDK does not throw) into exceptions, on HTTP clients
 * whose every call ends within a deadline: OkHttp's default has none for a whole call, so a LiveKit server that
 * accepts a connection and then answers byte by byte, or not at all, would hold the calling thread for ever.
 */
final class LiveKitCalls {
    /** How long one LiveKit API call may take, connecting, sending and reading the answer, by default. */
    static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

    private LiveKitCalls() {}

    /**
     * An HTTP client for the SDK whose calls fail after {@code callTimeout}.
     *
     * @param retryOnConnectionFailure whether OkHttp may silently send a request again on a new connection (false
     *     for calls that must not happen twice)
     */
    static OkHttpClient client(Duration callTimeout, boolean retryOnConnectionFailure) {
        return new OkHttpClient.Builder()
                .callTimeout(callTimeout)
                .connectTimeout(callTimeout)
                .readTimeout(callTimeout)
                .writeTimeout(callTimeout)
                .retryOnConnectionFailure(retryOnConnectionFailure)
                .build();
    }

    /** Executes {@code call}; throws {@link IOException} naming {@code what} on a network error or non-2xx answer. */
    static <T> T execute(Call<T> call, String what) throws IOException {
        Response<T> response;
        try {
            response = call.execute();
        } catch (IOException e) {
            throw new IOException(what + " failed: " + e.getMessage(), e);
        }
        if (!response.isSuccessful()) {
            throw new IOException("LiveKit answered HTTP " + response.code() + " to " + what);
        }
        return response.body();
    }
}
