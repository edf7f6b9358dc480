package io.shears.catalog;

import io.shears.artifacts.ArtifactStore;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.io.IOException;

/** Blobs are shared by content, so one is deleted only when no model, dataset or artifact row names it any more. */
public final class BlobReferences {
    private BlobReferences() {
    }

    public static void deleteIfUnreferenced(JdbcClient jdbc, ArtifactStore store, String sha256) throws IOException {
        int refs = jdbc.sql("select (select count(*) from models where sha256 = :s) "
                        + "+ (select count(*) from datasets where sha256 = :s) "
                        + "+ (select count(*) from artifacts where sha256 = :s)")
                .param("s", sha256).query(Integer.class).single();
        if (refs == 0) {
            store.delete(sha256);
        }
    }
}
