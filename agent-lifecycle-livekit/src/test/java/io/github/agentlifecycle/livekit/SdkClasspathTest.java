package io.github.agentlifecycle.livekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.livekit.testing.FakeLiveKitServer;
import io.livekit.server.RoomServiceClient;
import java.util.Collections;
import java.util.List;
import livekit.LivekitModels.Room;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import retrofit2.Response;

/**
 * The LiveKit SDK's HTTP stack resolves to one okhttp (5, {@code okhttp-jvm}): with okhttp 4 on the class path as
 * well, the SDK's logging mode fails with {@code NoSuchMethodError}.
 */
class SdkClasspathTest {
    private final FakeLiveKitServer liveKit = FakeLiveKitServer.start();

    @AfterEach
    void close() {
        liveKit.close();
    }

    @Test
    void sdkCallsWorkWithHttpLoggingEnabled() throws Exception {
        liveKit.addRoom("hall", "RM_hall");
        RoomServiceClient client = RoomServiceClient.Companion.create(liveKit.url(), FakeLiveKitServer.API_KEY,
                FakeLiveKitServer.API_SECRET, true);
        Response<List<Room>> response = client.listRooms().execute();
        assertThat(response.isSuccessful()).isTrue();
        assertThat(response.body()).extracting(Room::getName).containsExactly("hall");
    }

    @Test
    void onlyOneOkHttpIsOnTheClassPath() throws Exception {
        assertThat(okhttp3.OkHttpClient.class.getProtectionDomain().getCodeSource().getLocation().toString())
                .contains("okhttp-jvm-5.");
        assertThat(Collections.list(SdkClasspathTest.class.getClassLoader().getResources("okhttp3/OkHttp.class")))
                .hasSize(1);
    }
}
