package io.shears.data;

/** The two splits of a dataset. */
public enum Split {
    TRAIN, VAL
}
