package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import io.deagent.core.Taxonomy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sets or raises Spark settings where the job is configured (see {@link SparkConfigs} for the places: session
 * builders, SparkConf, SparkSubmitOperator, EMR/Glue argument lists and strings). Works on the tree-sitter CST and
 * splices the UTF-8 bytes, so every byte it does not mean to change (comments, blank lines, non-ASCII strings)
 * stays identical.
 *
 * <p>Built-in plans (see {@link #builtIn()}), by category, with the evidence each needs; the first plan whose
 * need is met applies:
 *
 * <ul>
 *   <li>{@code out_of_memory_executor} (category only): {@code spark.executor.memory} doubled, capped at 32g;
 *       {@code 8g} when absent.
 *   <li>{@code out_of_memory_driver} with a proof line "Not enough memory to build and broadcast the table" (or
 *       Spark's other broadcast-too-large messages, or rule {@code spark.broadcast_build_oom}): {@code
 *       spark.sql.autoBroadcastJoinThreshold=-1}, because the heap ran out building a broadcast, which more heap
 *       only postpones.
 *   <li>{@code out_of_memory_driver} otherwise: {@code spark.driver.memory} doubled, capped at 32g; {@code 8g}
 *       when absent.
 *   <li>{@code container_killed_memory} (category only): {@code spark.executor.memoryOverhead} (or the legacy
 *       {@code spark.yarn.executor.memoryOverhead} where the file uses it) doubled, capped at 16g. When absent:
 *       twice Spark's default, max(768m, 20% of {@code spark.executor.memory}) rounded up to 512m, when the same
 *       place sets the heap; else 2g.
 *   <li>{@code driver_result_size} (category only): {@code spark.driver.maxResultSize} doubled, capped at 8g and
 *       at half of {@code spark.driver.memory} when the same place sets it (the collected results must fit in the
 *       driver heap); 2g (twice Spark's default 1g) when absent; {@code 0} means unlimited and is left alone.
 *   <li>{@code serialization_error} only with Kryo buffer-overflow evidence (a "KryoException: Buffer overflow"
 *       proof line, or entity {@code config} = {@code spark.kryoserializer.buffer.max}): that setting doubled,
 *       capped at Spark's maximum 2047m; 512m when absent (Spark's default is 64m, too small for the records that
 *       overflowed it). A "Task not serializable" is fixed in the code, so without that evidence it declines.
 *   <li>{@code data_skew} (category only): {@code spark.sql.adaptive.enabled} and {@code
 *       spark.sql.adaptive.skewJoin.enabled} set to {@code true}. {@code spark.sql.shuffle.partitions} is left
 *       alone: with adaptive execution on it is only the starting point that Spark coalesces, and nothing in a
 *       skew diagnosis says how many partitions the data needs.
 *   <li>{@code broadcast_timeout} when the proof lines show the broadcast already had 1200 seconds or more
 *       ("Could not execute broadcast in 1200 secs"): {@code spark.sql.autoBroadcastJoinThreshold=-1}, since more
 *       time did not help.
 *   <li>{@code broadcast_timeout} otherwise: {@code spark.sql.broadcastTimeout} raised to 1200 seconds; when the
 *       file already gives it at least that, {@code spark.sql.autoBroadcastJoinThreshold=-1} instead.
 * </ul>
 *
 * <p>A value is changed where it is set; a missing one is added to the single place that configures Spark. A key
 * set in several places, a file with several places and nothing to choose between them (an Airflow task id in
 * entity {@code task_id} chooses among operators), a value that is not a literal, or a size already at its cap
 * is declined. Markers ({@link Markers}) make a second run with the same diagnosis a no-op.
 */
public final class SparkSettingCodemod extends SyntaxCodemod {

    public static final String ID = "spark-settings";

    private static final long MIB = SettingPolicy.ByteUnit.MIB.bytes;
    private static final long GIB = SettingPolicy.ByteUnit.GIB.bytes;

    /** One Spark setting and how to set it. */
    record Setting(String key, SettingPolicy policy) {}

    /**
     * What a category's diagnosis sets when its need is met. When every setting is already where the plan wants
     * it, the fallback settings apply instead (a broadcast that timed out with a long timeout is turned off).
     */
    record Plan(String category, Evidence.Need need, String because, List<Setting> settings, List<Setting> fallback) {
        Plan(String category, Evidence.Need need, List<Setting> settings) {
            this(category, need, "", settings, List.of());
        }

        Plan(String category, Evidence.Need need, String because, List<Setting> settings) {
            this(category, need, because, settings, List.of());
        }
    }

    private final List<Plan> plans;

    SparkSettingCodemod(List<Plan> plans) {
        this.plans = List.copyOf(plans);
    }

    /** The built-in plans; categories missing from the taxonomy are left out. */
    public static SparkSettingCodemod builtIn() {
        Setting executorMemory = new Setting("spark.executor.memory", SettingPolicy.DoubleSize.memory("8g", 32 * GIB));
        Setting driverMemory = new Setting("spark.driver.memory", SettingPolicy.DoubleSize.memory("8g", 32 * GIB));
        Setting overhead = new Setting(
                "spark.executor.memoryOverhead",
                new SettingPolicy.DoubleSize(
                        SparkSettingCodemod::overheadWhenAbsent,
                        16 * GIB,
                        SettingPolicy.ByteUnit.MIB,
                        false,
                        Optional.empty()));
        Setting maxResultSize = new Setting(
                "spark.driver.maxResultSize",
                new SettingPolicy.DoubleSize(
                        ctx -> new SettingPolicy.Change("2g"),
                        8 * GIB,
                        SettingPolicy.ByteUnit.BYTE,
                        true,
                        Optional.of(new SettingPolicy.DoubleSize.Limit(
                                "spark.driver.memory", SettingPolicy.ByteUnit.MIB, 0.5))));
        Setting kryo = new Setting(
                "spark.kryoserializer.buffer.max",
                new SettingPolicy.DoubleSize(
                        ctx -> new SettingPolicy.Change("512m"),
                        2047 * MIB,
                        SettingPolicy.ByteUnit.MIB,
                        false,
                        Optional.empty()));
        Setting noBroadcast =
                new Setting("spark.sql.autoBroadcastJoinThreshold", new SettingPolicy.DisableBroadcastJoins());
        Setting timeout = new Setting("spark.sql.broadcastTimeout", new SettingPolicy.MinimumSeconds(1200));

        Evidence.Need broadcastBuild = new Evidence.Need(
                "a proof line \"Not enough memory to build and broadcast the table\"", Evidence::broadcastBuildOom);
        Evidence.Need kryoOverflow = new Evidence.Need(
                "Kryo buffer-overflow evidence (a \"KryoException: Buffer overflow\" line); other serialization"
                        + " errors are fixed in the code",
                Evidence::kryoBufferOverflow);
        Evidence.Need longTimeout = new Evidence.Need(
                "a broadcast timeout of at least 1200 seconds in the proof lines",
                d -> Evidence.broadcastTimeoutSeconds(d).filter(s -> s >= 1200).isPresent());

        List<Plan> plans = new ArrayList<>(List.of(
                new Plan("out_of_memory_executor", Evidence.Need.CATEGORY, List.of(executorMemory)),
                new Plan(
                        "out_of_memory_driver",
                        broadcastBuild,
                        "the driver ran out of memory building a broadcast table",
                        List.of(noBroadcast)),
                new Plan("out_of_memory_driver", Evidence.Need.CATEGORY, List.of(driverMemory)),
                new Plan("container_killed_memory", Evidence.Need.CATEGORY, List.of(overhead)),
                new Plan("driver_result_size", Evidence.Need.CATEGORY, List.of(maxResultSize)),
                new Plan("serialization_error", kryoOverflow, List.of(kryo)),
                new Plan(
                        "data_skew",
                        Evidence.Need.CATEGORY,
                        List.of(
                                new Setting("spark.sql.adaptive.enabled", new SettingPolicy.EnableFlag()),
                                new Setting("spark.sql.adaptive.skewJoin.enabled", new SettingPolicy.EnableFlag()))),
                new Plan(
                        "broadcast_timeout",
                        longTimeout,
                        "the broadcast timed out after 1200 seconds or more",
                        List.of(noBroadcast)),
                new Plan("broadcast_timeout", Evidence.Need.CATEGORY, "", List.of(timeout), List.of(noBroadcast))));
        plans.removeIf(p -> !Taxonomy.isCategory(p.category()));
        return new SparkSettingCodemod(plans);
    }

    /**
     * 2g, or twice Spark's default overhead (10% of the heap) rounded up to 512m when that is more: 20% of the
     * {@code spark.executor.memory} the same place sets.
     */
    static SettingPolicy.Change overheadWhenAbsent(SettingPolicy.Context ctx) {
        Optional<String> heapText = ctx.value("spark.executor.memory");
        Optional<Long> heap =
                heapText.flatMap(SettingPolicy.ByteUnit.MIB::parse).filter(b -> b > 0);
        long twiceDefault = heap.map(h -> (h / 5 + 512 * MIB - 1) / (512 * MIB) * (512 * MIB))
                .orElse(0L);
        if (twiceDefault <= 2 * GIB) {
            return new SettingPolicy.Change("2g");
        }
        return new SettingPolicy.Change(
                SettingPolicy.ByteUnit.format(twiceDefault), "20% of spark.executor.memory " + heapText.get());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> categories() {
        return plans.stream().map(Plan::category).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    @Override
    Outcome change(Diagnosis d, String path, byte[] source) {
        List<Plan> mine =
                plans.stream().filter(p -> p.category().equals(d.category())).toList();
        Optional<Plan> plan = mine.stream().filter(p -> p.need().metBy(d)).findFirst();
        if (plan.isEmpty()) {
            return Decline.needs(d.category() + ": codemod " + ID + " needs "
                    + mine.stream().map(p -> p.need().description()).collect(Collectors.joining(" or ")));
        }
        Optional<String> task = Evidence.entity(d, "task_id");
        String because = plan.get().because();
        PlanResult result = applyAll(source, plan.get().settings(), task);
        if (result instanceof AllSet all && !plan.get().fallback().isEmpty()) {
            because = all.reason();
            result = applyAll(source, plan.get().fallback(), task);
        }
        String why = because.isEmpty() ? "" : " (" + because + ")";
        return switch (result) {
            case Applied a ->
                new Patched(
                        a.patch(),
                        "Spark settings for " + d.category() + why + ": " + a.description() + hintNote(a, source));
            case AllSet all -> Decline.unsafe(all.reason());
            case Stopped s -> s.decline();
        };
    }

    /**
     * A note for a change that turns automatic broadcasts off in a file that also forces some: a hint wins over
     * the threshold, so those joins still broadcast.
     */
    private static String hintNote(Applied a, byte[] source) {
        if (!a.description().contains("spark.sql.autoBroadcastJoinThreshold")) {
            return "";
        }
        try (PythonCst cst = PythonCst.parse(source)) {
            PySparkImports imports = PySparkImports.read(cst);
            List<org.treesitter.TSNode> hints = CallSites.callsIn(cst, List.of(cst.root()), imports::isForcedBroadcast);
            return hints.isEmpty()
                    ? ""
                    : "; the forced broadcast hints on line" + (hints.size() > 1 ? "s " : " ")
                            + BroadcastHintCodemod.lines(cst, hints)
                            + " still broadcast: remove the one on the large side";
        }
    }

    /** What a plan's settings came to. */
    private sealed interface PlanResult permits Applied, AllSet, Stopped {}

    private record Applied(Patch patch, String description) implements PlanResult {}

    /** Every setting of a plan was already where the plan wants it. */
    private record AllSet(String reason) implements PlanResult {}

    private record Stopped(Decline decline) implements PlanResult {}

    private static PlanResult applyAll(byte[] source, List<Setting> settings, Optional<String> task) {
        Patch patch = new Patch(source);
        List<String> changes = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        // one setting at a time, re-parsing in between, so every edit sees offsets of the bytes it splices
        for (Setting setting : settings) {
            switch (applyOne(patch.bytes(), setting, task)) {
                case Edited e -> {
                    patch.apply(e.edit());
                    changes.add(e.description());
                }
                case Unchanged u -> unchanged.add(setting.key() + ": " + u.reason());
                case Refused r -> {
                    return new Stopped(r.decline());
                }
            }
        }
        if (changes.isEmpty()) {
            return new AllSet("already set: " + String.join("; ", unchanged));
        }
        return new Applied(patch, String.join("; ", changes));
    }

    /** What happened to one setting. */
    private sealed interface Step permits Edited, Unchanged, Refused {}

    private record Edited(Edit edit, String description) implements Step {}

    private record Unchanged(String reason) implements Step {}

    private record Refused(Decline decline) implements Step {
        static Refused unsafe(String reason) {
            return new Refused(Decline.unsafe(reason));
        }
    }

    private static Step applyOne(byte[] source, Setting setting, Optional<String> task) {
        String key = setting.key();
        try (PythonCst cst = PythonCst.parse(source)) {
            SparkConfigs configs = SparkConfigs.read(cst);
            List<SparkConfigs.Place> scope = inScope(configs.places(), task);
            List<SparkConfigs.Site> sites = configs.sites(key).stream()
                    .filter(s -> s.owner() == null || scope.contains(s.owner()))
                    .toList();
            if (sites.size() > 1) {
                return Refused.unsafe(key + " is set in " + sites.size() + " places (lines "
                        + sites.stream().map(s -> String.valueOf(s.line())).collect(Collectors.joining(", "))
                        + "); change it by hand");
            }
            long jobs = scope.stream().filter(p -> p.kind.job).count();
            if (jobs > 1 || scope.size() > 1 && sites.isEmpty()) {
                return Refused.unsafe("ambiguous: " + scope.size() + " places configure Spark in this file ("
                        + scope.stream().map(p -> p.describe(cst)).collect(Collectors.joining(", "))
                        + ") and the diagnosis does not say which"
                        + (task.isPresent() ? " runs task " + task.get() : "")
                        + "; set " + key + " by hand");
            }
            if (sites.size() == 1) {
                SparkConfigs.Site site = sites.get(0);
                SettingPolicy.Context ctx = site.owner() == null ? SettingPolicy.Context.NONE : site.owner()::value;
                if (site.owner() != null && site.owner().inSharedDict(site)) {
                    return raiseForOneTask(cst, configs, setting, site, ctx);
                }
                return changeValue(source, setting, site, ctx);
            }
            if (scope.isEmpty()) {
                return new Refused(Decline.nothing("no SparkSession builder or SparkConf in this file; set " + key
                        + " where the job is submitted"));
            }
            return insert(cst, configs, setting, scope.get(0));
        }
    }

    /** The places of the diagnosis' Airflow task, when some places name it; else all of them. */
    private static List<SparkConfigs.Place> inScope(List<SparkConfigs.Place> places, Optional<String> task) {
        if (task.isEmpty()) {
            return places;
        }
        List<SparkConfigs.Place> matching = places.stream()
                .filter(p -> p.taskId.filter(t -> sameTask(t, task.get())).isPresent())
                .toList();
        return matching.isEmpty() ? places : matching;
    }

    /** A task id in the code matches the diagnosis' one, also inside a task group ({@code group.task}). */
    private static boolean sameTask(String inCode, String fromDiagnosis) {
        return fromDiagnosis.equals(inCode) || fromDiagnosis.endsWith("." + inCode);
    }

    private static Step changeValue(byte[] source, Setting setting, SparkConfigs.Site site, SettingPolicy.Context ctx) {
        String key = setting.key();
        String shown = site.writtenAs().equals(key) ? key : site.writtenAs() + " (" + key + ")";
        if (site.value().text().isEmpty()) {
            return Refused.unsafe("the value of " + shown + " on line " + site.line()
                    + " is not a literal; change it where it is defined");
        }
        String old = site.value().text().get();
        return switch (setting.policy().raise(old, ctx)) {
            case SettingPolicy.AlreadySet a -> new Unchanged(a.reason());
            case SettingPolicy.Unsupported u -> Refused.unsafe(shown + ": " + u.reason());
            case SettingPolicy.Change c ->
                site.value()
                        .render(c.value(), setting.policy())
                        .<Step>map(text -> new Edited(
                                new Edit(site.value().start(), site.value().end(), text),
                                "raise " + shown + " from " + old + " to " + c.value() + why(c)))
                        .orElseGet(() -> Refused.unsafe("cannot write " + c.value() + " over the literal of " + shown
                                + " on line " + site.line()));
        };
    }

    /**
     * A key set in a conf dict several spark-submit calls share: the task's own {@code executor_memory=} or {@code
     * driver_memory=} argument takes the new value (it wins over conf), so the other tasks keep theirs.
     */
    private static Step raiseForOneTask(
            PythonCst cst, SparkConfigs configs, Setting setting, SparkConfigs.Site site, SettingPolicy.Context ctx) {
        SparkConfigs.Place place = site.owner();
        Optional<String> keyword = SparkConfigs.submitKeyword(setting.key());
        if (keyword.isEmpty()) {
            return Refused.unsafe(place.sharedDictReason(cst) + "; set " + setting.key() + " for this task by hand");
        }
        if (site.value().text().isEmpty()) {
            return Refused.unsafe("the value of " + setting.key() + " on line " + site.line()
                    + " is not a literal; change it where it is defined");
        }
        String old = site.value().text().get();
        return switch (setting.policy().raise(old, ctx)) {
            case SettingPolicy.AlreadySet a -> new Unchanged(a.reason());
            case SettingPolicy.Unsupported u -> Refused.unsafe(setting.key() + ": " + u.reason());
            case SettingPolicy.Change c ->
                new Edited(
                        configs.keywordInsertion(place, keyword.get(), c.value()),
                        "set " + keyword.get() + "= to " + c.value() + " (" + setting.key() + " was " + old
                                + " in the conf dict on line " + site.line() + ", shared with other tasks)");
        };
    }

    private static Step insert(PythonCst cst, SparkConfigs configs, Setting setting, SparkConfigs.Place place) {
        String key = setting.key();
        if (setting.policy().scales() && !place.opaqueLines.isEmpty()) {
            return Refused.unsafe("the " + place.describe(cst) + " may already set " + key
                    + " through a value that is not a literal (line " + place.opaqueLines.get(0)
                    + "); set it by hand");
        }
        return switch (setting.policy().whenAbsent(place::value)) {
            case SettingPolicy.Change c -> {
                SparkConfigs.Insertion ins = configs.insertion(place, key, c.value());
                yield ins.edit()
                        .<Step>map(e -> new Edited(e, "set " + key + " to " + c.value() + why(c)))
                        .orElseGet(() -> Refused.unsafe(ins.whyNot()));
            }
            case SettingPolicy.AlreadySet a -> new Unchanged(a.reason());
            case SettingPolicy.Unsupported u -> Refused.unsafe(key + ": " + u.reason());
        };
    }

    private static String why(SettingPolicy.Change c) {
        return c.why().isEmpty() ? "" : " (" + c.why() + ")";
    }
}
