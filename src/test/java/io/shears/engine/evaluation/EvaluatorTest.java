package io.shears.engine.evaluation;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.data.Batch;
import io.shears.data.Dataset;
import io.shears.data.DatasetOptions;
import io.shears.data.ImageShape;
import io.shears.data.Split;
import io.shears.engine.Engines;
import io.shears.engine.IdxZip;
import io.shears.engine.NodeModel;
import io.shears.engine.interpreter.NoGradScope;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.shears.engine.NodeModel.intAttr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

public class EvaluatorTest {
    /**
     * x [N, 1, 1, classes] → Flatten → Gemm with the identity as weight and a zero bias: the logits are the pixels,
     * so each sample's logits are written down directly.
     */
    public static ModelProto identityClassifier(int classes) {
        float[] eye = new float[classes * classes];
        for (int i = 0; i < classes; i++) {
            eye[i * classes + i] = 1;
        }
        NodeModel m = new NodeModel(0, 1, 1, 1, classes);
        m.node("Flatten", List.of(NodeModel.INPUT), List.of("flat"), intAttr("axis", 1));
        m.single("Gemm", List.of("flat", m.floats("w", new long[] {classes, classes}, eye),
                m.floats("b", new long[] {classes}, new float[classes])), intAttr("transB", 1));
        return m.build(13);
    }

    /** Batches of the given logits rows (one row per sample), cut into the given batch sizes. */
    public static List<Batch> batches(float[][] logits, int[] labels, int... sizes) {
        int classes = logits[0].length;
        List<Batch> out = new ArrayList<>();
        int next = 0;
        for (int size : sizes) {
            float[] data = new float[size * classes];
            int[] l = new int[size];
            int[] idx = new int[size];
            for (int n = 0; n < size; n++) {
                System.arraycopy(logits[next], 0, data, n * classes, classes);
                l[n] = labels[next];
                idx[n] = next++;
            }
            out.add(new Batch(Split.VAL, data, l, idx, new ImageShape(1, 1, classes)));
        }
        assertThat(next).isEqualTo(logits.length);
        return out;
    }

