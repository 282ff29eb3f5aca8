package io.github.agentlifecycle.http;

import io.github.agentlifecycle.core.EnsureResult;
import io.github.agentlifecycle.core.MaintenanceReport;
import io.github.agentlifecycle.core.ManagerStats;
import io.github.agentlifecycle.core.RoomEvent;
import io.github.agentlifecycle.core.RoomSnapshot;
import io.github.agentlifecycle.livekit.LiveKitWebhooks;
import io.github.agentlifecycle.livekit.TokenIssuer;
import io.github.agentlifecycle.livekit.WebhookException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code data} of each successful answer. */
final class ApiViews {
    private ApiViews() {}

    static Object token(TokenIssuer.IssuedToken token, String livekitUrl, EnsureResult ensured) {
        Map<String, Object> agent = new LinkedHashMap<>();
        agent.put("status", ensured.status().jsonName());
        if (ensured.room() != null) {
            agent.put("state", ensured.room().agentState().jsonName());
            agent.put("identity", ensured.room().agentIdentity());
        }
        if (ensured.message() != null) {
            agent.put("message", ensured.message());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("token", token.jwt());
        data.put("url", livekitUrl);
        data.put("roomName", token.roomName());
        data.put("participantIdentity", token.participantIdentity());
        data.put("agent", agent);
        return data;
    }

    static Object webhook(LiveKitWebhooks.Result result) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("event", result.event());
        data.put("eventId", result.eventId());
        data.put("outcome", result.unused() ? "unused" : LowerCaseEnums.name(result.outcome()));
        return data;
    }

    static List<Object> rooms(List<RoomSnapshot> snapshots) {
        List<Object> rooms = new ArrayList<>();
        for (RoomSnapshot room : snapshots) {
            rooms.add(room(room));
        }
        return rooms;
    }

    static Object room(RoomSnapshot room) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("roomName", room.roomName());
        json.put("state", room.state().jsonName());
        json.put("humanCount", room.humanCount());
        json.put("participantCount", room.participantCount());
        json.put("hasAgent", room.hasAgent());
        json.put("agentIdentity", room.agentIdentity());
        json.put("agentState", room.agentState().jsonName());
        json.put("agentPid", room.agentPid());
        json.put("agentRestarts", room.agentRestarts());
        json.put("roomInstanceId", room.roomInstanceId());
        json.put("createdAt", room.createdAt().toString());
        json.put("lastActivity", room.lastActivity().toString());
        json.put("graceRemaining", room.graceRemaining() == null ? null : room.graceRemaining().toMillis());
        List<Object> participants = new ArrayList<>();
        for (RoomEvent.Participant participant : room.participants()) {
            participants.add(Map.of("sessionId", participant.sessionId(), "identity", participant.identity(),
                    "role", LowerCaseEnums.name(participant.role())));
        }
        json.put("participants", participants);
        return json;
    }

    static Object stats(ManagerStats s, Map<String, Long> unusedWebhooks,
            Map<WebhookException.Reason, Long> rejectedWebhooks) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("totalRooms", s.totalRooms());
        data.put("activeRooms", s.activeRooms());
        data.put("roomsInGrace", s.roomsInGrace());
        data.put("totalAgents", s.totalAgents());
        data.put("totalParticipants", s.totalParticipants());
        data.put("startingRooms", s.startingRooms());
        data.put("emptyRooms", s.emptyRooms());
        data.put("closingRooms", s.closingRooms());
        data.put("readyAgents", s.readyAgents());
        data.put("queuedRooms", s.queuedRooms());
        data.put("failedAgents", s.failedAgents());
        data.put("totalHumans", s.totalHumans());
        data.put("maxTotalAgents", s.maxTotalAgents());
        data.put("eventsApplied", s.eventsApplied());
        data.put("eventsDuplicate", s.eventsDuplicate());
        data.put("eventsIgnored", s.eventsIgnored());
        data.put("eventsRefused", s.eventsRefused());
        data.put("agentLaunches", s.agentLaunches());
        data.put("agentLaunchFailures", s.agentLaunchFailures());
        data.put("agentCrashes", s.agentCrashes());
        data.put("agentRestarts", s.agentRestarts());
        data.put("roomsClosed", s.roomsClosed());
        data.put("orphansReaped", s.orphansReaped());
        data.put("webhooksUnused", unusedWebhooks);
        Map<String, Long> rejected = new LinkedHashMap<>();
        rejectedWebhooks.forEach((reason, count) -> rejected.put(LowerCaseEnums.name(reason), count));
        data.put("webhooksRejected", rejected);
        return data;
    }

    static Object closing(String roomName) {
        return Map.of("roomName", roomName, "closing", true);
    }

    static Object maintenance(MaintenanceReport report) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("roomsChecked", report.roomsChecked());
        data.put("timersRepaired", report.timersRepaired());
        data.put("orphansStopped", report.orphansStopped());
        data.put("deadAgents", report.deadAgents());
        data.put("roomsClosing", report.roomsClosing());
        return data;
    }
}
