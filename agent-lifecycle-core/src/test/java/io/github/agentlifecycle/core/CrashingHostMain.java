package io.github.agentlifecycle.core;

import io.github.agentlifecycle.core.spi.LifecycleEvent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A host JVM for {@link OrphanReapingTest}: runs an {@link AgentManager} with a {@link ProcessAgentLauncher} that
 * keeps its records in the given state directory, requests a token so that one agent runs, prints {@code
 * AGENT_PID <pid>} on stdout, then blocks until its stdin ends. The test kills it with SIGKILL to simulate a host
 * crash; the stdin wait only makes sure it cannot outlive the test JVM.
 *
 * <p>Arguments: state directory, room, agent command and its arguments. System property {@code prewarm}: how many
 * idle agents the launcher keeps (default 0).
 */
final class CrashingHostMain {
    private CrashingHostMain() {}

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        String room = args[1];
        List<String> command = Arrays.asList(args).subList(2, args.length);
        CompletableFuture<Long> pid = new CompletableFuture<>();
        AgentManager manager = AgentManager.builder(ProcessAgentLauncher.builder(command).stateDirectory(state)
                        .prewarm(Integer.getInteger("prewarm", 0)).build())
                .listener(event -> {
                    if (event instanceof LifecycleEvent.AgentLaunched launched && launched.pid() != null) {
                        pid.complete(launched.pid());
                    } else if (event instanceof LifecycleEvent.AgentLaunchFailed failed) {
                        pid.completeExceptionally(new IllegalStateException(failed.error()));
                    }
                })
                .build();
        manager.start();
        manager.ensureAgent(room);
        System.out.println("AGENT_PID " + pid.get(60, TimeUnit.SECONDS));
        System.out.flush();
        while (System.in.read() >= 0) {
            // the test never writes; end of input means the test JVM is gone
        }
        manager.close();
    }
}
