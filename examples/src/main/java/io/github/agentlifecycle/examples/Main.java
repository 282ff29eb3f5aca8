package io.github.agentlifecycle.examples;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of the runnable example jar.
 *
 * <pre>
 * java -jar agent-lifecycle-example.jar [server]        start the quick-start server (configured by environment)
 * java -jar agent-lifecycle-example.jar demo            start it and play one room's whole lifecycle against it
 * java -jar agent-lifecycle-example.jar simulate [room] play a room's whole lifecycle against a running server
 * java -jar agent-lifecycle-example.jar agent &lt;room&gt;    the sample agent (the server's default agent command)
 * </pre>
 */
public final class Main {
    private Main() {}

    /** Runs the command named by the first argument and exits with its status. */
    public static void main(String[] args) throws InterruptedException {
        String command = args.length == 0 ? "server" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        Map<String, String> env = System.getenv();
        int status;
        switch (command) {
            case "server" -> status = server(env, false);
            case "demo" -> status = server(env, true);
            case "simulate" -> status = Simulator.run(rest, env, System.out);
            case "agent" -> status = SampleAgent.run(rest, env);
            case "help", "-h", "--help" -> {
                usage();
                status = 0;
            }
            default -> {
                System.err.println("unknown command: " + command);
                usage();
                status = 2;
            }
        }
        System.exit(status);
    }

    private static int server(Map<String, String> env, boolean demo) throws InterruptedException {
        // Without TCP_NODELAY the JDK server delays small responses by up to 40 ms (Nagle + delayed ACK). The JDK
        // reads this JVM-wide property once, so this application sets it before any server starts; the library
        // itself never sets a system property.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        ExampleConfig config;
        try {
            config = ExampleConfig.fromEnvironment(env, SampleAgent::command);
        } catch (ExampleConfigException e) {
            System.err.println("agent-lifecycle example: " + e.getMessage());
            return 2;
        }
        QuickStartServer server;
        try {
            server = QuickStartServer.start(config);
        } catch (ExampleConfigException e) {
            System.err.println("agent-lifecycle example: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("agent-lifecycle example: PORT: cannot listen on " + config.host() + ":"
                    + config.port() + " (" + e.getMessage() + ")");
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "agent-lifecycle-shutdown"));
        server.printBanner(System.out);
        if (demo) {
            int played = Simulator.play(config, Simulator.randomRoomName(), System.out);
            System.out.println(played == 0
                    ? "The server keeps running at " + config.apiUrl() + "; press Ctrl-C to stop it."
                    : "The demo did not go as expected (see above); the server keeps running; Ctrl-C stops it.");
        }
        stopped.await();
        return 0;
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar agent-lifecycle-example.jar [command]
                  server            start the quick-start server (default; configured by environment variables)
                  demo              start the server and play one room's whole lifecycle against it
                  simulate [room]   play a whole room lifecycle against a running server (needs ADMIN_TOKEN)
                  agent <room>      run the sample agent""");
    }
}
