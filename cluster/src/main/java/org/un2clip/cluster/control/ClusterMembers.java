package org.un2clip.cluster.control;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;

/** This node's view of the Pekko Cluster's members, for the operator's status. */
final class ClusterMembers {
    private ClusterMembers() {}

    static List<RunStatus.Member> of(ClassicActorSystemProvider system) {
        ClusterEvent.CurrentClusterState state = org.apache.pekko.cluster.Cluster.get(system.classicSystem()).state();
        java.util.Set<Member> unreachable = state.getUnreachable();
        List<RunStatus.Member> out = new ArrayList<>();
        for (Member m : StreamSupport.stream(state.getMembers().spliterator(), false).toList()) {
            String address = m.address().getHost().orElse("?") + ":" + m.address().getPort().orElse(0);
            out.add(new RunStatus.Member(address, List.copyOf(m.getRoles()).stream().filter(r -> !r.startsWith("dc-"))
                    .sorted().toList(), unreachable.contains(m) ? "Unreachable" : m.status().toString()));
        }
        return out;
    }

}
