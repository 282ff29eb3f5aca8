package io.github.agentlifecycle.examples;

/** A bad environment variable; the message is one line that starts with the variable's name. */
final class ExampleConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ExampleConfigException(String message) {
        super(message);
    }
}
