package io.github.agentlifecycle.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;

/**
 * Instants to and from {@code timestamptz}. PostgreSQL keeps microseconds, so an instant is stored rounded down to
 * the microsecond; instants beyond the years PostgreSQL can hold are stored as {@code infinity} or {@code -infinity}.
 */
final class Timestamps {
    private static final Instant LATEST = OffsetDateTime.of(294_276, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant();
    private static final Instant EARLIEST = OffsetDateTime.of(-4_711, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant();

    private Timestamps() {}

    static void set(PreparedStatement statement, int index, @Nullable Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else if (instant.isAfter(LATEST)) {
            statement.setObject(index, OffsetDateTime.MAX);
        } else if (instant.isBefore(EARLIEST)) {
            statement.setObject(index, OffsetDateTime.MIN);
        } else {
            statement.setObject(index, OffsetDateTime.ofInstant(truncate(instant), ZoneOffset.UTC));
        }
    }

    static @Nullable Instant get(ResultSet rows, String column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    /** The instant {@link #get} reads back after {@link #set} stored {@code instant}. */
    static Instant stored(Instant instant) {
        if (instant.isAfter(LATEST)) {
            return OffsetDateTime.MAX.toInstant();
        }
        if (instant.isBefore(EARLIEST)) {
            return OffsetDateTime.MIN.toInstant();
        }
        return truncate(instant);
    }

    private static Instant truncate(Instant instant) {
        return instant.minusNanos(instant.getNano() % 1_000);
    }
}
