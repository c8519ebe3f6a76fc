package org.un2clip.actors.coordinator;

/** What a finished run leaves: the final flat parameters and the last step's mean loss. */
public record RunResult(long steps, float[] parameters, double lastLoss) {}
