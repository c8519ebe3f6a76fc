package org.un2clip.actors.plan;

/** Contiguous, near-equal slices of the flat parameter vector, one per gradient shard. */
public record ShardLayout(long parameters, int shards) {
    public ShardLayout {
        if (shards <= 0 || shards > parameters) {
            throw new IllegalArgumentException(shards + " shards for " + parameters + " parameters");
        }
    }

    public int from(int shard) {
        return (int) (parameters * shard / shards);
    }

    public int length(int shard) {
        return (int) (parameters * (shard + 1) / shards) - from(shard);
    }
}
