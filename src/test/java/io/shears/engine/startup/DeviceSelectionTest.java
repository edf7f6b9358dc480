package io.shears.engine.startup;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.shears.data.Batch;
import io.shears.engine.Engines;
import io.shears.engine.evaluation.EvaluationResult;
import io.shears.engine.evaluation.Evaluator;
import io.shears.engine.evaluation.EvaluatorTest;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The device setting: parsing, resolution against the GPUs the engine reports, and work on the chosen device. */
class DeviceSelectionTest {
    @Test
    void parsesTheFourForms() {
        assertThat(DeviceSelection.parse("auto")).isEqualTo(DeviceSelection.AUTO);
        assertThat(DeviceSelection.parse(" CPU ")).isEqualTo(DeviceSelection.CPU);
        assertThat(DeviceSelection.parse("gpu")).isEqualTo(DeviceSelection.ALL_GPUS);
        assertThat(DeviceSelection.parse("GPU:3")).isEqualTo(DeviceSelection.gpu(3));
        for (String form : List.of("auto", "cpu", "gpu", "gpu:0", "gpu:12")) {
            assertThat(DeviceSelection.parse(form)).hasToString(form);
        }
    }

    @Test
    void refusesOtherForms() {
        for (String bad : List.of("", "tpu", "gpu:", "gpu:-1", "gpu:x", "gpu:1:2", "cuda:0", "gpu:99999999999")) {
            assertThatThrownBy(() -> DeviceSelection.parse(bad)).as("'" + bad + "'")
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto, cpu, gpu or gpu:N");
        }
    }

    @Test
    void resolvesAgainstTheReportedGpuCount() {
        assertThat(DeviceSelection.AUTO.workerDevices(0)).containsExactly(Device.cpu());
        assertThat(DeviceSelection.AUTO.workerDevices(2)).containsExactly(Device.gpu(0), Device.gpu(1));
        assertThat(DeviceSelection.CPU.workerDevices(2)).containsExactly(Device.cpu());
        assertThat(DeviceSelection.ALL_GPUS.workerDevices(2)).containsExactly(Device.gpu(0), Device.gpu(1));
        assertThat(DeviceSelection.gpu(1).workerDevices(2)).containsExactly(Device.gpu(1));
        assertUnavailable(() -> DeviceSelection.gpu(2).workerDevices(2), "reports 2 GPU(s)");
        assertUnavailable(() -> DeviceSelection.gpu(0).workerDevices(0), "reports no GPU");
        assertUnavailable(() -> DeviceSelection.ALL_GPUS.workerDevices(0), "reports no GPU");
    }

    private static void assertUnavailable(Runnable resolve, String detail) {
        assertThatThrownBy(resolve::run).isInstanceOfSatisfying(EngineSetupException.class,
                e -> assertThat(e.problem()).isEqualTo(EngineProblem.DEVICE_UNAVAILABLE)).hasMessageContaining(detail);
    }

    @Test
    void theSettingComesFromTheSystemPropertyAndDefaultsToAuto() {
        String saved = System.getProperty(EngineSettings.DEVICE_PROPERTY);
        try {
            System.clearProperty(EngineSettings.DEVICE_PROPERTY);
            assertThat(EngineSettings.fromSystemProperties().device()).isEqualTo(DeviceSelection.AUTO);
            System.setProperty(EngineSettings.DEVICE_PROPERTY, "gpu:1");
            assertThat(EngineSettings.fromSystemProperties().device()).isEqualTo(DeviceSelection.gpu(1));
            System.setProperty(EngineSettings.DEVICE_PROPERTY, "npu");
            assertThatThrownBy(EngineSettings::fromSystemProperties).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(EngineSettings.DEVICE_PROPERTY);
        } finally {
            if (saved == null) {
                System.clearProperty(EngineSettings.DEVICE_PROPERTY);
            } else {
                System.setProperty(EngineSettings.DEVICE_PROPERTY, saved);
            }
        }
        assertThat(EngineSettings.defaults().device()).isEqualTo(DeviceSelection.AUTO);
        assertThat(new EngineSettings(null, 1, 2).device()).isEqualTo(DeviceSelection.AUTO);
    }

    @Test
    void onThisMachineAutoIsWhatTheEngineReports() {
        Engines.start();
        int gpus = Engine.getInstance().getGpuCount();
        List<Device> expected = gpus == 0 ? List.of(Device.cpu()) : DeviceSelection.ALL_GPUS.workerDevices();
        assertThat(DeviceSelection.AUTO.workerDevices()).isEqualTo(expected);
        assertThat(DeviceSelection.CPU.workerDevices()).containsExactly(Device.cpu());
    }

    @Test
    void onACpuOnlyMachineGpu0IsRefusedByCode() {
        Engines.start();
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        assertThat(DeviceSelection.AUTO.workerDevices()).containsExactly(Device.cpu());
        assertUnavailable(() -> DeviceSelection.parse("gpu:0").workerDevices(), "reports no GPU");
    }

    @Test
    void theBlockAndItsEvaluationRunOnTheSelectedDevice() {
        Engines.start();
        Device device = DeviceSelection.CPU.primaryDevice();
        try (NDManager manager = NDManager.newBaseManager(device);
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(EvaluatorTest.identityClassifier(3), manager)) {
            assertThat(block.device()).isEqualTo(device);
            List<Batch> batches = EvaluatorTest.batches(new float[][] {{5, 1, 0}, {0, 4, 1}, {0, 1, 0}},
                    new int[] {0, 1, 2}, 3);
            EvaluationResult result = Evaluator.evaluate(block, batches.iterator(), 3, manager);
            assertThat(result.top1()).isEqualTo(2.0 / 3);
        }
    }
}
