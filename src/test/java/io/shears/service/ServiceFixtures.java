package io.shears.service;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.shears.engine.IdxZip;
import io.shears.testing.TestGraphs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Models and dataset archives the service tests upload. */
final class ServiceFixtures {
    static final Path FIXTURES = Path.of("src/test/resources/models/torchvision");

    private ServiceFixtures() {
    }

    /** A torchvision ResNet-18 (small widths, 64×64 input, 10 classes) exported by PyTorch. */
    static byte[] resnet18() {
        return read(FIXTURES.resolve("resnet18-op17-bnkeep.onnx"));
    }

    /** A small CNN with BasicBlocks and BatchNorm, 3×16×16 input, 10 classes: quick to fine-tune. */
    static byte[] smallCnn() {
        return TestGraphs.resnetBasicBlocks().buildBytes(17);
    }

    /** The small CNN with an operator no runtime knows appended to its output. */
    static byte[] withUnknownOperator() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(17);
        String out = model.getGraph().getOutput(0).getName();
        var graph = model.getGraph().toBuilder()
                .addNode(NodeProto.newBuilder().setName("mystery_node").setOpType("FancyOp").addInput(out)
                        .addOutput("fancy").build());
        graph.setOutput(0, graph.getOutput(0).toBuilder().setName("fancy"));
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** The small CNN claiming an operator-set version no ONNX release has (2^62 read as an int is 0). */
    static byte[] withAbsurdOpset() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(17);
        return model.toBuilder().setOpsetImport(0, model.getOpsetImport(0).toBuilder().setVersion(1L << 62)).build()
                .toByteArray();
    }

    /** The small CNN with its input turned into a weight, so nothing is left to feed it. */
    static byte[] withoutInputs() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(17);
        String input = model.getGraph().getInput(0).getName();
        var graph = model.getGraph().toBuilder().clearInput().addInitializer(TensorProto.newBuilder().setName(input)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).addAllDims(List.of(1L, 3L, 16L, 16L))
                .setRawData(ByteString.copyFrom(new byte[3 * 16 * 16 * 4])));
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** The small CNN whose first Conv has no output channels. */
    static byte[] withZeroWidthConv() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(17);
        String weight = model.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .findFirst().orElseThrow().getInput(1);
        var graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals(weight)) {
                var w = graph.getInitializerBuilder(i);
                w.setDims(0, 0).setRawData(ByteString.EMPTY);
            }
        }
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** An MNIST-layout IDX zip of {@code perClass} 28×28 images for each of {@code classes} classes. */
    static byte[] idxDataset(Path dir, int classes, int perClass, long seed) {
        Random random = new Random(seed);
        int n = classes * perClass;
        byte[][] images = new byte[n][28 * 28];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int p = 0; p < 28 * 28; p++) {
                // Each class brightens its own band of rows, so the task is learnable.
                int row = p / 28;
                boolean band = row / Math.max(1, 28 / classes) == labels[i];
                images[i][p] = (byte) ((band ? 160 : 0) + random.nextInt(60));
            }
        }
        Path file = dir.resolve("idx-" + classes + "-" + perClass + "-" + seed + ".zip");
        IdxZip.write(file, 28, 28, images, labels);
        return read(file);
    }

    /** A zip whose entry climbs out of the extraction directory. */
    static byte[] zipSlip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("train/cat/../../../../etc/evil.png"));
            zip.write(new byte[] {1, 2, 3});
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
