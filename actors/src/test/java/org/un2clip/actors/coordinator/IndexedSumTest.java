package org.un2clip.actors.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IndexedSumTest {
    private static final double[] PARTS = {1e16, 1.0, -1e16};   // (1e16 + 1) − 1e16 = 0, but (1e16 − 1e16) + 1 = 1

    @Test
    void everyArrivalOrderGivesTheIndexOrderSum() {
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] order : orders) {
            IndexedSum sum = new IndexedSum(PARTS.length);
            double arrival = 0;
            for (int i : order) {
                sum.add(i, PARTS[i]);
                arrival += PARTS[i];
            }
            assertThat(sum.total()).as("arrival order %s", java.util.Arrays.toString(order))
                    .isEqualTo((PARTS[0] + PARTS[1]) + PARTS[2]);
            if (order[0] == 0 && order[1] == 2) {
                assertThat(arrival).as("the case that needs the index order").isNotEqualTo(sum.total());
            }
        }
    }

    @Test
    void partsOfOneIndexAccumulate() {
        IndexedSum sum = new IndexedSum(2);
        sum.add(1, 2.5);
        sum.add(1, 0.5);
        sum.add(0, 1.0);
        assertThat(sum.total()).isEqualTo(4.0);
    }
}
