package io.shears.jobs;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * How long finished jobs and their artifacts are kept ({@code shears.retention.*}). Both limits are off unless set;
 * with either set, a JobRunr recurring job applies them every {@code interval}, deleting the longest-finished jobs
 * first. Uploaded models and datasets are never deleted by it.
 *
 * @param maxAge       a job finished longer ago than this goes
 * @param maxStoreSize while the store holds more than this (models, datasets and artifacts, shared content counted
 *                     once), the longest-finished job goes, until it holds no more or no finished job is left
 * @param interval     how often the limits are applied; one hour unless set
 */
@ConfigurationProperties("shears.retention")
public record RetentionProperties(Duration maxAge, DataSize maxStoreSize, Duration interval) {
    public RetentionProperties {
        maxAge = maxAge == null || maxAge.isZero() || maxAge.isNegative() ? null : maxAge;
        maxStoreSize = maxStoreSize == null || maxStoreSize.toBytes() <= 0 ? null : maxStoreSize;
        interval = interval == null || interval.isZero() || interval.isNegative() ? Duration.ofHours(1) : interval;
    }

    public boolean enabled() {
        return maxAge != null || maxStoreSize != null;
    }
}
