package io.github.agentlifecycle.livekit;

/**
 * The LiveKit video grants a token carries for its room.
 *
 * @param roomJoin may join the room
 * @param canPublish may publish tracks
 * @param canSubscribe may subscribe to tracks
 * @param canPublishData may send data messages
 * @param roomAdmin may administer the room (remove participants, mute, ...)
 */
public record Grants(boolean roomJoin, boolean canPublish, boolean canSubscribe, boolean canPublishData,
        boolean roomAdmin) {

    /** Join, publish, subscribe and publish data: what a client gets. */
    public static Grants participant() {
        return new Grants(true, true, true, true, false);
    }

    /** {@link #participant()} plus room administration: what a coach gets. */
    public static Grants admin() {
        return new Grants(true, true, true, true, true);
    }
}
