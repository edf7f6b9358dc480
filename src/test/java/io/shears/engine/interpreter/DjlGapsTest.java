package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.shears.engine.Engines;
import io.shears.engine.NodeModel;
import io.shears.engine.Parity;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.shears.engine.NodeModel.stringAttr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The behaviours of DJL 0.33's PyTorch engine that the kernels work around, pinned: when a DJL upgrade changes one,
 * its test fails and names the workaround to revisit.
 */
class DjlGapsTest {
    @BeforeAll
    static void startEngine() {
        Engines.start();
    }

    @Test
    void reductionsTakeOneAxisPerCallSoReductionsChainThem() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(24f).reshape(2, 3, 4);
            assertThatThrownBy(() -> x.mean(new int[] {1, 2})).isInstanceOf(UnsupportedOperationException.class);
            assertThat(Reductions.reduce(x, new int[] {1, 2}, false, Reductions.Kind.MEAN).toFloatArray())
                    .containsExactly(5.5f, 17.5f);
        }
    }

    @Test
    void averagePoolingIgnoresCountIncludePadFalseSoPoolingKernelsDivideByTheCoveredShare() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(16f).reshape(1, 1, 4, 4);
            Shape k = new Shape(3, 3);
            Shape s = new Shape(1, 1);
            Shape p = new Shape(1, 1);
            float[] excluding = x.getNDArrayInternal().avgPool(k, s, p, false, false).toFloatArray();
            float[] including = x.getNDArrayInternal().avgPool(k, s, p, false, true).toFloatArray();
            assertThat(excluding).containsExactly(including);
            assertThat(excluding[0]).as("corner: (0 + 1 + 4 + 5) / 9, padding counted").isEqualTo(10f / 9);
        }
    }

    @Test
    void thereIsNoTransposedConvolutionSoConvTransposeInsertsZeros() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(1, 1, 3, 3));
            NDArray w = manager.ones(new Shape(1, 1, 2, 2));
            assertThatThrownBy(() -> x.getNDArrayInternal().deconvolution(x, w, null, new Shape(2, 2),
                    new Shape(0, 0), new Shape(0, 0), new Shape(1, 1), 1))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void preluOneHotAndBroadcastingWhereAreMissing() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(2, 3));
            assertThatThrownBy(() -> x.getNDArrayInternal().prelu(x, manager.ones(new Shape(3))))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> manager.create(new long[] {0, 2}).oneHot(3, 1f, 0f, DataType.FLOAT32))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> NDArrays.where(manager.create(new boolean[] {true, false, true}).reshape(3, 1),
                    manager.ones(new Shape(1, 4)), manager.zeros(new Shape(3, 1))))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    /** Upscaling agrees with ONNX's linear mode; downscaling does not, because DJL's bilinear always antialiases. */
    @Test
    void bilinearInterpolationAntialiasesSoResizeBuildsItsOwnMatrices() {
        long[] shape = {1, 1, 8, 8};
        float[] input = OrtRunner.randomInput(3, shape);
        for (long size : new long[] {16, 3}) {
            NodeModel m = new NodeModel(size, shape);
            m.single("Resize", List.of(NodeModel.INPUT, "", "", m.longs("sizes", 1, 1, size, size)),
                    stringAttr("mode", "linear"), stringAttr("coordinate_transformation_mode", "pytorch_half_pixel"));
            float[] onnx = OrtRunner.run(m.build(13).toByteArray(), input, shape);
            try (NDManager manager = NDManager.newBaseManager()) {
                NDArray x = manager.create(input, new Shape(shape));
                float[] djl = x.getNDArrayInternal().interpolation(new long[] {size, size}, 1, false).toFloatArray();
                if (size > 8) {
                    assertThat(Parity.relativeError(djl, onnx)).as("upscaling").isLessThan(1e-5);
                } else {
                    assertThat(Parity.relativeError(djl, onnx)).as("downscaling").isGreaterThan(0.1);
                }
            }
        }
    }

    /** DJL hands PyTorch 1 - momentum, so DJL's momentum weighs the old running value, as ONNX's does. */
    @Test
    void batchNormMomentumWeighsTheOldRunningValueAsInOnnx() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1, 3, 5, 7}, new Shape(4, 1));
            NDArray mean = manager.zeros(new Shape(1));
            NDArray variance = manager.ones(new Shape(1));
            x.getNDArrayInternal().batchNorm(x, mean, variance, manager.ones(new Shape(1)),
                    manager.zeros(new Shape(1)), 1, 0.8f, 1e-5f, true);
            assertThat((double) mean.getFloat(0)).isCloseTo(0.8 * 0 + 0.2 * 4, within(1e-6));
            double unbiased = (9 + 1 + 1 + 9) / 3.0;
            assertThat((double) variance.getFloat(0)).isCloseTo(0.8 * 1 + 0.2 * unbiased, within(1e-6));
            assertThat(mean.getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }
}
