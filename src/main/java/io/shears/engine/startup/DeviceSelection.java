package io.shears.engine.startup;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which devices the engine's work runs on ({@link EngineSettings#device()}, property {@value
 * EngineSettings#DEVICE_PROPERTY}): {@code auto} is every GPU the engine reports and the CPU when there is none;
 * {@code cpu} the CPU; {@code gpu} every GPU; {@code gpu:N} GPU N alone. A service runs one worker per device of
 * {@link #workerDevices()}; each worker builds its block on a manager of its device ({@code
 * NDManager.newBaseManager(device)}) and runs the fine-tuner, evaluator or recalibration with that manager.
 *
 * <p>Resolving asks the running engine how many GPUs it sees, so start it ({@link EngineSetup#start}) first. A GPU
 * that is asked for and absent is refused with {@link EngineProblem#DEVICE_UNAVAILABLE} rather than falling back to
 * the CPU, which would be an unannounced slowdown of one or two orders of magnitude.
 */
public final class DeviceSelection {
    public static final DeviceSelection AUTO = new DeviceSelection(Kind.AUTO, -1);
    public static final DeviceSelection CPU = new DeviceSelection(Kind.CPU, -1);
    public static final DeviceSelection ALL_GPUS = new DeviceSelection(Kind.GPU, -1);

    private enum Kind {
        AUTO, CPU, GPU
    }

    private final Kind kind;
    /** The GPU index of {@code gpu:N}; -1 for every GPU (or none). */
    private final int gpu;

    private DeviceSelection(Kind kind, int gpu) {
        this.kind = kind;
        this.gpu = gpu;
    }

    /** GPU {@code index} alone. */
    public static DeviceSelection gpu(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("a GPU index is 0 or more, got " + index);
        }
        return new DeviceSelection(Kind.GPU, index);
    }

    /** Reads {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N} (case and surrounding blanks ignored). */
    public static DeviceSelection parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "gpu":
                return ALL_GPUS;
            default:
                break;
        }
        if (value.startsWith("gpu:")) {
            String index = value.substring(4);
            if (!index.isEmpty() && index.chars().allMatch(Character::isDigit) && index.length() <= 9) {
                return gpu(Integer.parseInt(index));
            }
        }
        throw new IllegalArgumentException("unknown device '" + text + "'; expected auto, cpu, gpu or gpu:N");
    }

    /** The devices to run one worker each on, given the GPUs the running engine reports. */
    public List<Device> workerDevices() {
        return workerDevices(Engine.getInstance().getGpuCount());
    }

    /** The first worker device: where single-device work (a command-line run) goes. */
    public Device primaryDevice() {
        return workerDevices().get(0);
    }

    /** {@link #workerDevices()} for an engine that reports {@code gpuCount} GPUs. */
    List<Device> workerDevices(int gpuCount) {
        switch (kind) {
            case CPU:
                return List.of(Device.cpu());
            case AUTO:
                return gpuCount > 0 ? gpus(gpuCount) : List.of(Device.cpu());
            default:
                if (gpuCount == 0) {
                    throw new EngineSetupException(EngineProblem.DEVICE_UNAVAILABLE, "device " + this
                            + " was asked for, but the engine reports no GPU (CPU-only PyTorch build, or no CUDA "
                            + "device visible); use " + EngineSettings.DEVICE_PROPERTY + "=cpu or auto");
                }
                if (gpu >= gpuCount) {
                    throw new EngineSetupException(EngineProblem.DEVICE_UNAVAILABLE, "device " + this
                            + " was asked for, but the engine reports " + gpuCount + " GPU(s), gpu:0 to gpu:"
                            + (gpuCount - 1));
                }
                return gpu < 0 ? gpus(gpuCount) : List.of(Device.gpu(gpu));
        }
    }

    private static List<Device> gpus(int count) {
        List<Device> devices = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            devices.add(Device.gpu(i));
        }
        return List.copyOf(devices);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceSelection other && kind == other.kind && gpu == other.gpu;
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + gpu;
    }

    /** The form {@link #parse} reads. */
    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case GPU -> gpu < 0 ? "gpu" : "gpu:" + gpu;
        };
    }
}
