package io.github.agentlifecycle.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.agentlifecycle.core.AgentState;
import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.EventOutcome;
import io.github.agentlifecycle.core.MaintenanceReport;
import io.github.agentlifecycle.core.ManagerState;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.ParticipantRole;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.core.RoomState;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The exact JSON the API writes for the core's records and its own views: field names and order, enums in lower
 * case (in any default locale), instants as ISO-8601 strings, durations in milliseconds, which nulls are written.
 */
class ApiJsonTest {
    private static final Instant CREATED = Instant.parse("2030-01-01T00:00:00Z");

    static String data(Object data) {
        String json = new String(ApiJson.ok(data).body(), StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"success\":true,\"data\":").endsWith("}");
        return json.substring("{\"success\":true,\"data\":".length(), json.length() - 1);
    }

    static RoomSnapshot room(List<RoomEvent.Participant> participants, AgentState agentState,
            @Nullable String agentIdentity, @Nullable Duration graceRemaining) {
        return new RoomSnapshot("room-a", RoomState.GRACE_PERIOD, agentIdentity == null ? null : "RM_1", 1,
                participants.size(), participants, agentIdentity != null, agentState, agentIdentity,
                agentIdentity == null ? null : 4242L, 3, CREATED, Instant.parse("2030-01-01T00:00:01.500Z"),
                graceRemaining);
    }

