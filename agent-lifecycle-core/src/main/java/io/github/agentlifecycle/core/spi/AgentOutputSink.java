package io.github.agentlifecycle.core.spi;

/**
 * Receives the output of local agent processes, one line at a time, tagged with the room and the pid.
 *
 * <p>Called on one forwarding thread, never on the engine's thread, in the order lines were read per stream.
 * A slow sink does not slow the agents: lines that arrive while the forwarding queue is full are dropped and
 * counted (the next line delivered reports how many). Must be thread-safe only if shared between launchers.
 * Exceptions are caught and logged.
 */
@FunctionalInterface
public interface AgentOutputSink {

    /** Receives one line. */
    void accept(Line line);

    /** Which output stream a line came from. */
    enum Stream {
        /** Standard output. */
        STDOUT,
        /** Standard error. */
        STDERR
    }

    /**
     * One line of agent output.
     *
     * @param roomName the agent's room, or empty while an agent started ahead of need waits for one
     * @param agentIdentity the agent's identity, or empty while it waits for a room
     * @param pid the agent's process id
     * @param stream stdout or stderr
     * @param text the line without its terminator, cut to the configured maximum length
     * @param truncated whether the line was longer and was cut
     * @param droppedBefore lines of this agent dropped since the previous delivered line (the queue was full)
     */
    record Line(String roomName, String agentIdentity, long pid, Stream stream, String text, boolean truncated,
            long droppedBefore) {

        /**
         * The line as a log message: {@code [AI-Agent:room pid=123] text}, with cut and dropped lines noted. Control
         * characters other than tab (a carriage return, an escape sequence's ESC) and line separators in the text
         * become {@code ?}, so that what an agent prints cannot pass for a log line of its own or restyle the log.
         */
        public String format() {
            StringBuilder message = new StringBuilder(text.length() + roomName.length() + 48);
            if (droppedBefore > 0) {
                message.append("(").append(droppedBefore).append(" lines dropped) ");
            }
            message.append("[AI-Agent:").append(roomName).append(" pid=").append(pid)
                    .append(stream == Stream.STDERR ? " stderr] " : "] ");
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean unsafe = c != '\t' && Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
                message.append(unsafe ? '?' : c);
            }
            if (truncated) {
                message.append(" [cut]");
            }
            return message.toString();
        }
    }

    /** The default sink: {@link System.Logger} {@code io.github.agentlifecycle.agent}, stderr at WARNING. */
    static AgentOutputSink systemLogger() {
        System.Logger logger = System.getLogger("io.github.agentlifecycle.agent");
        return line -> logger.log(line.stream() == Stream.STDERR ? System.Logger.Level.WARNING
                : System.Logger.Level.INFO, line.format());
    }

    /** A sink that discards everything. */
    static AgentOutputSink discard() {
        return line -> { };
    }
}
