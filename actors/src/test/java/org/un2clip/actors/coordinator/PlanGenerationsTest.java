package org.un2clip.actors.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlanGenerationsTest {
    @Test
    void aReportCountsUnlessItsStepWasReplannedAfterItsGeneration() {
        PlanGenerations g = new PlanGenerations(0, new int[] {0, 1, 2});
        assertThat(g.current(5, 0)).isTrue();
        assertThat(g.begin(4, new int[] {0, 2})).isEqualTo(1);      // rank 1 lost in step 4
        assertThat(g.begin(7, new int[] {0, 1, 2})).isEqualTo(2);   // a replacement rejoined in step 7

        assertThat(g.current(3, 0)).as("step 3, plan 0: before the first re-plan").isTrue();
        assertThat(g.current(4, 0)).as("step 4, plan 0: re-planned by generation 1").isFalse();
        assertThat(g.current(6, 1)).isTrue();
        assertThat(g.current(7, 1)).as("step 7, plan 1: re-planned by generation 2").isFalse();
        assertThat(g.current(7, 2)).isTrue();
        assertThat(g.current(100, 2)).isTrue();
    }

    @Test
    void aStepIsSpreadOverTheRanksOfTheNewestGenerationThatStartedAtOrBeforeIt() {
        int[] survivors = {0, 2};
        PlanGenerations g = new PlanGenerations(10, new int[] {0, 1, 2});
        g.begin(14, survivors);
        survivors[1] = 9;     // the caller's array is not the plan's
        g.begin(14, new int[] {2});     // a second loss before step 14 completed: the later plan wins
        g.begin(20, new int[] {1, 2});

        assertThat(g.ranksOf(10)).containsExactly(0, 1, 2);
        assertThat(g.ranksOf(13)).containsExactly(0, 1, 2);
        assertThat(g.ranksOf(14)).containsExactly(2);
        assertThat(g.ranksOf(19)).containsExactly(2);
        assertThat(g.ranksOf(20)).containsExactly(1, 2);
        assertThat(g.current(14, 1)).as("generation 1 was re-planned from its own first step").isFalse();
    }
}