    @Test
    void enumsAreWrittenInLowerCaseAsValuesAndAsMapKeysWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        try {
            Map<WebhookException.Reason, AgentState> map = new EnumMap<>(WebhookException.Reason.class);
            map.put(WebhookException.Reason.INVALID_TOKEN, AgentState.FAILED);
            assertThat(data(List.of(RoomState.GRACE_PERIOD, AgentState.FAILED, map)))
                    .isEqualTo("[\"grace_period\",\"failed\",{\"invalid_token\":\"failed\"}]");
            assertThat(LowerCaseEnums.name(WebhookException.Reason.MISSING_AUTHORIZATION))
                    .isEqualTo("missing_authorization");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void aRoomIsWrittenWithEveryFieldInTheContractsOrder() {
        List<RoomEvent.Participant> participants = List.of(
                new RoomEvent.Participant("PA_1", "alice", ParticipantRole.HUMAN),
                new RoomEvent.Participant("PA_2", "ai-agent-1", ParticipantRole.AGENT));
        assertThat(data(room(participants, AgentState.READY, "ai-agent-1", Duration.ofNanos(59_999_999_999L))))
                .isEqualTo("{\"roomName\":\"room-a\",\"state\":\"grace_period\",\"humanCount\":1,"
                        + "\"participantCount\":2,\"hasAgent\":true,\"agentIdentity\":\"ai-agent-1\","
                        + "\"agentState\":\"ready\",\"agentPid\":4242,\"agentRestarts\":3,\"roomInstanceId\":\"RM_1\","
                        + "\"createdAt\":\"2030-01-01T00:00:00Z\",\"lastActivity\":\"2030-01-01T00:00:01.500Z\","
                        + "\"graceRemaining\":59999,\"participants\":["
                        + "{\"sessionId\":\"PA_1\",\"identity\":\"alice\",\"role\":\"human\"},"
                        + "{\"sessionId\":\"PA_2\",\"identity\":\"ai-agent-1\",\"role\":\"agent\"}]}");
    }

    @Test
    void aRoomsUnknownValuesAreWrittenAsNull() {
        assertThat(data(room(List.of(), AgentState.NONE, null, null)))
                .contains("\"hasAgent\":false,\"agentIdentity\":null,\"agentState\":\"none\",\"agentPid\":null,")
                .contains("\"roomInstanceId\":null,")
                .endsWith("\"graceRemaining\":null,\"participants\":[]}");
    }

    @Test
    void statsWriteTheDocumentedTotalsFirstThenTheRestThenTheWebhookCounters() {
        ManagerStats stats = new ManagerStats(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                21, 22, 23, ManagerState.DRAINING, 24, 25, 26, 27);
        Map<WebhookException.Reason, Long> rejected = new EnumMap<>(WebhookException.Reason.class);
        rejected.put(WebhookException.Reason.MISSING_AUTHORIZATION, 1L);
        rejected.put(WebhookException.Reason.MALFORMED_BODY, 2L);
        assertThat(data(new ApiViews.Stats(stats, Map.of("track_published", 5L), rejected)))
                .isEqualTo("{\"totalRooms\":1,\"activeRooms\":2,\"roomsInGrace\":3,\"totalAgents\":7,"
                        + "\"totalParticipants\":11,\"startingRooms\":4,\"emptyRooms\":5,\"closingRooms\":6,"
                        + "\"readyAgents\":8,\"queuedRooms\":9,\"failedAgents\":10,\"totalHumans\":12,"
                        + "\"maxTotalAgents\":13,\"eventsApplied\":14,\"eventsDuplicate\":15,\"eventsIgnored\":16,"
                        + "\"eventsRefused\":17,\"agentLaunches\":18,\"agentLaunchFailures\":19,\"agentCrashes\":20,"
                        + "\"agentRestarts\":21,\"roomsClosed\":22,\"orphansReaped\":23,"
                        + "\"state\":\"draining\",\"hostedAgents\":24,\"idleAgents\":25,\"warmLaunches\":26,"
                        + "\"coldLaunches\":27,"
                        + "\"webhooksUnused\":{\"track_published\":5},"
                        + "\"webhooksRejected\":{\"missing_authorization\":1,\"malformed_body\":2}}");
    }

    @Test
    void aMaintenanceReportIsWrittenInItsRecordsOrder() {
        assertThat(data(new MaintenanceReport(1, 2, 3, 4, 5))).isEqualTo("{\"roomsChecked\":1,\"timersRepaired\":2,"
                + "\"orphansStopped\":3,\"deadAgents\":4,\"roomsClosing\":5}");
    }

    @Test
    void theAgentOfATokenAnswerHasStateAndIdentityOnlyWhenTheRoomIsTrackedAndAMessageOnlyWhenThereIsOne() {
        TokenIssuer.IssuedToken token = new TokenIssuer.IssuedToken("jwt", "room-a", "alice", "client", CREATED);
        String prefix = "{\"token\":\"jwt\",\"url\":\"wss://lk\",\"roomName\":\"room-a\",\"participantIdentity\":"
                + "\"alice\",\"agent\":";
        RoomSnapshot launching = room(List.of(), AgentState.LAUNCHING, "ai-agent-1", null);
        assertThat(data(ApiViews.token(token, "wss://lk", new EnsureResult(EnsureResult.Status.LAUNCHED, launching,
                null)))).isEqualTo(prefix + "{\"status\":\"launched\",\"state\":\"launching\",\"identity\":"
                + "\"ai-agent-1\"}}");
        RoomSnapshot queued = room(List.of(), AgentState.QUEUED, null, null);
        assertThat(data(ApiViews.token(token, "wss://lk", new EnsureResult(EnsureResult.Status.QUEUED, queued,
                null)))).isEqualTo(prefix + "{\"status\":\"queued\",\"state\":\"queued\",\"identity\":null}}");
        assertThat(data(ApiViews.token(token, "wss://lk", new EnsureResult(EnsureResult.Status.REJECTED, null,
                "too many rooms")))).isEqualTo(prefix + "{\"status\":\"rejected\",\"message\":\"too many rooms\"}}");
    }

    @Test
    void aWebhookResultWithoutOutcomeIsUnused() {
        assertThat(data(new LiveKitWebhooks.Result("participant_joined", "EV_1", EventOutcome.APPLIED)))
                .isEqualTo("{\"event\":\"participant_joined\",\"eventId\":\"EV_1\",\"outcome\":\"applied\"}");
        assertThat(data(new LiveKitWebhooks.Result("track_published", null, null)))
                .isEqualTo("{\"event\":\"track_published\",\"eventId\":null,\"outcome\":\"unused\"}");
    }

    @Test
    void closingAndErrorsAreWrittenInAFixedOrder() {
        assertThat(data(new ApiViews.Closing("room-a", true))).isEqualTo("{\"roomName\":\"room-a\",\"closing\":true}");
        ApiResponse error = new ApiError(405, "method_not_allowed", "use GET", Map.of("Allow", "GET")).response();
        assertThat(new String(error.body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"success\":false,\"error\":{\"code\":\"method_not_allowed\",\"message\":\"use GET\"}}");
        assertThat(error.headers()).containsExactlyInAnyOrderEntriesOf(Map.of("Allow", "GET",
                "Content-Type", "application/json; charset=utf-8", "Cache-Control", "no-store"));
    }
}
