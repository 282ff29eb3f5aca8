package io.github.agentlifecycle.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class PostgresSchemaTest extends StoreTest {
    @Test
    void storesOpenedTogetherCreateTheSchemaOnce() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<PostgresRoomStore>> opening = List.of(
                threads.submit(() -> openAfter(start, "replica-a")), threads.submit(() -> openAfter(start, "replica-b")));
        for (Future<PostgresRoomStore> store : opening) {
            assertThat(store.get(30, TimeUnit.SECONDS)).isNotNull();
        }

        assertThat(stores.queryLong("SELECT count(*) FROM ${prefix}schema_version")).isEqualTo(1);
        assertThat(stores.queryLong("SELECT max(version) FROM ${prefix}schema_version")).isEqualTo(1);
        assertThat(stores.queryLong("SELECT count(*) FROM pg_tables WHERE tablename LIKE '${prefix}%'")).isEqualTo(4);
        assertThat(stores.queryLong("SELECT count(*) FROM ${prefix}replica")).isEqualTo(2);

        stores.open("replica-c");
        assertThat(stores.queryLong("SELECT count(*) FROM ${prefix}schema_version")).isEqualTo(1);
    }

    @Test
    void aNewerSchemaIsRefusedInOneLine() {
        stores.open("replica-a");
        stores.execute("UPDATE ${prefix}schema_version SET version = 3");

        PostgresRoomStore store = stores.track(stores.builder().build());
        assertThatThrownBy(() -> store.open("replica-b", Stores.T0, room -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("agent-lifecycle-postgres: database schema version 3 is newer than this library supports "
                        + "(1); upgrade the library");
    }

    @Test
    void withoutMigrationAMissingSchemaIsRefusedSayingWhatToRun() {
        PostgresRoomStore store = stores.track(stores.builder().migrateSchema(false).build());
        assertThatThrownBy(() -> store.open("replica-a", Stores.T0, room -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema is missing")
                .hasMessageContaining("V1__agent_lifecycle.sql")
                .hasMessageNotContaining("\n");
        assertThat(stores.queryLong("SELECT count(*) FROM pg_tables WHERE tablename LIKE '${prefix}%'")).isZero();
    }

    @Test
    void theShippedSqlAppliedByHandIsTheSchemaTheStoreUses() {
        stores.execute(SchemaMigrator.sql(1));

        PostgresRoomStore store = stores.open("replica-a", room -> {}, builder -> builder.migrateSchema(false));
        store.inRoom("room-1", false, tx -> {
            tx.write(new byte[] {7}, true, null);
            return tx.requestSlot(1, Stores.T0);
        });
        assertThat(store.roomsHostedBy("replica-a")).containsExactly("room-1");
    }

    @Test
    void theBuilderChecksEachArgumentAtOnce() {
        DataSource dataSource = database.dataSource();
        assertThatThrownBy(() -> PostgresRoomStore.builder(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("dataSource must not be null");
        PostgresRoomStore.Builder builder = PostgresRoomStore.builder(dataSource);
        assertThatThrownBy(() -> builder.tablePrefix("Agent")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tablePrefix must match [a-z_][a-z0-9_]{0,30}");
        assertThatThrownBy(() -> builder.tablePrefix("a".repeat(32))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.tablePrefix("x; drop")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.maxAgentsPerReplica(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAgentsPerReplica must be >= 1");
        assertThatThrownBy(() -> builder.queryTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("queryTimeout must be > 0");
        assertThatThrownBy(() -> builder.queryTimeout(Duration.ofNanos(10))).isInstanceOf(
                IllegalArgumentException.class).hasMessage("queryTimeout must be >= 1 ms");
        assertThat(builder.tablePrefix("a".repeat(31)).maxAgentsPerReplica(1).queryTimeout(Duration.ofMillis(1))
                .build()).isNotNull();
    }

    private PostgresRoomStore openAfter(CyclicBarrier start, String replicaId) throws Exception {
        PostgresRoomStore store = stores.track(stores.builder().build());
        start.await(10, TimeUnit.SECONDS);
        store.open(replicaId, Stores.T0.plusSeconds(60), room -> {});
        return store;
    }
}
