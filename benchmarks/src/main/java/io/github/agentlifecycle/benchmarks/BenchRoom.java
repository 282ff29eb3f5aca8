package io.github.agentlifecycle.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * One room the benchmarks drive: its name, its LiveKit room sid and the identity of the human who keeps joining
 * and leaving it.
 *
 * @param name the room name
 * @param sid the room sid
 * @param humanIdentity the human participant's identity (one person who rejoins with a new session each time)
 */
record BenchRoom(String name, String sid, String humanIdentity) {

    /** {@code count} rooms named {@code room-00000}, {@code room-00001}, ... with sids from {@code ids}. */
    static List<BenchRoom> create(int count, Ids ids) {
        List<BenchRoom> rooms = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rooms.add(new BenchRoom(String.format("room-%05d", i), ids.room(), String.format("client-%05d", i)));
        }
        return rooms;
    }
}
