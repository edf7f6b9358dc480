package io.shears.artifacts;

class FilesystemArtifactStoreTest extends ArtifactStoreContract {
    @Override
    ArtifactStore newStore() throws Exception {
        return new FilesystemArtifactStore(tmp.resolve("artifacts"));
    }
}
