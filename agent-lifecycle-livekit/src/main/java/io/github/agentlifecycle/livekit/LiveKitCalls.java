package io.github.agentlifecycle.livekit;

import java.io.IOException;
import retrofit2.Call;
import retrofit2.Response;

/** Runs LiveKit SDK calls, turning non-2xx answers (which the SDK does not throw) into exceptions. */
final class LiveKitCalls {
    private LiveKitCalls() {}

    /** Executes {@code call}; throws {@link IOException} naming {@code what} on a network error or non-2xx answer. */
    static <T> T execute(Call<T> call, String what) throws IOException {
        Response<T> response = call.execute();
        if (!response.isSuccessful()) {
            throw new IOException("LiveKit answered HTTP " + response.code() + " to " + what);
        }
        return response.body();
    }
}
