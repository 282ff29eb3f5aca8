package io.github.agentlifecycle.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.agentlifecycle.core.AgentManager;
import java.util.Map;

/**
 * {@code POST /agent-report}: an agent, with the credential it was given at launch, reports that it is alive
 * (a heartbeat, which also marks it ready). A request without a valid credential changes nothing. Thread-safe.
 */
final class AgentReportRoute {
    private final AgentManager manager;

    AgentReportRoute(AgentManager manager) {
        this.manager = manager;
    }

    ApiResponse answer(ApiRequest request) {
        RequestFields.requireContentType(request, RequestFields.JSON_TYPE);
        String credential = Credentials.agentCredential(request);
        JsonNode body = RequestFields.jsonObject(request);
        String room = RequestFields.name(body, "roomName");
        String identity = RequestFields.name(body, "agentIdentity");
        Credentials.requireAgent(manager, room, identity, credential);
        return ApiJson.ok(Map.of("accepted", manager.heartbeat(room, identity)));
    }
}
