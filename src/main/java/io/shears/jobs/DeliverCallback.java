package io.shears.jobs;

import org.jobrunr.jobs.lambdas.JobRequest;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** What JobRunr queues for one try of a callback: the delivery's id and how many tries came before it. */
public class DeliverCallback implements JobRequest {
    private String deliveryId;
    private int attemptsBefore;

    /** For JobRunr's JSON mapper. */
    public DeliverCallback() {
    }

    public DeliverCallback(String deliveryId, int attemptsBefore) {
        this.deliveryId = deliveryId;
        this.attemptsBefore = attemptsBefore;
    }

    public String getDeliveryId() {
        return deliveryId;
    }

    public int getAttemptsBefore() {
        return attemptsBefore;
    }

    /** JobRunr's id for this try, the same however often it is queued, so a try is queued once. */
    UUID jobRunrId() {
        return UUID.nameUUIDFromBytes((deliveryId + "#" + attemptsBefore).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Class<CallbackDeliverer> getJobRequestHandler() {
        return CallbackDeliverer.class;
    }
}
