package org.un2clip.cluster.control;

import java.util.concurrent.CompletionStage;

/**
 * What an operator may do to a running training run: the whole surface of the control endpoint and the
 * console. The coordinator implements it (asking its actors); the endpoint only ever calls these methods,
 * so nothing but these commands can be executed remotely.
 *
 * <p>Every method answers asynchronously because the implementation asks actors; a refused command (for
 * example drain of an unknown rank) completes with {@link ControlReply#refused(String)}, not exceptionally.
 */
public interface RunControl {

    CompletionStage<RunStatus> status();

    /** Finish the open step, then start no new one until {@link #resume()}. */
    CompletionStage<ControlReply> pause();

    CompletionStage<ControlReply> resume();

    /** Write a checkpoint after the current step. */
    CompletionStage<ControlReply> checkpoint();

    /** Use this learning rate from the next step on (overrides the schedule). */
    CompletionStage<ControlReply> setLr(double lr);

    /** Let this trainer leave after the current step; its share is re-planned over the others. */
    CompletionStage<ControlReply> drain(int rank);

    /** Kill this trainer at once (fault drills). */
    CompletionStage<ControlReply> kill(int rank);

    /** Checkpoint, then stop every node. */
    CompletionStage<ControlReply> stop();
}
