package org.un2clip.actors.transport;

/** What a receiver accepted and rejected; read on the receiver's thread (plain fields, no contention). */
public final class LinkCounters {
    long chunksAccepted;
    long bytesAccepted;
    long tensorsCompleted;
    long tensorsIncomplete;
    long duplicate;
    long late;
    long foreign;
    long unexpected;
    long corrupt;
    long malformed;

    public long chunksAccepted() { return chunksAccepted; }
    public long bytesAccepted() { return bytesAccepted; }
    public long tensorsCompleted() { return tensorsCompleted; }
    public long tensorsIncomplete() { return tensorsIncomplete; }
    public long duplicate() { return duplicate; }
    public long late() { return late; }
    public long foreign() { return foreign; }
    public long unexpected() { return unexpected; }
    public long corrupt() { return corrupt; }
    public long malformed() { return malformed; }

    public long rejected() {
        return duplicate + late + foreign + unexpected + corrupt + malformed;
    }

    @Override
    public String toString() {
        return "accepted " + chunksAccepted + " chunks (" + bytesAccepted + " B), completed " + tensorsCompleted
                + ", incomplete " + tensorsIncomplete + "; rejected: duplicate " + duplicate + ", late " + late
                + ", foreign " + foreign + ", unexpected " + unexpected + ", corrupt " + corrupt + ", malformed "
                + malformed;
    }
}
