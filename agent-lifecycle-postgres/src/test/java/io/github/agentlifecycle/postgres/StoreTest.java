package io.github.agentlifecycle.postgres;

import io.github.agentlifecycle.postgres.testing.PostgresServer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the store's tests share: one database per test class, fresh tables (a new prefix) for each test through
 * {@link Stores}, which closes every store a test opened, and threads for tests that race stores.
 */
abstract class StoreTest {
    static PostgresServer.Database database;
    static ExecutorService threads;
    Stores stores;

    @BeforeAll
    static void createDatabase() {
        database = PostgresServer.shared().newDatabase();
        threads = Executors.newCachedThreadPool();
    }

    @AfterAll
    static void stopThreads() {
        threads.shutdownNow();
    }

    @BeforeEach
    void newTables() {
        stores = new Stores(database);
    }

    @AfterEach
    void closeStores() {
        stores.close();
    }
}
