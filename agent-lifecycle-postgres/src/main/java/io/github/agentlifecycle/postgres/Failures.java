package io.github.agentlifecycle.postgres;

import io.github.agentlifecycle.core.spi.SharedStoreUnavailableException;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Turns driver failures into {@link SharedStoreUnavailableException}s whose message names the operation, the
 * SQLState and a short reason chosen from the SQLState. The driver's own message is left out (it is kept in the
 * cause), so the message never carries a host, a user name, a JDBC URL or a password.
 */
final class Failures {
    private Failures() {}

    static SharedStoreUnavailableException unavailable(String operation, SQLException e) {
        String state = e.getSQLState();
        return new SharedStoreUnavailableException("shared room store unavailable: " + operation + " failed ("
                + (state == null ? "no SQLState" : "SQLState " + state) + ": " + reason(state) + ")", e);
    }

    static String reason(@Nullable String state) {
        if (state == null) {
            return "driver error";
        }
        switch (state) {
            case "57014":
                return "statement timed out";
            case "55P03":
                return "lock wait timed out";
            case "40001":
                return "serialization failure";
            case "40P01":
                return "deadlock detected";
            case "42501":
                return "insufficient privilege";
            case "42P07":
                return "a table or index of that name exists";
            case "25P02":
                return "transaction aborted by an earlier failure";
            case "57P01":
            case "57P02":
            case "57P03":
                return "server shutting down or starting";
            default:
                break;
        }
        switch (state.length() < 2 ? "" : state.substring(0, 2)) {
            case "08":
                return "cannot connect or connection lost";
            case "28":
                return "authentication failed";
            case "3D":
                return "database does not exist";
            case "42":
                return "schema or privilege problem";
            case "53":
                return "server out of resources";
            case "57":
                return "operator intervention";
            case "58":
                return "server system error";
            case "XX":
                return "server internal error";
            default:
                return "database error";
        }
    }
}
