package io.shears.data;

/** Where the pixels of a sample (by record number) come from, and what the scan learned about it. */
interface SampleSource {
    /** Decodes the sample; called once per sample per batch, never cached. */
    ImageDecoder.PixelSource load(int record);

    /** Where the sample is in the archive, for messages and reports. */
    String name(int record);

    int width(int record);

    int height(int record);

    boolean grey(int record);
}