    public static double crossEntropy(float[] logits, int label) {
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v);
        }
        return Math.log(sum) - logits[label];
    }

    @Test
    void threeClassesGiveTheHandComputedConfusionMatrix() {
        Engines.start();
        float[][] logits = {{2, 1, 0}, {0, 3, 1}, {0, 5, 0}, {1, 0, 0}, {0, 0, 4}};
        int[] labels = {0, 0, 1, 2, 2};
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(identityClassifier(3), manager)) {
            EvaluationResult r = Evaluator.evaluate(block, batches(logits, labels, 2, 3).iterator(), 3, manager);
            assertThat(r.samples()).isEqualTo(5);
            assertThat(r.confusion()).isDeepEqualTo(new long[][] {{1, 1, 0}, {0, 1, 0}, {1, 0, 1}});
            assertThat(r.top1()).isEqualTo(3 / 5.0);
            assertThat(r.top5()).isEmpty();
            assertThat(r.perClassAccuracy()).containsExactly(0.5, 1.0, 0.5);
            double loss = 0;
            for (int i = 0; i < labels.length; i++) {
                loss += crossEntropy(logits[i], labels[i]);
            }
            assertThat(r.meanLoss()).isCloseTo(loss / 5, within(1e-9));
        }
    }

    @Test
    void topFiveCountsTheLabelAmongTheFiveHighestLogitsAndAClassWithoutSamplesIsNaN() {
        Engines.start();
        // six classes: label rank 0, rank 4 (in top 5), rank 5 (out), and a tie resolved towards the lower index
        float[][] logits = {
            {6, 5, 4, 3, 2, 1},      // label 0, rank 0
            {6, 5, 4, 3, 2, 1},      // label 4, rank 4
            {6, 5, 4, 3, 2, 1},      // label 5, rank 5
            {1, 1, 1, 1, 1, 1},      // label 5: ties, rank 5 → out of top 5; predicted 0
            {1, 1, 1, 1, 1, 1}};     // label 1: ties, rank 1 → in top 5
        int[] labels = {0, 4, 5, 5, 1};
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(identityClassifier(6), manager)) {
            EvaluationResult r = Evaluator.evaluate(block, batches(logits, labels, 5).iterator(), 6, manager);
            assertThat(r.top5()).hasValue(3 / 5.0);
            assertThat(r.top1()).isEqualTo(1 / 5.0);
            assertThat(r.confusion()[5]).containsExactly(2, 0, 0, 0, 0, 0);
            assertThat(r.confusion()[1]).containsExactly(1, 0, 0, 0, 0, 0);
            double[] perClass = r.perClassAccuracy();
            assertThat(perClass[0]).isEqualTo(1.0);
            assertThat(perClass[2]).isNaN();
            assertThat(perClass[5]).isEqualTo(0.0);
        }
    }

    @Test
    void closesEveryBatchManagerAndSwitchesGradientsOffOnlyWhileRunning() throws Exception {
        Engines.start();
        float[][] logits = new float[40][];
        int[] labels = new int[40];
        for (int i = 0; i < 40; i++) {
            logits[i] = new float[] {i % 3, (i * 7) % 5, 1};
            labels[i] = i % 3;
        }
        List<Boolean> gradDuringRun = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(identityClassifier(3), manager)) {
            int before = resourceCount(manager);
            Iterator<Batch> source = batches(logits, labels, 8, 8, 8, 8, 8).iterator();
            Iterator<Batch> watched = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return source.hasNext();
                }

                @Override
                public Batch next() {
                    gradDuringRun.add(NoGradScope.gradientsRecorded());
                    return source.next();
                }
            };
            boolean previous = NoGradScope.gradientsRecorded();
            JniUtils.setGradMode(true);
            try {
                Evaluator.evaluate(block, watched, 3, manager);
                assertThat(NoGradScope.gradientsRecorded()).as("grad mode restored afterwards").isTrue();
            } finally {
                JniUtils.setGradMode(previous);
            }
            assertThat(resourceCount(manager)).as("resources left on the caller's manager").isEqualTo(before);
            assertThat(gradDuringRun).hasSize(5).containsOnly(false);

            // the check can fail: a sub-manager left open is counted
            NDManager leaked = manager.newSubManager();
            assertThat(resourceCount(manager)).isEqualTo(before + 1);
            leaked.close();
        }
    }

    @Test
    void refusesAnOutputThatDoesNotMatchTheClassCount() {
        Engines.start();
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(identityClassifier(3), manager)) {
            Iterator<Batch> b = batches(new float[][] {{1, 2, 3}}, new int[] {0}, 1).iterator();
            assertThatThrownBy(() -> Evaluator.evaluate(block, b, 4, manager))
                    .hasMessageContaining("[1, 4]");
        }
    }

    @Test
    void evaluatesADatasetSplit(@TempDir Path dir) {
        Engines.start();
        // 1x1x3 grey images whose pixels are the logits (scaled by 1/255); labels follow the brightest pixel but
        // every fourth image is labelled one class off
        int n = 40;
        int[] labels = new int[n];
        byte[][] images = new byte[n][];
        int[] expectedCorrect = new int[3];
        int[] expectedTotal = new int[3];
        for (int i = 0; i < n; i++) {
            int bright = i % 3;
            images[i] = new byte[3];
            images[i][bright] = (byte) 200;
            images[i][(bright + 1) % 3] = (byte) 50;
            labels[i] = i % 4 == 0 ? (bright + 1) % 3 : bright;
        }
        Path zip = IdxZip.write(dir.resolve("d.zip"), 1, 3, images, labels);
        try (Dataset dataset = Dataset.open(zip, DatasetOptions.defaults().withValFraction(0));
             NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(identityClassifier(3), manager)) {
            assertThat(dataset.classCount()).isEqualTo(3);
            EvaluationResult r = Evaluator.evaluate(block, dataset, Split.TRAIN, 7, manager);
            long[][] confusion = new long[3][3];
            for (int i = 0; i < n; i++) {
                confusion[labels[i]][i % 3]++;
            }
            assertThat(r.samples()).isEqualTo(n);
            assertThat(r.confusion()).isDeepEqualTo(confusion);
            assertThat(r.top1()).isEqualTo(30 / 40.0);
        }
    }

    public static int resourceCount(NDManager manager) throws ReflectiveOperationException {
        Field resources = BaseNDManager.class.getDeclaredField("resources");
        resources.setAccessible(true);
        return ((Map<?, ?>) resources.get(manager)).size();
    }
}
