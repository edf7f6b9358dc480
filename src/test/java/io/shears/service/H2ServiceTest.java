package io.shears.service;

/** The service suite on the embedded default: an H2 file database and artifacts under the data directory. */
class H2ServiceTest extends ServiceSuite {
}
