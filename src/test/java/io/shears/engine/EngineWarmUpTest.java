package io.shears.engine;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.training.TrainingSlot;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineWarmUpTest {
    private static EngineInfo engine;

    @TempDir
    Path work;

    @BeforeAll
    static void startEngine() {
        engine = Engines.start();
    }

    @Test
    void everyRoundTrainsTheGeneratedModelAndLeavesNothingInTheWorkDirectory() throws Exception {
        EngineWarmUp.Report report = EngineWarmUp.run(EngineSettings.fromSystemProperties(),
                engine.intraopThreads(), work, 2);

        assertThat(report.rounds()).isEqualTo(2);
        assertThat(report.trainSteps()).isEqualTo(2L * EngineWarmUp.TRAIN_IMAGES / EngineWarmUp.BATCH);
        // one class in four by chance; each class lights its own quadrant, so one epoch learns it
        assertThat(report.lastTop1()).isGreaterThan(0.5);
        assertThat(report.seconds()).isPositive();
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theGeneratedModelRunsInOnnxRuntimeAtAnyBatchSize() {
        ModelProto model = WarmUpModel.build(EngineWarmUp.SIDE, 8, WarmUpImages.CLASSES, 1);
        for (int batch : new int[] {1, 3}) {
            long[] shape = {batch, 1, EngineWarmUp.SIDE, EngineWarmUp.SIDE};
            float[] input = OrtRunner.randomInput(batch, shape);
            assertThat(OrtRunner.outputShape(model.toByteArray(), input, shape))
                    .containsExactly(batch, WarmUpImages.CLASSES);
        }
    }

    @Test
    void theSameSeedBuildsTheSameModelBytes() {
        byte[] first = WarmUpModel.build(EngineWarmUp.SIDE, 8, WarmUpImages.CLASSES, 5).toByteArray();
        byte[] again = WarmUpModel.build(EngineWarmUp.SIDE, 8, WarmUpImages.CLASSES, 5).toByteArray();
        byte[] other = WarmUpModel.build(EngineWarmUp.SIDE, 8, WarmUpImages.CLASSES, 6).toByteArray();
        assertThat(again).isEqualTo(first);
        assertThat(Arrays.equals(other, first)).isFalse();
    }

    @Test
    void itTrainsOnlyOnceTheJobHoldingTheTrainingSlotLetsGo() throws Exception {
        AtomicReference<EngineWarmUp.Report> report = new AtomicReference<>();
        Thread warmUp;
        try (TrainingSlot job = TrainingSlot.acquire()) {
            warmUp = new Thread(() -> report.set(EngineWarmUp.run(EngineSettings.fromSystemProperties(),
                    engine.intraopThreads(), work, 1)));
            warmUp.start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!waitsForTheSlot(warmUp) && warmUp.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(waitsForTheSlot(warmUp)).as("the warm-up waits for the slot the job holds").isTrue();
            assertThat(report.get()).isNull();
        }
        warmUp.join(60_000);
        assertThat(report.get()).isNotNull();
        assertThat(report.get().trainSteps()).isPositive();
    }

    @Test
    void aWarmUpInterruptedWhileItWaitsToTrainIsCancelled() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (TrainingSlot job = TrainingSlot.acquire()) {
            Thread warmUp = new Thread(() -> {
                try {
                    EngineWarmUp.run(EngineSettings.fromSystemProperties(), engine.intraopThreads(), work, 1);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            warmUp.start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!waitsForTheSlot(warmUp) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            warmUp.interrupt();
            warmUp.join(60_000);
        }
        assertThat(failure.get()).isInstanceOf(CancellationException.class);
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("the cancelled warm-up's directory is gone").isEmpty();
        }
    }

    @Test
    void zeroRoundsDoNothingAndANegativeCountIsRefused() {
        EngineWarmUp.Report none = EngineWarmUp.run(EngineSettings.fromSystemProperties(), 1, work, 0);
        assertThat(none.rounds()).isZero();
        assertThat(none.trainSteps()).isZero();
        assertThatThrownBy(() -> EngineWarmUp.run(EngineSettings.fromSystemProperties(), 1, work, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    private static boolean waitsForTheSlot(Thread thread) {
        return Arrays.stream(thread.getStackTrace()).anyMatch(frame ->
                frame.getClassName().equals(TrainingSlot.class.getName()) && frame.getMethodName().equals("acquire"));
    }
}
