package io.shears.api;

import io.shears.remote.RemoteObjects;
import io.shears.remote.RemoteUri;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InputStream;

/** Opens a model's or dataset's URI and hands its content to the same registration an upload goes through. */
@Component
class UriImports {
    /** What an upload endpoint does with a body: spool, check, keep. */
    interface Registration<T> {
        ResponseEntity<T> register(InputStream content, long declaredLength, String defaultName) throws IOException;
    }

    private final RemoteObjects remote;

    UriImports(RemoteObjects remote) {
        this.remote = remote;
    }

    /** @param registration gets the URI's last path segment as the default name */
    <T> ResponseEntity<T> fetch(String uri, Registration<T> registration) throws IOException {
        RemoteUri source = remote.source(uri);
        try (RemoteObjects.Download download = remote.open(source)) {
            return registration.register(download.content(), download.length(), source.fileName());
        }
    }
}
