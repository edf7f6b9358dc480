package io.shears.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineWorkspaceTest {
    @TempDir
    Path dir;

    @Test
    void aNewAttemptClearsTheSpoolOfOneThatDiedButKeepsItsFinishedStages() throws Exception {
        PipelineWorkspace first = new PipelineWorkspace(dir);
        first.open("job-a");
        first.finish(Stage.PRUNE, 12, "pruned");
        Path leftover = Files.write(first.spool().resolve("shears-dataset-123.spool"), new byte[] {1, 2, 3});

        PipelineWorkspace rerun = new PipelineWorkspace(dir);
        rerun.open("job-a");

        assertThat(leftover).doesNotExist();
        assertThat(rerun.spool()).isEmptyDirectory();
        assertThat(rerun.finished(Stage.PRUNE, String.class).result()).isEqualTo("pruned");
    }
}
