package org.un2clip.actors.transport;

/** Aeron stream ids of the data plane: one gradient stream per shard, one parameter stream per trainer. */
public final class Streams {
    private Streams() {}

    public static int gradients(int shard) {
        return 1000 + shard;
    }

    public static int parameters(int rank) {
        return 100_000 + rank;
    }
}
