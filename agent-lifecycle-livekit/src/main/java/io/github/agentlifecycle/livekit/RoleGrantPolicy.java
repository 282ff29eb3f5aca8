package io.github.agentlifecycle.livekit;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which roles a token may be requested for and which grants each gets. Implementations must be thread-safe.
 */
public interface RoleGrantPolicy {

    /** The roles this policy knows, for error messages. */
    Set<String> roles();

    /** The grants of {@code role}, or empty if the role is unknown. */
    Optional<Grants> grantsFor(String role);

    /** The default policy: {@code client} gets {@link Grants#participant()}, {@code coach} {@link Grants#admin()}. */
    static RoleGrantPolicy standard() {
        return of(Map.of("client", Grants.participant(), "coach", Grants.admin()));
    }

    /** A policy with exactly these roles. */
    static RoleGrantPolicy of(Map<String, Grants> grantsByRole) {
        Map<String, Grants> copy = new TreeMap<>(grantsByRole);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("grantsByRole must not be empty");
        }
        return new RoleGrantPolicy() {
            @Override
            public Set<String> roles() {
                return copy.keySet();
            }

            @Override
            public Optional<Grants> grantsFor(String role) {
                return Optional.ofNullable(copy.get(role));
            }
        };
    }
}
