package io.github.agentlifecycle.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;

/** HikariCP pools over the fixture's databases, as a backend would hand the store one. */
final class Pools {
    private Pools() {}

    /** A small pool of connections from {@code target}; close it when done. */
    static HikariDataSource of(DataSource target) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(target);
        config.setMaximumPoolSize(6);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(5_000);
        config.setPoolName("test-pool");
        return new HikariDataSource(config);
    }
}
