package io.deagent.bench;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

/**
 * Writes a deterministic, realistic Spark driver log (YARN client mode, Spark 3.5 log4j layout) of a given size:
 * millions of routine INFO lines from the scheduler, block manager and code generator, some WARN lines, a
 * sprinkle of errors the job recovered from (lost tasks retried, an executor lost and replaced, shuffle
 * connections retried, speculative attempts killed), a few lines of a megabyte or more (a plan dump, a long
 * pushed-down IN filter, a file listing), and near the end the real failure: a task that runs out of heap
 * four times, the aborted job, and the driver's {@code Exception in thread "main"} with its {@code Caused by:}.
 *
 * <p>The same seed and size always give the same bytes. Usage: {@code SparkLogGenerator [path] [sizeMB] [seed]}.
 */
public final class SparkLogGenerator {

    public static final Path DEFAULT_PATH = Path.of("bench/data/spark-driver-512m.log");
    public static final int DEFAULT_SIZE_MB = 512;
    public static final long DEFAULT_SEED = 20_261_120L;
    static final long MB = 1L << 20;

    /** Bytes kept free for the final failure and the shutdown, so the file ends close to the requested size. */
    private static final long TAIL_RESERVE = 16 * 1024;

    private SparkLogGenerator() {}

    public static void main(String[] args) throws IOException {
        Path path = args.length > 0 ? Path.of(args[0]) : DEFAULT_PATH;
        int sizeMb = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_SIZE_MB;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : DEFAULT_SEED;
        long t0 = System.nanoTime();
        long written = generate(path, sizeMb * MB, seed);
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "wrote %s: %,d bytes (%.1f MB) in %.2f s (%.0f MB/s)%n",
                path, written, written / (double) MB, secs, written / (double) MB / secs);
    }

    /** Generates the log at {@code path} unless a file of at least {@code bytes} is already there. */
    public static Path ensure(Path path, long bytes) throws IOException {
        if (!Files.isRegularFile(path) || Files.size(path) < bytes) {
            generate(path, bytes, DEFAULT_SEED);
        }
        return path;
    }

    /** Writes about {@code bytes} bytes (a little more: the failure is written in full) and returns the count. */
    public static long generate(Path path, long bytes, long seed) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            long written;
            try (Sink out = new Sink(FileChannel.open(tmp, StandardOpenOption.WRITE))) {
                new Writer(out, seed, bytes).run();
                written = out.written();
            }
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException notPosix) {
                // the temporary file's default permissions are fine there
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return written;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** An ASCII byte buffer in front of a file channel. */
    static final class Sink implements Closeable {
        private final FileChannel channel;
        private final byte[] buf = new byte[4 << 20];
        private int pos;
        private long flushed;

        Sink(FileChannel channel) {
            this.channel = channel;
        }

        long written() {
            return flushed + pos;
        }

        private void room(int n) throws IOException {
            if (buf.length - pos < n) {
                flush();
            }
        }

        Sink put(String s) throws IOException {
            int n = s.length();
            int i = 0;
            while (i < n) {
                room(Math.min(n - i, 4096));
                int end = Math.min(n, i + (buf.length - pos));
                for (; i < end; i++) {
                    buf[pos++] = (byte) s.charAt(i);
                }
            }
            return this;
        }

        Sink put(char c) throws IOException {
            room(1);
            buf[pos++] = (byte) c;
            return this;
        }

        Sink put(long v) throws IOException {
            room(20);
            if (v < 0) {
                buf[pos++] = '-';
                v = -v;
            }
            if (v == 0) {
                buf[pos++] = '0';
                return this;
            }
            int start = pos;
            while (v > 0) {
                buf[pos++] = (byte) ('0' + v % 10);
                v /= 10;
            }
            for (int a = start, b = pos - 1; a < b; a++, b--) {
                byte t = buf[a];
                buf[a] = buf[b];
                buf[b] = t;
            }
            return this;
        }

        /** {@code v / 10^decimals} with exactly {@code decimals} digits after the point. */
        Sink fixed(long v, int decimals) throws IOException {
            long scale = 1;
            for (int i = 0; i < decimals; i++) {
                scale *= 10;
            }
            put(v / scale);
            if (decimals > 0) {
                put('.');
                long frac = v % scale;
                for (long s = scale / 10; s > 0; s /= 10) {
                    put((char) ('0' + (frac / s) % 10));
                }
            }
            return this;
        }

        Sink zeroPad(long v, int width) throws IOException {
            String s = Long.toString(v);
            for (int i = s.length(); i < width; i++) {
                put('0');
            }
            return put(s);
        }

        Sink put(byte[] b) throws IOException {
            room(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
            return this;
        }

        void flush() throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, pos);
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
            flushed += pos;
            pos = 0;
        }

        @Override
        public void close() throws IOException {
            flush();
            channel.close();
        }
    }

    /** One executor of the simulated application. */
    private record Executor(int id, String host, int port) {}

    /** A task attempt that is running. */
    private static final class Running {
        int index;
        int attempt;
        long tid;
        Executor executor;
        long startMillis;
    }

    /** The simulation: jobs of one to three stages, each with a few hundred to a few thousand tasks. */
    private static final class Writer {
        private static final String[] CALL_SITES = {
            "save at NativeMethodAccessorImpl.java:0",
            "parquet at DailyAggregates.scala:74",
            "count at DailyAggregates.scala:61",
            "insertInto at DailyAggregates.scala:88",
            "collect at DailyAggregates.scala:52",
            "run at ThreadPoolExecutor.java:1136",
        };
        private static final String[] LOCALITY = {"PROCESS_LOCAL", "NODE_LOCAL", "NODE_LOCAL", "RACK_LOCAL", "ANY"};
        private static final int[] STAGE_TASKS = {200, 200, 400, 800, 1200, 2000};
        private static final String APP = "application_1763600000000_4821";
        private static final String DRIVER = "10.0.3.5";

        private final Sink out;
        private final SplittableRandom rnd;
        private final long target;
        private final Executor[] executors;
        private final int slots;
        private final Running[] running;
        private int runningCount;

        private long clock; // epoch millis
        private long tsSecond = Long.MIN_VALUE;
        private byte[] ts;
        private long tid;
        private int stage;
        private int job;
        private int rdd = 3;
        private int broadcast;
        private int shuffle;
        private long accumulator = 1200;
        private int nextExecutorId;
        private long epoch = 1;
        private int longLinesDone;

        Writer(Sink out, long seed, long target) {
            this.out = out;
            this.rnd = new SplittableRandom(seed);
            this.target = target;
            this.clock = LocalDateTime.of(2026, 11, 20, 3, 14, 7)
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
            this.executors = new Executor[20];
            for (int i = 0; i < executors.length; i++) {
                executors[i] = newExecutor(i + 1, i);
            }
            this.nextExecutorId = executors.length + 1;
            this.slots = executors.length * 4;
            this.running = new Running[slots * 2];
        }

        private Executor newExecutor(int id, int slot) {
            return new Executor(id, "10.0.3." + (11 + slot + 40 * (id / 21)), 35000 + rnd.nextInt(20000));
        }

        void run() throws IOException {
            startup();
            while (out.written() + 3 * MB + TAIL_RESERVE < target) {
                job();
                if (longLinesDone < 4 && out.written() > target / 5 * (longLinesDone + 1)) {
                    longLine(longLinesDone++);
                }
            }
            // the last, smaller jobs bring the log close to its size before the failing job
            while (out.written() + TAIL_RESERVE < target) {
                smallJob();
            }
            failingJob();
            shutdown();
        }

        // ---- lines ----

        private Sink line(String level, String logger) throws IOException {
            clock += rnd.nextInt(6);
            long second = clock / 1000;
            if (second != tsSecond) {
                tsSecond = second;
                LocalDateTime t = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
                ts = String.format(
                                "%02d/%02d/%02d %02d:%02d:%02d ",
                                t.getYear() % 100,
                                t.getMonthValue(),
                                t.getDayOfMonth(),
                                t.getHour(),
                                t.getMinute(),
                                t.getSecond())
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            }
            return out.put(ts).put(level).put(' ').put(logger).put(": ");
        }

        private Sink info(String logger) throws IOException {
            return line("INFO", logger);
        }

        private Sink warn(String logger) throws IOException {
            return line("WARN", logger);
        }

        private Sink error(String logger) throws IOException {
            return line("ERROR", logger);
        }

        private void nl() throws IOException {
            out.put('\n');
        }

        private Sink size(long bytes) throws IOException {
            if (bytes < 1024) {
                return out.put(bytes).put(".0 B");
            }
            if (bytes < 1024 * 1024) {
                return out.fixed(bytes * 10 / 1024, 1).put(" KiB");
            }
            if (bytes < 1024L * 1024 * 1024) {
                return out.fixed(bytes * 10 / (1024 * 1024), 1).put(" MiB");
            }
            return out.fixed(bytes * 10 / (1024L * 1024 * 1024), 1).put(" GiB");
        }

        private Executor anyExecutor() {
            return executors[rnd.nextInt(executors.length)];
        }

        private String callSite() {
            return CALL_SITES[rnd.nextInt(CALL_SITES.length)];
        }

        // ---- the application ----

        private void startup() throws IOException {
            info("SparkContext").put("Running Spark version 3.5.3").put('\n');
            info("SparkContext").put("OS info Linux, 5.10.228-219.884.amzn2.x86_64, amd64");
            nl();
            info("SparkContext").put("Java version 17.0.13");
            nl();
            warn("NativeCodeLoader")
                    .put("Unable to load native-hadoop library for your platform... "
                            + "using builtin-java classes where applicable");
            nl();
            info("ResourceUtils").put("==============================================================");
            nl();
            info("ResourceUtils").put("No custom resources configured for spark.driver.");
            nl();
            info("SparkContext").put("Submitted application: daily_aggregates");
            nl();
            info("ResourceProfile")
                    .put("Default ResourceProfile created, executor resources: Map(cores -> name: cores, amount: 4,"
                            + " script: , vendor: , memory -> name: memory, amount: 8192, script: , vendor: ,"
                            + " offHeap -> name: offHeap, amount: 0, script: , vendor: ), task resources:"
                            + " Map(cpus -> name: cpus, amount: 1.0)");
            nl();
            info("SecurityManager").put("Changing view acls to: hadoop");
            nl();
            info("SecurityManager")
                    .put("SecurityManager: authentication disabled; ui acls disabled; users with view permissions:"
                            + " hadoop; groups with view permissions: EMPTY; users with modify permissions: hadoop;"
                            + " groups with modify permissions: EMPTY");
            nl();
            info("Utils").put("Successfully started service 'sparkDriver' on port 41235.");
            nl();
            info("SparkEnv").put("Registering MapOutputTracker");
            nl();
            info("SparkEnv").put("Registering BlockManagerMaster");
            nl();
            info("BlockManagerMasterEndpoint")
                    .put("Using org.apache.spark.storage.DefaultTopologyMapper for getting topology information");
            nl();
            info("DiskBlockManager")
                    .put("Created local directory at /mnt/tmp/blockmgr-5f0c0d5e-1a54-4a0c-9a4b-1f5b0f3c2d11");
            nl();
            info("MemoryStore").put("MemoryStore started with capacity 2004.6 MiB");
            nl();
            info("Utils").put("Successfully started service 'SparkUI' on port 4040.");
            nl();
            info("DefaultNoHARMFailoverProxyProvider")
                    .put("Connecting to ResourceManager at ip-10-0-3-4/10.0.3.4:8032");
            nl();
            info("Client").put("Requesting a new application from cluster with 24 NodeManagers");
            nl();
            info("Client").put("Submitting application " + APP + " to ResourceManager");
            nl();
            info("YarnClientImpl").put("Submitted application " + APP);
            nl();
            info("Client").put("Application report for " + APP + " (state: ACCEPTED)");
            nl();
            info("Client").put("Application report for " + APP + " (state: RUNNING)");
            nl();
            info("YarnClientSchedulerBackend").put("Application " + APP + " has started running.");
            nl();
            info("BlockManager").put("Initialized BlockManager: BlockManagerId(driver, " + DRIVER + ", 41237, None)");
            nl();
            for (Executor e : executors) {
                registerExecutor(e);
            }
            info("YarnClientSchedulerBackend")
                    .put("SchedulerBackend is ready for scheduling beginning after reached"
                            + " minRegisteredResourcesRatio: 0.8");
            nl();
            info("SharedState").put("Warehouse path is 's3://acme-lake/warehouse'.");
            nl();
        }

        private void registerExecutor(Executor e) throws IOException {
            info("YarnSchedulerBackend$YarnDriverEndpoint")
                    .put("Registered executor NettyRpcEndpointRef(spark-client://Executor) (")
                    .put(e.host())
                    .put(':')
                    .put(40000 + rnd.nextInt(20000))
                    .put(") with ID ")
                    .put(e.id())
                    .put(",  ResourceProfileId 0");
            nl();
            info("BlockManagerMasterEndpoint")
                    .put("Registering block manager ")
                    .put(e.host())
                    .put(':')
                    .put(e.port())
                    .put(" with 4.1 GiB RAM, BlockManagerId(")
                    .put(e.id())
                    .put(", ")
                    .put(e.host())
                    .put(", ")
                    .put(e.port())
                    .put(", None)");
            nl();
        }

        private void job() throws IOException {
            int stages = 1 + rnd.nextInt(3);
            String site = callSite();
            int jobId = job++;
            long jobStart = clock;
            int tasks = STAGE_TASKS[rnd.nextInt(STAGE_TASKS.length)];
            info("SparkContext").put("Starting job: ").put(site);
            nl();
            int first = stage;
            int result = first + stages - 1;
            info("DAGScheduler")
                    .put("Got job ")
                    .put(jobId)
                    .put(" (")
                    .put(site)
                    .put(") with ")
                    .put(tasks)
                    .put(" output partitions");
            nl();
            info("DAGScheduler")
                    .put("Final stage: ResultStage ")
                    .put(result)
                    .put(" (")
                    .put(site)
                    .put(')');
            nl();
            info("DAGScheduler").put("Parents of final stage: List(");
            for (int s = first; s < result; s++) {
                out.put(s == first ? "" : ", ").put("ShuffleMapStage ").put(s);
            }
            out.put(')');
            nl();
            info("DAGScheduler").put("Missing parents: List(");
            for (int s = first; s < result; s++) {
                out.put(s == first ? "" : ", ").put("ShuffleMapStage ").put(s);
            }
            out.put(')');
            nl();
            for (int s = first; s <= result; s++) {
                stage = s + 1;
                runStage(s, s == result, s == result ? tasks : STAGE_TASKS[rnd.nextInt(STAGE_TASKS.length)], site);
            }
            info("DAGScheduler")
                    .put("Job ")
                    .put(jobId)
                    .put(" is finished. Cancelling potential speculative or zombie tasks for this job");
            nl();
            info("TaskSchedulerImpl")
                    .put("Killing all running tasks in stage ")
                    .put(result)
                    .put(": Stage finished");
            nl();
            info("DAGScheduler")
                    .put("Job ")
                    .put(jobId)
                    .put(" finished: ")
                    .put(site)
                    .put(", took ")
                    .fixed((clock - jobStart) * 1000L + rnd.nextInt(1000), 6)
                    .put(" s");
            nl();
            if (site.startsWith("save") || site.startsWith("insertInto") || site.startsWith("parquet")) {
                String uuid = uuid();
                info("FileFormatWriter")
                        .put("Start to commit write Job ")
                        .put(uuid)
                        .put('.');
                nl();
                info("FileFormatWriter")
                        .put("Write Job ")
                        .put(uuid)
                        .put(" committed. Elapsed time: ")
                        .put(40 + rnd.nextInt(3000))
                        .put(" ms.");
                nl();
                info("FileFormatWriter")
                        .put("Finished processing stats for write job ")
                        .put(uuid)
                        .put('.');
                nl();
            }
            cleanup();
        }

        private void smallJob() throws IOException {
            String site = "count at DailyAggregates.scala:61";
            int jobId = job++;
            int s = stage++;
            info("SparkContext").put("Starting job: ").put(site);
            nl();
            info("DAGScheduler").put("Got job ").put(jobId).put(" (").put(site).put(") with 1 output partitions");
            nl();
            runStage(s, true, 1 + rnd.nextInt(40), site);
            info("DAGScheduler")
                    .put("Job ")
                    .put(jobId)
                    .put(" finished: ")
                    .put(site)
                    .put(", took ")
                    .fixed(rnd.nextInt(2_000_000), 6)
                    .put(" s");
            nl();
        }

        private void cleanup() throws IOException {
            int n = rnd.nextInt(12);
            for (int i = 0; i < n; i++) {
                info("ContextCleaner").put("Cleaned accumulator ").put(accumulator++);
                nl();
            }
            if (broadcast > 2) {
                int b = broadcast - 2;
                for (int i = 0; i < 3; i++) {
                    Executor e = anyExecutor();
                    info("BlockManagerInfo")
                            .put("Removed broadcast_")
                            .put(b)
                            .put("_piece0 on ")
                            .put(e.host())
                            .put(':')
                            .put(e.port())
                            .put(" in memory (size: ");
                    size(8_000 + rnd.nextInt(40_000)).put(", free: ");
                    size(4_000_000_000L + rnd.nextInt(300_000_000)).put(')');
                    nl();
                }
            }
            if (rnd.nextInt(3) == 0 && shuffle > 1) {
                info("ContextCleaner").put("Cleaned shuffle ").put(shuffle - 2);
                nl();
            }
        }

        private void broadcastBlock(String site) throws IOException {
            int b = broadcast++;
            info("MemoryStore").put("Block broadcast_").put(b).put(" stored as values in memory (estimated size ");
            size(20_000 + rnd.nextInt(400_000)).put(", free ");
            size(2_000_000_000L + rnd.nextInt(100_000_000)).put(')');
            nl();
            info("MemoryStore")
                    .put("Block broadcast_")
                    .put(b)
                    .put("_piece0 stored as bytes in memory (estimated size ");
            size(8_000 + rnd.nextInt(90_000)).put(", free ");
            size(2_000_000_000L + rnd.nextInt(100_000_000)).put(')');
            nl();
            info("BlockManagerInfo")
                    .put("Added broadcast_")
                    .put(b)
                    .put("_piece0 in memory on ")
                    .put(DRIVER)
                    .put(":41237 (size: ");
            size(8_000 + rnd.nextInt(90_000)).put(", free: ");
            size(2_000_000_000L + rnd.nextInt(100_000_000)).put(')');
            nl();
            info("SparkContext")
                    .put("Created broadcast ")
                    .put(b)
                    .put(" from ")
                    .put(rnd.nextBoolean() ? "broadcast at DAGScheduler.scala:1585" : site);
            nl();
        }

        private void submitStage(int s, boolean resultStage, int tasks, String site) throws IOException {
            String kind = resultStage ? "ResultStage " : "ShuffleMapStage ";
            int r = rdd;
            rdd += 2 + rnd.nextInt(6);
            info("DAGScheduler")
                    .put("Submitting ")
                    .put(kind)
                    .put(s)
                    .put(" (MapPartitionsRDD[")
                    .put(r)
                    .put("] at ")
                    .put(site)
                    .put("), which has no missing parents");
            nl();
            if (rnd.nextInt(40) == 0) {
                warn("DAGScheduler").put("Broadcasting large task binary with size ");
                size(1_100_000 + rnd.nextInt(3_000_000));
                nl();
            }
            broadcastBlock(site);
            info("DAGScheduler")
                    .put("Submitting ")
                    .put(tasks)
                    .put(" missing tasks from ")
                    .put(kind)
                    .put(s)
                    .put(" (MapPartitionsRDD[")
                    .put(r)
                    .put("] at ")
                    .put(site)
                    .put(") (first 15 tasks are for partitions Vector(");
            for (int i = 0; i < Math.min(15, tasks); i++) {
                out.put(i == 0 ? "" : ", ").put(i);
            }
            out.put("))");
            nl();
            info("TaskSchedulerImpl")
                    .put("Adding task set ")
                    .put(s)
                    .put(".0 with ")
                    .put(tasks)
                    .put(" tasks resource profile 0");
            nl();
            if (rnd.nextInt(60) == 0) {
                warn("TaskSetManager")
                        .put("Stage ")
                        .put(s)
                        .put(" contains a task of very large size (")
                        .put(1001 + rnd.nextInt(4000))
                        .put(" KiB). The maximum recommended task size is 1000 KiB.");
                nl();
            }
            int codegens = rnd.nextInt(4);
            for (int i = 0; i < codegens; i++) {
                info("CodeGenerator").put("Code generated in ").fixed(1_000_000 + rnd.nextInt(60_000_000), 6);
                out.put(" ms");
                nl();
            }
        }

        private void startTask(int s, int index, int attempt) throws IOException {
            Running t = running[runningCount] == null ? new Running() : running[runningCount];
            running[runningCount++] = t;
            t.index = index;
            t.attempt = attempt;
            t.tid = tid++;
            t.executor = anyExecutor();
            t.startMillis = clock;
            info("TaskSetManager")
                    .put("Starting task ")
                    .put(index)
                    .put('.')
                    .put(attempt)
                    .put(" in stage ")
                    .put(s)
                    .put(".0 (TID ")
                    .put(t.tid)
                    .put(") (")
                    .put(t.executor.host())
                    .put(", executor ")
                    .put(t.executor.id())
                    .put(", partition ")
                    .put(index)
                    .put(", ")
                    .put(LOCALITY[rnd.nextInt(LOCALITY.length)])
                    .put(", ")
                    .put(4500 + rnd.nextInt(6000))
                    .put(" bytes) ");
            nl();
        }

        private Running takeRandomRunning() {
            int i = rnd.nextInt(runningCount);
            Running t = running[i];
            running[i] = running[--runningCount];
            running[runningCount] = t;
            return t;
        }

        private void finishTask(Running t, int s, int done, int tasks) throws IOException {
            info("TaskSetManager")
                    .put("Finished task ")
                    .put(t.index)
                    .put('.')
                    .put(t.attempt)
                    .put(" in stage ")
                    .put(s)
                    .put(".0 (TID ")
                    .put(t.tid)
                    .put(") in ")
                    .put(Math.max(1, clock - t.startMillis) + 200 + rnd.nextInt(3000))
                    .put(" ms on ")
                    .put(t.executor.host())
                    .put(" (executor ")
                    .put(t.executor.id())
                    .put(") (")
                    .put(done)
                    .put('/')
                    .put(tasks)
                    .put(')');
            nl();
        }

        private void runStage(int s, boolean resultStage, int tasks, String site) throws IOException {
            long stageStart = clock;
            submitStage(s, resultStage, tasks, site);
            int next = 0;
            int done = 0;
            runningCount = 0;
            int[] retries = new int[0];
            int retryCount = 0;
            while (done < tasks) {
                if (runningCount < slots && (next < tasks || retryCount > 0)) {
                    if (retryCount > 0) {
                        int idx = retries[--retryCount];
                        startTask(s, idx, 1);
                    } else {
                        startTask(s, next++, 0);
                    }
                    if (next < tasks && runningCount < Math.min(slots, 8)) {
                        continue;
                    }
                }
                if (runningCount == 0) {
                    continue;
                }
                if (runningCount < slots && next < tasks && rnd.nextInt(3) != 0) {
                    continue;
                }
                Running t = takeRandomRunning();
                int roll = rnd.nextInt(60_000);
                if (roll < 3 && t.attempt == 0) {
                    // a recoverable task failure: the task is retried and later succeeds
                    recoverableFailure(t, s);
                    if (retryCount == retries.length) {
                        retries = java.util.Arrays.copyOf(retries, retries.length * 2 + 2);
                    }
                    retries[retryCount++] = t.index;
                    continue;
                }
                done++;
                finishTask(t, s, done, tasks);
                noise(s, t);
            }
            info("TaskSchedulerImpl")
                    .put("Removed TaskSet ")
                    .put(s)
                    .put(".0, whose tasks have all completed, from pool ");
            nl();
            info("DAGScheduler")
                    .put(resultStage ? "ResultStage " : "ShuffleMapStage ")
                    .put(s)
                    .put(" (")
                    .put(site)
                    .put(") finished in ")
                    .fixed(Math.max(1, clock - stageStart), 3)
                    .put(" s");
            nl();
            if (!resultStage) {
                shuffle++;
                info("DAGScheduler").put("looking for newly runnable stages");
                nl();
                info("DAGScheduler").put("running: Set()");
                nl();
                info("DAGScheduler").put("waiting: Set(ResultStage ").put(s + 1).put(')');
                nl();
                info("DAGScheduler").put("failed: Set()");
                nl();
                info("ShufflePartitionsUtil")
                        .put("For shuffle(")
                        .put(shuffle)
                        .put("), advisory target size: 67108864, actual target size ");
                out.put(1_048_576 + rnd.nextInt(60_000_000)).put(", minimum partition size: 1048576");
                nl();
            }
        }

        /** Routine lines between task events, and now and then an episode the job recovers from. */
        private void noise(int s, Running t) throws IOException {
            int roll = rnd.nextInt(100_000);
            if (roll < 250) {
                Executor e = t.executor;
                info("BlockManagerInfo")
                        .put("Added broadcast_")
                        .put(broadcast - 1)
                        .put("_piece0 in memory on ")
                        .put(e.host())
                        .put(':')
                        .put(e.port())
                        .put(" (size: ");
                size(8_000 + rnd.nextInt(90_000)).put(", free: ");
                size(4_000_000_000L + rnd.nextInt(300_000_000)).put(')');
                nl();
            } else if (roll < 450) {
                Executor e = t.executor;
                info("MapOutputTrackerMasterEndpoint")
                        .put("Asked to send map output locations for shuffle ")
                        .put(Math.max(0, shuffle - 1))
                        .put(" to ")
                        .put(e.host())
                        .put(':')
                        .put(40000 + rnd.nextInt(20000));
                nl();
            } else if (roll < 600) {
                info("BlockManagerInfo")
                        .put("Added rdd_")
                        .put(rdd - 1)
                        .put('_')
                        .put(t.index)
                        .put(" in memory on ")
                        .put(t.executor.host())
                        .put(':')
                        .put(t.executor.port())
                        .put(" (size: ");
                size(1_000_000 + rnd.nextInt(90_000_000)).put(", free: ");
                size(1_000_000_000L + rnd.nextInt(1_000_000_000)).put(')');
                nl();
            } else if (roll < 680) {
                info("ShuffleBlockFetcherIterator").put("Getting ").put(200).put(" (");
                size(10_000_000 + rnd.nextInt(200_000_000)).put(") non-empty blocks including ");
                out.put(5 + rnd.nextInt(20)).put(" (");
                size(500_000 + rnd.nextInt(9_000_000))
                        .put(") local and 0 (0.0 B) host-local and 0 (0.0 B) push-merged-local and ");
                out.put(170 + rnd.nextInt(25)).put(" (");
                size(10_000_000 + rnd.nextInt(180_000_000)).put(") remote blocks");
                nl();
                info("ShuffleBlockFetcherIterator")
                        .put("Started ")
                        .put(1 + rnd.nextInt(5))
                        .put(" remote fetches in ")
                        .put(rnd.nextInt(40))
                        .put(" ms");
                nl();
            } else if (roll < 730) {
                info("CodeGenerator").put("Code generated in ").fixed(1_000_000 + rnd.nextInt(60_000_000), 6);
                out.put(" ms");
                nl();
            } else if (roll < 800) {
                info("ContextCleaner").put("Cleaned accumulator ").put(accumulator++);
                nl();
            } else if (roll < 830) {
                info("ExecutorAllocationManager")
                        .put("Requesting ")
                        .put(1 + rnd.nextInt(4))
                        .put(" new executors because tasks are backlogged (new desired total will be ")
                        .put(executors.length + 1 + rnd.nextInt(8))
                        .put(" for resource profile id: 0)");
                nl();
            } else if (roll < 845) {
                warn("BlockManagerMasterEndpoint")
                        .put("No more replicas available for rdd_")
                        .put(rdd - 1)
                        .put('_')
                        .put(t.index)
                        .put(" !");
                nl();
            } else if (roll < 855) {
                warn("TaskSetManager")
                        .put("Lost task ")
                        .put(t.index)
                        .put('.')
                        .put(1)
                        .put(" in stage ")
                        .put(s)
                        .put(".0 (TID ")
                        .put(tid - 1)
                        .put(") (")
                        .put(t.executor.host())
                        .put(" executor ")
                        .put(t.executor.id())
                        .put("): TaskKilled (another attempt succeeded)");
                nl();
                info("TaskSetManager")
                        .put("Task ")
                        .put(t.index)
                        .put(".1 in stage ")
                        .put(s)
                        .put(".0 (TID ")
                        .put(tid - 1)
                        .put(") failed, but the task will not be re-executed (either because the task failed"
                                + " with a shuffle data fetch failure, so the previous stage needs to be re-run,"
                                + " or because a different copy of the task has already succeeded).");
                nl();
            } else if (roll < 858) {
                shuffleConnectionRetried();
            } else if (roll < 859) {
                executorLost(s, t);
            }
        }

        /** A task attempt fails with an I/O error and is retried on another executor. */
        private void recoverableFailure(Running t, int s) throws IOException {
            warn("TaskSetManager")
                    .put("Lost task ")
                    .put(t.index)
                    .put('.')
                    .put(t.attempt)
                    .put(" in stage ")
                    .put(s)
                    .put(".0 (TID ")
                    .put(t.tid)
                    .put(") (")
                    .put(t.executor.host())
                    .put(" executor ")
                    .put(t.executor.id())
                    .put("): ");
            if (rnd.nextBoolean()) {
                out.put("java.io.IOException: Connection reset by peer\n");
                out.put("\tat java.base/sun.nio.ch.SocketDispatcher.read0(Native Method)\n"
                        + "\tat java.base/sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:47)\n"
                        + "\tat java.base/sun.nio.ch.IOUtil.readIntoNativeBuffer(IOUtil.java:340)\n"
                        + "\tat java.base/sun.nio.ch.IOUtil.read(IOUtil.java:294)\n"
                        + "\tat java.base/sun.nio.ch.SocketChannelImpl.read(SocketChannelImpl.java:425)\n"
                        + "\tat io.netty.buffer.PooledByteBuf.setBytes(PooledByteBuf.java:254)\n"
                        + "\tat io.netty.buffer.AbstractByteBuf.writeBytes(AbstractByteBuf.java:1132)\n"
                        + "\tat io.netty.channel.socket.nio.NioSocketChannel.doReadBytes(NioSocketChannel.java:357)\n"
                        + "\tat io.netty.channel.nio.AbstractNioByteChannel$NioByteUnsafe.read("
                        + "AbstractNioByteChannel.java:151)\n"
                        + "\tat io.netty.channel.nio.NioEventLoop.run(NioEventLoop.java:562)\n"
                        + "\tat io.netty.util.concurrent.SingleThreadEventExecutor$4.run("
                        + "SingleThreadEventExecutor.java:997)\n"
                        + "\tat java.base/java.lang.Thread.run(Thread.java:840)\n");
            } else {
                out.put(
                        "org.apache.hadoop.fs.s3a.AWSClientIOException: getFileStatus on s3a://acme-lake/raw/events/dt=");
                out.put("2026-11-")
                        .zeroPad(1 + rnd.nextInt(19), 2)
                        .put("/part-")
                        .zeroPad(rnd.nextInt(2000), 5);
                out.put(".snappy.parquet: com.amazonaws.SdkClientException: Unable to execute HTTP request:"
                        + " Read timed out: Unable to execute HTTP request: Read timed out\n");
                out.put("\tat org.apache.hadoop.fs.s3a.S3AUtils.translateException(S3AUtils.java:214)\n"
                        + "\tat org.apache.hadoop.fs.s3a.Invoker.once(Invoker.java:119)\n"
                        + "\tat org.apache.hadoop.fs.s3a.Invoker.lambda$retry$4(Invoker.java:322)\n"
                        + "\tat org.apache.hadoop.fs.s3a.Invoker.retryUntranslated(Invoker.java:414)\n"
                        + "\tat org.apache.hadoop.fs.s3a.S3AFileSystem.getFileStatus(S3AFileSystem.java:3796)\n"
                        + "\tat org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(HadoopInputFile.java:39)\n"
                        + "\tat org.apache.spark.sql.execution.datasources.parquet.ParquetFooterReader.readFooter("
                        + "ParquetFooterReader.java:55)\n"
                        + "\tat org.apache.spark.scheduler.Task.run(Task.scala:141)\n"
                        + "\tat org.apache.spark.executor.Executor$TaskRunner.run(Executor.scala:623)\n"
                        + "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
                        + "Caused by: java.net.SocketTimeoutException: Read timed out\n"
                        + "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)\n"
                        + "\tat java.base/sun.nio.ch.NioSocketImpl.implRead(NioSocketImpl.java:314)\n"
                        + "\t... 38 more\n");
            }
            out.put('\n');
        }

        /** An external shuffle service connection goes quiet; the fetch is retried and succeeds. */
        private void shuffleConnectionRetried() throws IOException {
            Executor e = anyExecutor();
            error("TransportChannelHandler")
                    .put("Connection to /")
                    .put(e.host())
                    .put(":7337 has been quiet for 120000 ms while there are outstanding requests. Assuming"
                            + " connection is dead; please adjust spark.shuffle.io.connectionTimeout if this is"
                            + " wrong.");
            nl();
            error("TransportResponseHandler")
                    .put("Still have ")
                    .put(1 + rnd.nextInt(4))
                    .put(" requests outstanding when connection from /")
                    .put(e.host())
                    .put(":7337 is closed");
            nl();
            info("RetryingBlockTransferor")
                    .put("Retrying fetch (1/3) for ")
                    .put(1 + rnd.nextInt(12))
                    .put(" outstanding blocks after 5000 ms");
            nl();
            info("TransportClientFactory")
                    .put("Successfully created connection to /")
                    .put(e.host())
                    .put(":7337 after ")
                    .put(1 + rnd.nextInt(9))
                    .put(" ms (0 ms spent in bootstraps)");
            nl();
        }

        /** YARN preempts a container; the executor is replaced and its tasks rerun elsewhere. */
        private void executorLost(int s, Running t) throws IOException {
            int slot = rnd.nextInt(executors.length);
            Executor gone = executors[slot];
            String container = "container_e42_1763600000000_4821_01_" + String.format("%06d", gone.id() + 1);
            error("YarnScheduler")
                    .put("Lost executor ")
                    .put(gone.id())
                    .put(" on ")
                    .put(gone.host())
                    .put(": Container ")
                    .put(container)
                    .put(" on host: ")
                    .put(gone.host())
                    .put(" was preempted.");
            nl();
            warn("TaskSetManager")
                    .put("Lost task ")
                    .put(t.index)
                    .put(".0 in stage ")
                    .put(s)
                    .put(".0 (TID ")
                    .put(tid - 3)
                    .put(") (")
                    .put(gone.host())
                    .put(" executor ")
                    .put(gone.id())
                    .put("): ExecutorLostFailure (executor ")
                    .put(gone.id())
                    .put(" exited unrelated to the running tasks) Reason: Container ")
                    .put(container)
                    .put(" on host: ")
                    .put(gone.host())
                    .put(" was preempted.");
            nl();
            info("DAGScheduler")
                    .put("Executor lost: ")
                    .put(gone.id())
                    .put(" (epoch ")
                    .put(epoch)
                    .put(')');
            nl();
            info("BlockManagerMasterEndpoint")
                    .put("Trying to remove executor ")
                    .put(gone.id())
                    .put(" from BlockManagerMaster.");
            nl();
            info("BlockManagerMasterEndpoint")
                    .put("Removing block manager BlockManagerId(")
                    .put(gone.id())
                    .put(", ")
                    .put(gone.host())
                    .put(", ")
                    .put(gone.port())
                    .put(", None)");
            nl();
            info("BlockManagerMaster").put("Removed ").put(gone.id()).put(" successfully in removeExecutor");
            nl();
            info("DAGScheduler")
                    .put("Shuffle files lost for host: ")
                    .put(gone.host())
                    .put(" (epoch ")
                    .put(epoch++)
                    .put(')');
            nl();
            Executor fresh = newExecutor(nextExecutorId++, slot);
            executors[slot] = fresh;
            info("YarnAllocator")
                    .put("Will request 1 executor container(s) for  ResourceProfile Id: 0, each with 4 core(s)"
                            + " and 9011 MB memory. with custom resources: <memory:9011, vCores:4>");
            nl();
            info("YarnAllocator")
                    .put("Launching container container_e42_1763600000000_4821_01_")
                    .zeroPad(fresh.id() + 1, 6)
                    .put(" on host ")
                    .put(fresh.host())
                    .put(" for executor with ID ")
                    .put(fresh.id())
                    .put(" for ResourceProfile Id 0");
            nl();
            registerExecutor(fresh);
        }

        /** Lines of a megabyte or more, as Spark prints them now and then. */
        private void longLine(int which) throws IOException {
            switch (which) {
                case 0 -> {
                    info("FileSourceStrategy").put("Pushed Filters: IsNotNull(customer_id),In(customer_id, [");
                    long id = 100_000_000L + rnd.nextInt(1_000_000);
                    long start = out.written();
                    while (out.written() - start < MB) {
                        out.put(id).put(',');
                        id += 1 + rnd.nextInt(40);
                    }
                    out.put(id).put("])");
                    nl();
                    info("FileSourceStrategy").put("Post-Scan Filters: isnotnull(customer_id#1207L)");
                    nl();
                }
                case 1 -> {
                    info("QueryExecution").put("Plan: == Physical Plan == AdaptiveSparkPlan isFinalPlan=false");
                    out.put(" +- Project [");
                    for (int c = 0; c < 20_000; c++) {
                        out.put(c == 0 ? "" : ", ")
                                .put("metric_")
                                .zeroPad(c, 5)
                                .put('#')
                                .put(5000 + c)
                                .put('L');
                    }
                    out.put("] +- HashAggregate(keys=[customer_id#1207L, event_date#1210], functions=[");
                    for (int c = 0; c < 20_000; c++) {
                        out.put(c == 0 ? "" : ", ")
                                .put("sum(CASE WHEN (event_type#1211 = type_")
                                .put(c)
                                .put(") THEN amount#1212 ELSE 0.0 END)");
                    }
                    out.put("]) +- Exchange hashpartitioning(customer_id#1207L, 800), ENSURE_REQUIREMENTS, [plan_id=")
                            .put(rnd.nextInt(9000))
                            .put("] +- FileScan parquet spark_catalog.raw.events[customer_id#1207L,event_date#1210,"
                                    + "event_type#1211,amount#1212] Batched: true, DataFilters: [isnotnull(customer_id"
                                    + "#1207L)], Format: Parquet, Location: InMemoryFileIndex(1 paths)"
                                    + "[s3://acme-lake/raw/events], PartitionFilters: [], PushedFilters: "
                                    + "[IsNotNull(customer_id)], ReadSchema: struct<customer_id:bigint,"
                                    + "event_date:date,event_type:string,amount:double>");
                    nl();
                }
                case 2 -> {
                    info("InMemoryFileIndex").put("It took ").put(2000 + rnd.nextInt(9000));
                    out.put(" ms to list leaf files for 12000 paths: ");
                    for (int p = 0; p < 12_000; p++) {
                        out.put(p == 0 ? "" : ", ")
                                .put("s3://acme-lake/raw/events/dt=2026-")
                                .zeroPad(1 + p % 11, 2)
                                .put('-')
                                .zeroPad(1 + p % 28, 2)
                                .put("/hour=")
                                .zeroPad(p % 24, 2)
                                .put("/part-")
                                .zeroPad(p, 5)
                                .put("-")
                                .put(uuid())
                                .put(".c000.snappy.parquet");
                    }
                    nl();
                }
                default -> {
                    // a 3 MB line: a SQL statement with a generated VALUES list, as the parser echoes it
                    info("SparkSqlParser").put("Parsing command: INSERT INTO staging.customer_overrides VALUES ");
                    for (int v = 0; v < 60_000; v++) {
                        out.put(v == 0 ? "" : ", ")
                                .put('(')
                                .put(100_000_000L + v * 7L)
                                .put(", 'segment_")
                                .put(rnd.nextInt(64))
                                .put("', ")
                                .fixed(rnd.nextInt(1_000_000), 2)
                                .put(')');
                    }
                    nl();
                }
            }
        }

        private String uuid() {
            return String.format(
                    "%08x-%04x-%04x-%04x-%012x",
                    rnd.nextInt() & 0xffffffffL,
                    rnd.nextInt(0x10000),
                    0x4000 | rnd.nextInt(0x1000),
                    0x8000 | rnd.nextInt(0x4000),
                    rnd.nextLong() & 0xffffffffffffL);
        }

        // ---- the failure ----

        private static final String OOM_FRAMES = "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3541)\n"
                + "\tat java.base/java.io.ByteArrayOutputStream.ensureCapacity(ByteArrayOutputStream.java:100)\n"
                + "\tat java.base/java.io.ByteArrayOutputStream.write(ByteArrayOutputStream.java:132)\n"
                + "\tat org.apache.spark.sql.catalyst.expressions.codegen.BufferHolder.grow(BufferHolder.java:80)\n"
                + "\tat org.apache.spark.sql.catalyst.expressions.codegen.UnsafeWriter.grow(UnsafeWriter.java:63)\n"
                + "\tat org.apache.spark.sql.catalyst.expressions.codegen.UnsafeWriter.writeUnalignedBytes("
                + "UnsafeWriter.java:127)\n"
                + "\tat org.apache.spark.sql.catalyst.expressions.codegen.UnsafeWriter.write(UnsafeWriter.java:110)\n"
                + "\tat org.apache.spark.sql.catalyst.expressions.GeneratedClass$GeneratedIteratorForCodegenStage3"
                + ".agg_doAggregateWithKeys_0$(Unknown Source)\n"
                + "\tat org.apache.spark.sql.catalyst.expressions.GeneratedClass$GeneratedIteratorForCodegenStage3"
                + ".processNext(Unknown Source)\n"
                + "\tat org.apache.spark.sql.execution.BufferedRowIterator.hasNext(BufferedRowIterator.java:43)\n"
                + "\tat org.apache.spark.sql.execution.WholeStageCodegenEvaluatorFactory$"
                + "WholeStageCodegenPartitionEvaluator$$anon$1.hasNext(WholeStageCodegenEvaluatorFactory.scala:43)\n"
                + "\tat scala.collection.Iterator$$anon$10.hasNext(Iterator.scala:460)\n"
                + "\tat org.apache.spark.shuffle.sort.UnsafeShuffleWriter.write(UnsafeShuffleWriter.java:179)\n"
                + "\tat org.apache.spark.shuffle.ShuffleWriteProcessor.write(ShuffleWriteProcessor.scala:59)\n"
                + "\tat org.apache.spark.scheduler.ShuffleMapTask.runTask(ShuffleMapTask.scala:104)\n"
                + "\tat org.apache.spark.scheduler.ShuffleMapTask.runTask(ShuffleMapTask.scala:54)\n"
                + "\tat org.apache.spark.TaskContext.runTaskWithListeners(TaskContext.scala:166)\n"
                + "\tat org.apache.spark.scheduler.Task.run(Task.scala:141)\n"
                + "\tat org.apache.spark.executor.Executor$TaskRunner.$anonfun$run$4(Executor.scala:620)\n"
                + "\tat org.apache.spark.util.SparkErrorUtils.tryWithSafeFinally(SparkErrorUtils.scala:64)\n"
                + "\tat org.apache.spark.util.SparkErrorUtils.tryWithSafeFinally$(SparkErrorUtils.scala:61)\n"
                + "\tat org.apache.spark.util.Utils$.tryWithSafeFinally(Utils.scala:94)\n"
                + "\tat org.apache.spark.executor.Executor$TaskRunner.run(Executor.scala:623)\n"
                + "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1144)\n"
                + "\tat java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:642)\n"
                + "\tat java.base/java.lang.Thread.run(Thread.java:840)\n";

        private static final String DRIVER_FRAMES =
                "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2898)\n"
                        + "\tat org.apache.spark.scheduler.DAGScheduler.$anonfun$abortStage$2(DAGScheduler.scala:2834)\n"
                        + "\tat org.apache.spark.scheduler.DAGScheduler.$anonfun$abortStage$2$adapted("
                        + "DAGScheduler.scala:2833)\n"
                        + "\tat scala.collection.immutable.List.foreach(List.scala:334)\n"
                        + "\tat org.apache.spark.scheduler.DAGScheduler.abortStage(DAGScheduler.scala:2833)\n"
                        + "\tat org.apache.spark.scheduler.DAGScheduler.$anonfun$handleTaskSetFailed$1("
                        + "DAGScheduler.scala:1253)\n"
                        + "\tat scala.Option.foreach(Option.scala:437)\n"
                        + "\tat org.apache.spark.scheduler.DAGScheduler.handleTaskSetFailed(DAGScheduler.scala:1253)\n"
                        + "\tat org.apache.spark.scheduler.DAGSchedulerEventProcessLoop.doOnReceive("
                        + "DAGScheduler.scala:3102)\n"
                        + "\tat org.apache.spark.scheduler.DAGSchedulerEventProcessLoop.onReceive("
                        + "DAGScheduler.scala:3036)\n"
                        + "\tat org.apache.spark.scheduler.DAGSchedulerEventProcessLoop.onReceive("
                        + "DAGScheduler.scala:3025)\n"
                        + "\tat org.apache.spark.util.EventLoop$$anon$1.run(EventLoop.scala:49)\n"
                        + "\tat org.apache.spark.scheduler.DAGScheduler.runJob(DAGScheduler.scala:995)\n"
                        + "\tat org.apache.spark.SparkContext.runJob(SparkContext.scala:2393)\n"
                        + "\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.executeWrite("
                        + "FileFormatWriter.scala:241)\n"
                        + "\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.write("
                        + "FileFormatWriter.scala:193)\n"
                        + "\tat org.apache.spark.sql.execution.datasources.InsertIntoHadoopFsRelationCommand.run("
                        + "InsertIntoHadoopFsRelationCommand.scala:190)\n"
                        + "\tat org.apache.spark.sql.execution.command.DataWritingCommandExec.sideEffectResult$lzycompute("
                        + "commands.scala:113)\n"
                        + "\tat org.apache.spark.sql.execution.QueryExecution$.withInternalError(QueryExecution.scala:546)\n"
                        + "\tat org.apache.spark.sql.DataFrameWriter.runCommand(DataFrameWriter.scala:869)\n"
                        + "\tat org.apache.spark.sql.DataFrameWriter.saveToV1Source(DataFrameWriter.scala:391)\n"
                        + "\tat org.apache.spark.sql.DataFrameWriter.saveInternal(DataFrameWriter.scala:364)\n"
                        + "\tat org.apache.spark.sql.DataFrameWriter.save(DataFrameWriter.scala:243)\n"
                        + "\tat org.apache.spark.sql.DataFrameWriter.parquet(DataFrameWriter.scala:802)\n"
                        + "\tat com.acme.etl.DailyAggregates$.main(DailyAggregates.scala:74)\n"
                        + "\tat com.acme.etl.DailyAggregates.main(DailyAggregates.scala)\n"
                        + "\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n"
                        + "\tat java.base/java.lang.reflect.Method.invoke(Method.java:569)\n"
                        + "\tat org.apache.spark.deploy.JavaMainApplication.start(SparkApplication.scala:52)\n"
                        + "\tat org.apache.spark.deploy.SparkSubmit.runMain(SparkSubmit.scala:1029)\n"
                        + "\tat org.apache.spark.deploy.SparkSubmit.doRunMain$1(SparkSubmit.scala:194)\n"
                        + "\tat org.apache.spark.deploy.SparkSubmit.submit(SparkSubmit.scala:217)\n"
                        + "\tat org.apache.spark.deploy.SparkSubmit.doSubmit(SparkSubmit.scala:91)\n"
                        + "\tat org.apache.spark.deploy.SparkSubmit$$anon$2.doSubmit(SparkSubmit.scala:1120)\n"
                        + "\tat org.apache.spark.deploy.SparkSubmit$.main(SparkSubmit.scala:1129)\n"
                        + "\tat org.apache.spark.deploy.SparkSubmit.main(SparkSubmit.scala)\n";

        /** The job whose task runs out of heap four times; the driver aborts it and exits. */
        private void failingJob() throws IOException {
            String site = "parquet at DailyAggregates.scala:74";
            int jobId = job++;
            int s = stage++;
            int tasks = 800;
            int failing = 3;
            long jobStart = clock;
            info("SparkContext").put("Starting job: ").put(site);
            nl();
            info("DAGScheduler")
                    .put("Got job ")
                    .put(jobId)
                    .put(" (")
                    .put(site)
                    .put(") with ")
                    .put(tasks)
                    .put(" output partitions");
            nl();
            submitStage(s, false, tasks, site);
            runningCount = 0;
            for (int i = 0; i < 24; i++) {
                startTask(s, i, 0);
            }
            Running victim = null;
            for (int i = 0; i < runningCount; i++) {
                if (running[i].index == failing) {
                    victim = running[i];
                }
            }
            int done = 0;
            int next = 24;
            for (int attempt = 0; attempt < 4; attempt++) {
                // other tasks make progress between the attempts
                for (int k = 0; k < 30; k++) {
                    Running t = takeRandomRunning();
                    if (t == victim) {
                        runningCount++; // keep it running
                        continue;
                    }
                    finishTask(t, s, ++done, tasks);
                    startTask(s, next++, 0);
                }
                String lostHeader =
                        "Lost task " + failing + "." + attempt + " in stage " + s + ".0 (TID " + victim.tid + ")";
                if (attempt == 0) {
                    error("Executor")
                            .put("Exception in task ")
                            .put(failing)
                            .put(".0 in stage ")
                            .put(s)
                            .put(".0 (TID ")
                            .put(victim.tid)
                            .put(')');
                    nl();
                    out.put("java.lang.OutOfMemoryError: Java heap space\n").put(OOM_FRAMES);
                    warn("TaskSetManager")
                            .put(lostHeader)
                            .put(" (")
                            .put(victim.executor.host())
                            .put(" executor ")
                            .put(victim.executor.id())
                            .put("): java.lang.OutOfMemoryError: Java heap space\n")
                            .put(OOM_FRAMES);
                    out.put('\n');
                } else {
                    info("TaskSetManager")
                            .put(lostHeader)
                            .put(" on ")
                            .put(victim.executor.host())
                            .put(", executor ")
                            .put(victim.executor.id())
                            .put(": java.lang.OutOfMemoryError (Java heap space) [duplicate ")
                            .put(attempt)
                            .put(']');
                    nl();
                }
                if (attempt == 3) {
                    break;
                }
                // the retry
                for (int i = 0; i < runningCount; i++) {
                    if (running[i] == victim) {
                        running[i] = running[--runningCount];
                        running[runningCount] = victim;
                        break;
                    }
                }
                startTask(s, failing, attempt + 1);
                victim = running[runningCount - 1];
            }
            String why = "Job aborted due to stage failure: Task " + failing + " in stage " + s
                    + ".0 failed 4 times, most recent failure: Lost task " + failing + ".3 in stage " + s
                    + ".0 (TID " + victim.tid + ") (" + victim.executor.host() + " executor "
                    + victim.executor.id() + "): java.lang.OutOfMemoryError: Java heap space";
            error("TaskSetManager")
                    .put("Task ")
                    .put(failing)
                    .put(" in stage ")
                    .put(s)
                    .put(".0 failed 4 times; aborting job");
            nl();
            info("TaskSchedulerImpl").put("Cancelling stage ").put(s);
            nl();
            info("TaskSchedulerImpl")
                    .put("Killing all running tasks in stage ")
                    .put(s)
                    .put(": Stage cancelled: ")
                    .put(why);
            nl();
            info("TaskSchedulerImpl").put("Stage ").put(s).put(" was cancelled");
            nl();
            info("DAGScheduler")
                    .put("ShuffleMapStage ")
                    .put(s)
                    .put(" (")
                    .put(site)
                    .put(") failed in ")
                    .fixed(Math.max(1, clock - jobStart), 3)
                    .put(" s due to ")
                    .put(why)
                    .put('\n')
                    .put(OOM_FRAMES)
                    .put("\nDriver stacktrace:\n");
            for (int i = 0; i < runningCount; i++) {
                Running t = running[i];
                if (t == victim) {
                    continue;
                }
                warn("TaskSetManager")
                        .put("Lost task ")
                        .put(t.index)
                        .put('.')
                        .put(t.attempt)
                        .put(" in stage ")
                        .put(s)
                        .put(".0 (TID ")
                        .put(t.tid)
                        .put(") (")
                        .put(t.executor.host())
                        .put(" executor ")
                        .put(t.executor.id())
                        .put("): TaskKilled (Stage cancelled: ")
                        .put(why)
                        .put(')');
                nl();
            }
            info("TaskSchedulerImpl")
                    .put("Removed TaskSet ")
                    .put(s)
                    .put(".0, whose tasks have all completed, from pool ");
            nl();
            info("DAGScheduler")
                    .put("Job ")
                    .put(jobId)
                    .put(" failed: ")
                    .put(site)
                    .put(", took ")
                    .fixed((clock - jobStart) * 1000L + rnd.nextInt(1000), 6)
                    .put(" s");
            nl();
            String writeJob = uuid();
            error("FileFormatWriter").put("Aborting job ").put(writeJob).put(".\n");
            sparkException(why);
            out.put("Exception in thread \"main\" ");
            sparkException(why);
        }

        private void sparkException(String why) throws IOException {
            out.put("org.apache.spark.SparkException: ")
                    .put(why)
                    .put('\n')
                    .put(OOM_FRAMES)
                    .put("\nDriver stacktrace:\n")
                    .put(DRIVER_FRAMES)
                    .put("Caused by: java.lang.OutOfMemoryError: Java heap space\n")
                    .put(OOM_FRAMES);
        }

        private void shutdown() throws IOException {
            info("SparkContext").put("Invoking stop() from shutdown hook");
            nl();
            info("SparkContext").put("SparkContext is stopping with exitCode 0.");
            nl();
            info("SparkUI").put("Stopped Spark web UI at http://" + DRIVER + ":4040");
            nl();
            info("YarnClientSchedulerBackend").put("Interrupting monitor thread");
            nl();
            info("YarnClientSchedulerBackend").put("Shutting down all executors");
            nl();
            info("YarnSchedulerBackend$YarnDriverEndpoint").put("Asking each executor to shut down");
            nl();
            info("YarnClientSchedulerBackend").put("YARN client scheduler backend Stopped");
            nl();
            info("MapOutputTrackerMasterEndpoint").put("MapOutputTrackerMasterEndpoint stopped!");
            nl();
            info("MemoryStore").put("MemoryStore cleared");
            nl();
            info("BlockManager").put("BlockManager stopped");
            nl();
            info("BlockManagerMaster").put("BlockManagerMaster stopped");
            nl();
            info("OutputCommitCoordinator$OutputCommitCoordinatorEndpoint").put("OutputCommitCoordinator stopped!");
            nl();
            info("SparkContext").put("Successfully stopped SparkContext");
            nl();
            info("ShutdownHookManager").put("Shutdown hook called");
            nl();
            info("ShutdownHookManager")
                    .put("Deleting directory /mnt/tmp/spark-")
                    .put(uuid());
            nl();
            info("ShutdownHookManager").put("Deleting directory /tmp/spark-").put(uuid());
            nl();
        }
    }
}
