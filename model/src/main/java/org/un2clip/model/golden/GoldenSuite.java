package org.un2clip.model.golden;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model part that can reproduce golden tensors: it builds itself from the set's config and weights,
 * runs on the golden inputs and returns what it computed. {@link GoldenCheck} compares.
 */
public interface GoldenSuite {

    /** Name shown in reports. */
    String name();

    /** Key prefixes this suite computes, e.g. {@code "clip."}. */
    List<String> prefixes();

    /**
     * Computes the wanted tensors (outputs, and debug tensors when asked for). A tensor the suite
     * cannot produce is simply left out of the result and reported as not checkable.
     */
    Map<String, float[]> compute(GoldenSet set, Set<String> wanted) throws Exception;

    default boolean covers(String key) {
        for (String prefix : prefixes()) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
