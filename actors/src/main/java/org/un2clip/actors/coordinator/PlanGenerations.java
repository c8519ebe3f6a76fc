package org.un2clip.actors.coordinator;

import java.util.ArrayList;
import java.util.List;

/**
 * The run's plan generations: each spreads every step from its first one on over a set of ranks, until a trainer
 * lost or rejoined starts the next. Reports carry the generation they were made under, so a share of a step that
 * was re-planned since is recognised and does not mix into the new plan.
 */
final class PlanGenerations {
    private final List<Long> firstSteps = new ArrayList<>();
    private final List<int[]> ranks = new ArrayList<>();

    PlanGenerations(long startStep, int[] ranks) {
        begin(startStep, ranks);
    }

    /** A new generation over {@code ranks} from {@code firstStep} on; its number. */
    int begin(long firstStep, int[] ranks) {
        firstSteps.add(firstStep);
        this.ranks.add(ranks.clone());
        return firstSteps.size() - 1;
    }

    /** Whether a report made under {@code generation} still counts for {@code step} (not re-planned since). */
    boolean current(long step, int generation) {
        return generation == firstSteps.size() - 1 || step < firstSteps.get(generation + 1);
    }

    /** The ranks that {@code step}'s plan spreads it over. */
    int[] ranksOf(long step) {
        int g = firstSteps.size() - 1;
        while (g > 0 && firstSteps.get(g) > step) {
            g--;
        }
        return ranks.get(g);
    }
}
