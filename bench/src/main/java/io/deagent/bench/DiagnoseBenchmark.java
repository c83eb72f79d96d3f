package io.deagent.bench;

import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Reading and classifying a generated Spark driver log of {@code sizeMB} megabytes (512 by default).
 *
 * <p>Each iteration is one pass over the whole file ({@link Mode#SingleShotTime}); the score is seconds per
 * pass. The fork runs with {@code -Xmx256m} and the CLI's serial collector, so a pass that held the file, or a
 * large part of it, in memory would fail with an {@link OutOfMemoryError}. After each iteration the benchmark
 * prints the throughput in MB/s and the peak heap: the sum of the peak usage of every heap pool since the
 * iteration started (reset after a full GC), which counts garbage not yet collected, so it is an upper bound of
 * what the pass needs. At the end of the trial it prints one {@code BENCH-RESULT} line that {@code bench/run.sh}
 * reads.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar DiagnoseBenchmark} from the repository root; the log is
 * generated at {@code bench/data/spark-driver-512m.log} when it is missing. Another file or size:
 * {@code -p file=PATH -p sizeMB=N}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms64m", "-Xmx256m", "-XX:+UseSerialGC"})
@State(Scope.Benchmark)
public class DiagnoseBenchmark {

    /** The log to read; generated with {@link SparkLogGenerator} when missing or smaller than {@link #sizeMB}. */
    @Param("bench/data/spark-driver-512m.log")
    public String file;

    @Param("512")
    public int sizeMB;

    private Path path;
    private double megabytes;
    private List<MemoryPoolMXBean> heapPools;
    private final List<Double> mbPerSec = new ArrayList<>();
    private double maxPeakHeapMb;
    private long lastNanos;
    private String lastCategory = "-";

    @Setup(Level.Trial)
    public void trial() throws IOException {
        path = Path.of(file);
        long bytes = sizeMB * SparkLogGenerator.MB;
        if (!Files.isRegularFile(path) || Files.size(path) < bytes) {
            System.out.printf("%ngenerating %s (%d MB)...%n", path, sizeMB);
            long t0 = System.nanoTime();
            SparkLogGenerator.generate(path, bytes, SparkLogGenerator.DEFAULT_SEED);
            System.out.printf("generated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        megabytes = Files.size(path) / (double) SparkLogGenerator.MB;
        heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .toList();
    }

    @Setup(Level.Iteration)
    public void resetPeak() {
        System.gc();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The reader alone: the byte scan, the keyword filter, and decoding the lines it keeps. */
    @Benchmark
    public LogDocument read() throws IOException {
        long t0 = System.nanoTime();
        LogDocument doc = new LogReader().read(path);
        lastNanos = System.nanoTime() - t0;
        lastCategory = "-";
        return doc;
    }

    /** What {@code de-agent diagnose --json FILE} does in-process: read, classify, and write the JSON. */
    @Benchmark
    public String readAndDiagnose() throws IOException {
        long t0 = System.nanoTime();
        LogDocument doc = new LogReader().read(path);
        Diagnosis d = LogDiagnoser.builtIn().diagnose(doc, Optional.empty(), List.of());
        String json = DiagnosisJson.write(d);
        lastNanos = System.nanoTime() - t0;
        lastCategory = d.category() + String.format(Locale.ROOT, " (%.2f)", d.confidence());
        return json;
    }

    @TearDown(Level.Iteration)
    public void report(IterationParams iteration) {
        long peak = 0;
        for (MemoryPoolMXBean p : heapPools) {
            peak += p.getPeakUsage().getUsed();
        }
        double peakMb = peak / (double) SparkLogGenerator.MB;
        double rate = megabytes / (lastNanos / 1e9);
        boolean measured = iteration.getType() == IterationType.MEASUREMENT;
        if (measured) {
            mbPerSec.add(rate);
            maxPeakHeapMb = Math.max(maxPeakHeapMb, peakMb);
        }
        System.out.printf(
                Locale.ROOT,
                "  [%s] %.0f MB in %.3f s = %.1f MB/s, peak heap %.1f MB, category %s%n",
                measured ? "measure" : "warmup",
                megabytes,
                lastNanos / 1e9,
                rate,
                peakMb,
                lastCategory);
    }

    @TearDown(Level.Trial)
    public void summary(BenchmarkParams params) {
        if (mbPerSec.isEmpty()) {
            return;
        }
        List<Double> sorted = new ArrayList<>(mbPerSec);
        Collections.sort(sorted);
        double median = sorted.get(sorted.size() / 2);
        double best = sorted.get(sorted.size() - 1);
        String name = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        System.out.printf(
                Locale.ROOT,
                "%nBENCH-RESULT benchmark=%s file_mb=%.1f mbps_median=%.1f mbps_best=%.1f peak_heap_mb=%.1f"
                        + " max_heap_mb=%.0f category=%s%n",
                name,
                megabytes,
                median,
                best,
                maxPeakHeapMb,
                Runtime.getRuntime().maxMemory() / (double) SparkLogGenerator.MB,
                lastCategory.replace(' ', '_'));
    }
}
