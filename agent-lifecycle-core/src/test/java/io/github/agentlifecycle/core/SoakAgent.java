package io.github.agentlifecycle.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The agent program of the soak run: one {@code /bin/sh -c} script whose behaviour is chosen per launch. The script
 * waits for a mode file named after its {@code AGENT_IDENTITY} in the directory {@code $SOAK_MODES}, reads it,
 * deletes it and then behaves as the mode says. {@code $0} is the run's marker, so every agent process (and every
 * child it starts, whose {@code $0} is the marker plus {@code -child}) can be found in {@code /proc}; the room
 * name, appended by the launcher, is the last argument of each of them.
 */
final class SoakAgent {
    /** Exit status of an agent that never found its mode file. */
    static final int NO_MODE_EXIT = 3;

    private static final String SCRIPT = """
            m="$SOAK_MODES/$AGENT_IDENTITY"
            n=0
            while [ ! -s "$m" ]; do
              n=$((n + 1))
              if [ "$n" -gt 500 ]; then exit 3; fi
              sleep 0.01
            done
            read -r mode arg < "$m"
            rm -f "$m"
            forever='while :; do sleep 1; done'
            case "$mode" in
              normal) while read -r line; do :; done ;;
              graceful) trap 'exit 0' TERM; while read -r line; do :; done; exit 0 ;;
              crash) sleep "$arg"; exit 1 ;;
              exit0) sleep "$arg"; exit 0 ;;
              hang) trap '' TERM; exec 0</dev/null; while :; do sleep 1; done ;;
              respawn) trap '' TERM; exec 0</dev/null
                       while :; do sleep 1000 & w=$!; sleep 0.05; kill -9 "$w"; wait "$w"; done ;;
              child) sh -c "$forever" "$0-child" "$1" & while read -r line; do :; done ;;
              childhang) sh -c "trap '' TERM; $forever" "$0-child" "$1" & while read -r line; do :; done ;;
              childcrash) sh -c "$forever" "$0-child" "$1" & sleep "$arg"; exit 1 ;;
              orphanhang) sh -c "trap '' TERM; $forever" "$0-child" "$1" & sleep "$arg"; exit 1 ;;
              chatty) i=0; while [ "$i" -lt 200 ]; do echo "line $i"; i=$((i + 1)); done
                      while read -r line; do :; done ;;
              *) exit 2 ;;
            esac
            """;

    /** What an agent does once it has read its mode. */
    enum Mode {
        /** Reads stdin until end-of-file; dies of SIGTERM. */
        NORMAL(30),
        /** Exits 0 on SIGTERM or end-of-file. */
        GRACEFUL(10),
        /** Exits 1 after a short random delay. */
        CRASH(14),
        /** Exits 0 after a short random delay (an exit nobody asked for, taken as intentional). */
        EXIT0(8),
        /** Ignores SIGTERM and end-of-file: only SIGKILL ends it. */
        HANG(10),
        /**
         * Ignores SIGTERM and end-of-file and replaces a long-lived child (which ignores SIGTERM too) every 50 ms, so
         * that the SIGKILL round now and then meets a child started while it ran.
         */
        RESPAWN(4),
        /** Starts a child that runs forever, then behaves as {@link #NORMAL}. */
        CHILD(8),
        /** Starts a child that ignores SIGTERM, then behaves as {@link #NORMAL}. */
        CHILDHANG(6),
        /** Starts a child that runs forever, then exits 1 after a short random delay, leaving the child behind. */
        CHILDCRASH(6),
        /** Starts a child that ignores SIGTERM, then exits 1 after a short random delay, leaving the child behind. */
        ORPHANHANG(4),
        /** Writes 200 lines, then behaves as {@link #NORMAL}. */
        CHATTY(4);

        private final int weight;

        Mode(int weight) {
            this.weight = weight;
        }

        /** Whether the mode takes a delay argument. */
        boolean delayed() {
            return this == CRASH || this == EXIT0 || this == CHILDCRASH || this == ORPHANHANG;
        }

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** A mode drawn by weight. */
        static Mode pick(Random random) {
            int total = 0;
            for (Mode mode : values()) {
                total += mode.weight;
            }
            int draw = random.nextInt(total);
            for (Mode mode : values()) {
                draw -= mode.weight;
                if (draw < 0) {
                    return mode;
                }
            }
            throw new AssertionError("weights");
        }
    }

    private SoakAgent() {}

    /** The launcher's command for the run marked {@code marker}; the launcher appends the room name. */
    static List<String> command(String marker) {
        return List.of("/bin/sh", "-c", SCRIPT, marker);
    }

    /**
     * Writes the mode file of the agent {@code identity} atomically (so the script never reads half of it), with a
     * delay of 50 to 2000 ms for the modes that take one.
     */
    static void assign(Path modes, String identity, Mode mode, Random random) {
        String line = mode.word();
        if (mode.delayed()) {
            line += String.format(Locale.ROOT, " %.2f", (50 + random.nextInt(1950)) / 1000.0);
        }
        try {
            Path temporary = Files.createTempFile(modes, "mode-", ".tmp");
            Files.writeString(temporary, line + "\n", StandardCharsets.UTF_8);
            Files.move(temporary, modes.resolve(identity), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the mode of " + identity, e);
        }
    }
}
