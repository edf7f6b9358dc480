/**
 * Datasets for evaluation, BatchNorm recalibration and fine-tuning: an uploaded archive becomes batches of floats.
 *
 * <p>{@link io.shears.data.Dataset#open(java.nio.file.Path, io.shears.data.DatasetOptions)} reads a zip, tar.gz or tar
 * (told by its first bytes) holding either an ImageFolder layout ({@code train/<class>/*.png|jpg|jpeg}, optional
 * {@code val/<class>/}, optionally inside one folder) or MNIST-style IDX files, in one streaming pass, and serves
 * {@link io.shears.data.Batch}es: NCHW {@code float[]} plus {@code int[]} labels, preprocessed as a
 * {@link io.shears.data.Preprocessing} says. A refused archive raises {@link io.shears.data.DatasetException} with a
 * stable {@link io.shears.data.DatasetProblem} code.
 *
 * <p>The package knows nothing of DJL or Spring: the engine wraps a batch with
 * {@code manager.create(batch.data(), new Shape(batch.nchw()))} and {@code manager.create(batch.labels())}, or has it
 * write itself into ONNX Runtime's direct input buffer ({@link io.shears.data.Batch#writeTo(java.nio.ByteBuffer)}),
 * which a batch served from the cache does from the cache's file without a float array on the way. It uses the JDK
 * ({@code javax.imageio}, {@code java.util.zip}) and commons-compress only.
 */
package io.shears.data;
