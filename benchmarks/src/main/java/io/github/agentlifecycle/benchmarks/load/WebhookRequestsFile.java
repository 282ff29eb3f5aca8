package io.github.agentlifecycle.benchmarks.load;

import io.github.agentlifecycle.examples.WebhookEvents;
import io.github.agentlifecycle.examples.WebhookSigner;
import io.github.agentlifecycle.livekit.LiveKitCredentials;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Writes pre-signed webhook requests for {@code wrk}: one line per request, the {@code Authorization} header, a
 * tab, the body. Each room gets a human joining and leaving again and again, each time with a new session and every
 * request with its own event id, so the file holds {@code requests} unique, correctly signed requests.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.agentlifecycle.benchmarks.load.WebhookRequestsFile \
 *     target/webhooks.tsv 500 20000 APIloadKey load-secret-0123456789 30</pre>
 */
public final class WebhookRequestsFile {
    private WebhookRequestsFile() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 6) {
            System.err.println("usage: WebhookRequestsFile <file> <rooms> <requests> <api key> <api secret>"
                    + " <validity minutes>");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int rooms = Integer.parseInt(args[1]);
        int requests = Integer.parseInt(args[2]);
        LiveKitCredentials credentials = new LiveKitCredentials(args[3], args[4]);
        WebhookSigner signer = new WebhookSigner(credentials, Clock.systemUTC(),
                Duration.ofMinutes(Long.parseLong(args[5])));
        WebhookEvents[] events = new WebhookEvents[rooms];
        String[] sessions = new String[rooms];
        for (int room = 0; room < rooms; room++) {
            events[room] = new WebhookEvents("load-room-" + room, Clock.systemUTC());
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < requests; i++) {
                int room = i % rooms;
                byte[] body;
                if (sessions[room] == null) {
                    sessions[room] = events[room].newSessionId();
                    body = events[room].participantJoined(sessions[room], "user-" + room, "STANDARD");
                } else {
                    body = events[room].participantLeft(sessions[room], "user-" + room, "STANDARD");
                    sessions[room] = null;
                }
                out.write(signer.authorization(body));
                out.write('\t');
                out.write(new String(body, StandardCharsets.UTF_8));
                out.write('\n');
            }
        }
        System.out.println("wrote " + requests + " signed webhook requests over " + rooms + " rooms to " + file);
    }
}
