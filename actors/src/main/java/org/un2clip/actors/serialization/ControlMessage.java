package org.un2clip.actors.serialization;

/** Marker of every Pekko message of the runtime: bound to {@link KryoSerializer} in reference.conf. */
public interface ControlMessage {}
