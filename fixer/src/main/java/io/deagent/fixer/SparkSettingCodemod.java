package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import io.deagent.core.Taxonomy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sets or raises Spark settings where the job configures its session: a {@code SparkSession.builder} chain or
 * a {@code SparkConf()} chain. Works on the tree-sitter CST and splices the UTF-8 bytes, so every byte it does
 * not mean to change (comments, blank lines, non-ASCII strings) stays identical.
 *
 * <p>Built-in defaults (see {@link #builtIn()}):
 *
 * <ul>
 *   <li>{@code out_of_memory_executor}: {@code spark.executor.memory} doubled, capped at 32g, {@code 8g} when
 *       absent.
 *   <li>{@code out_of_memory_driver}: {@code spark.driver.memory} doubled, capped at 32g, {@code 8g} when absent.
 *   <li>{@code container_killed_memory}: {@code spark.executor.memoryOverhead} doubled, capped at 16g, {@code 2g}
 *       when absent (Spark's own default is max(384m, 10% of the executor heap)).
 *   <li>{@code data_skew}: {@code spark.sql.adaptive.enabled} and {@code spark.sql.adaptive.skewJoin.enabled}
 *       set to {@code true}.
 *   <li>{@code broadcast_timeout}: {@code spark.sql.broadcastTimeout} raised to 1200 seconds when lower or
 *       absent.
 * </ul>
 *
 * <p>Doubling is an escalation, so the memory settings change again on a second run until they reach the cap;
 * flags and floors are idempotent.
 */
public final class SparkSettingCodemod implements CodeFixer {

    public static final String ID = "spark-settings";

    /** One Spark setting and how to raise it. */
    record Setting(String key, SettingPolicy policy) {}

    private final Map<String, List<Setting>> settingsByCategory;

    SparkSettingCodemod(Map<String, List<Setting>> settingsByCategory) {
        this.settingsByCategory = Map.copyOf(settingsByCategory);
    }

    /** The built-in category to setting table; categories missing from the taxonomy are left out. */
    public static SparkSettingCodemod builtIn() {
        Map<String, List<Setting>> table = new LinkedHashMap<>();
        table.put(
                "out_of_memory_executor",
                List.of(new Setting("spark.executor.memory", new SettingPolicy.DoubleMemory("8g", 32 * 1024))));
        table.put(
                "out_of_memory_driver",
                List.of(new Setting("spark.driver.memory", new SettingPolicy.DoubleMemory("8g", 32 * 1024))));
        table.put(
                "container_killed_memory",
                List.of(new Setting("spark.executor.memoryOverhead", new SettingPolicy.DoubleMemory("2g", 16 * 1024))));
        table.put(
                "data_skew",
                List.of(
                        new Setting("spark.sql.adaptive.enabled", new SettingPolicy.EnableFlag()),
                        new Setting("spark.sql.adaptive.skewJoin.enabled", new SettingPolicy.EnableFlag())));
        table.put(
                "broadcast_timeout",
                List.of(new Setting("spark.sql.broadcastTimeout", new SettingPolicy.MinimumSeconds(1200))));
        table.keySet().retainAll(Taxonomy.CATEGORIES.keySet());
        return new SparkSettingCodemod(table);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> categories() {
        return settingsByCategory.keySet();
    }

    @Override
    public Optional<FixProposal> propose(Diagnosis d, String path, byte[] source) {
        return attempt(d, path, source) instanceof Codemods.Proposed p ? Optional.of(p.proposal()) : Optional.empty();
    }

    @Override
    public Codemods.Result attempt(Diagnosis d, String path, byte[] source) {
        if (!supports(d)) {
            return Codemods.declined("codemod " + ID + " does not handle category " + d.category(), d);
        }
        if (!PythonCst.parsesCleanly(source)) {
            return Codemods.declined(path + " does not parse as Python; not editing it", d);
        }
        byte[] current = source;
        List<String> changes = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        // one setting at a time, re-parsing in between, so every edit sees offsets of the bytes it splices
        for (Setting setting : settingsByCategory.get(d.category())) {
            switch (applyOne(current, setting)) {
                case Edited e -> {
                    current = e.result();
                    changes.add(e.description());
                }
                case Unchanged u -> unchanged.add(setting.key() + ": " + u.reason());
                case Refused r -> {
                    return Codemods.declined(r.reason(), d);
                }
            }
        }
        if (changes.isEmpty()) {
            return Codemods.declined("already set: " + String.join("; ", unchanged), d);
        }
        if (!PythonCst.parsesCleanly(current)) {
            return Codemods.declined("the patched file would not parse; change the settings by hand", d);
        }
        String diff = UnifiedDiff.of(
                path, new String(source, StandardCharsets.UTF_8), new String(current, StandardCharsets.UTF_8));
        String description = "Spark settings for " + d.category() + ": " + String.join("; ", changes);
        return new Codemods.Proposed(new FixProposal(path, ID, description, source, current, diff));
    }

    /** What happened to one setting. */
    private sealed interface Step permits Edited, Unchanged, Refused {}

    private record Edited(byte[] result, String description) implements Step {}

    private record Unchanged(String reason) implements Step {}

    private record Refused(String reason) implements Step {}

    private static Step applyOne(byte[] source, Setting setting) {
        try (PythonCst cst = PythonCst.parse(source)) {
            List<SparkChains.ValueSite> sites = SparkChains.valueSites(cst, setting.key());
            if (sites.size() > 1) {
                return new Refused(setting.key() + " is set in " + sites.size() + " places; change it by hand");
            }
            if (sites.size() == 1) {
                return changeValue(source, setting, sites.get(0));
            }
            List<SparkChains.Chain> chains = SparkChains.chains(cst);
            if (chains.isEmpty()) {
                return new Refused("no SparkSession builder or SparkConf in this file; set " + setting.key()
                        + " where the job is submitted");
            }
            if (chains.size() > 1) {
                return new Refused("ambiguous: " + chains.size()
                        + " SparkSession builder or SparkConf chains in this file; set " + setting.key()
                        + " by hand");
            }
            return insert(source, setting, chains.get(0));
        }
    }

    private static Step changeValue(byte[] source, Setting setting, SparkChains.ValueSite site) {
        if (site.value().isEmpty()) {
            return new Refused("the value of " + setting.key() + " is not a literal; change it where it is defined");
        }
        String old = site.value().get();
        return switch (setting.policy().raise(old)) {
            case SettingPolicy.AlreadySet a -> new Unchanged(a.reason());
            case SettingPolicy.Unsupported u -> new Refused(setting.key() + ": " + u.reason());
            case SettingPolicy.Change c ->
                site.render(c.value())
                        .<Step>map(text -> new Edited(
                                splice(source, site.start(), site.end(), text),
                                "raise " + setting.key() + " from " + old + " to " + c.value()))
                        .orElseGet(() ->
                                new Refused("cannot write " + c.value() + " over the literal of " + setting.key()));
        };
    }

    private static Step insert(byte[] source, Setting setting, SparkChains.Chain chain) {
        String value = setting.policy().whenAbsent();
        return chain.insertion(source, setting.key(), value)
                .<Step>map(ins -> new Edited(
                        splice(source, ins.offset(), ins.offset(), ins.text()),
                        "set " + setting.key() + " to " + value))
                .orElseGet(() -> new Refused("the SparkSession builder chain does not end in getOrCreate(); set "
                        + setting.key() + " by hand"));
    }

    /** Replaces bytes [start, end) with the UTF-8 encoding of {@code text}; all other bytes are copied as is. */
    static byte[] splice(byte[] source, int start, int end, String text) {
        byte[] insert = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[source.length - (end - start) + insert.length];
        System.arraycopy(source, 0, out, 0, start);
        System.arraycopy(insert, 0, out, start, insert.length);
        System.arraycopy(source, end, out, start + insert.length, source.length - end);
        return out;
    }
}
