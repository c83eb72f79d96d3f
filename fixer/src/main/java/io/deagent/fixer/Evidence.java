package io.deagent.fixer;

import io.deagent.core.Diagnosis;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a codemod reads from a diagnosis beyond its category: proof lines, the root cause and entities. */
final class Evidence {

    /** A requirement on a diagnosis, with the words that say what is missing when it is not met. */
    record Need(String description, Predicate<Diagnosis> test) {
        static final Need CATEGORY = new Need("only its category", d -> true);

        boolean metBy(Diagnosis d) {
            return test.test(d);
        }
    }

    /** Spark could not build a broadcast table in driver memory. */
    static final Pattern BROADCAST_BUILD_OOM = Pattern.compile(
            "Not enough memory to build and broadcast the table|Cannot broadcast the table that is larger than"
                    + "|BROADCAST_TABLE_TOO_LARGE|The size of broadcast table .* exceeds");

    /** Kryo ran out of buffer (not a "Task not serializable", whose fix is in the code). */
    static final Pattern KRYO_BUFFER_OVERFLOW = Pattern.compile(
            "KryoException: Buffer overflow|Kryo serialization failed: Buffer overflow|KRYO_BUFFER_OVERFLOW");

    /** The timeout a broadcast ran into, in seconds. */
    private static final Pattern BROADCAST_TIMEOUT_SECONDS =
            Pattern.compile("Could not execute broadcast in (\\d+) secs|Futures timed out after \\[(\\d+) seconds\\]");

    private Evidence() {}

    /** The proof lines and the root cause of a diagnosis, as text. */
    static List<String> texts(Diagnosis d) {
        List<String> out = new ArrayList<>();
        if (d.evidence() != null) {
            d.evidence().forEach(e -> out.add(e.text()));
        }
        if (d.rootCause() != null) {
            d.rootCause().ifPresent(r -> out.add(r.exception() + ": " + r.message()));
        }
        return out;
    }

    static boolean anyLine(Diagnosis d, Pattern p) {
        return texts(d).stream().anyMatch(t -> t != null && p.matcher(t).find());
    }

    static Optional<String> entity(Diagnosis d, String key) {
        Map<String, String> entities = d.entities() == null ? Map.of() : d.entities();
        return Optional.ofNullable(entities.get(key)).map(String::strip).filter(s -> !s.isEmpty());
    }

    static boolean broadcastBuildOom(Diagnosis d) {
        return anyLine(d, BROADCAST_BUILD_OOM)
                || d.ruleId() != null
                        && d.ruleId()
                                .filter("spark.broadcast_build_oom"::equals)
                                .isPresent();
    }

    static boolean kryoBufferOverflow(Diagnosis d) {
        return anyLine(d, KRYO_BUFFER_OVERFLOW)
                || entity(d, "config")
                        .filter("spark.kryoserializer.buffer.max"::equals)
                        .isPresent();
    }

    /** The longest broadcast timeout the proof lines report, in seconds. */
    static Optional<Integer> broadcastTimeoutSeconds(Diagnosis d) {
        Optional<Integer> max = Optional.empty();
        for (String t : texts(d)) {
            Matcher m = BROADCAST_TIMEOUT_SECONDS.matcher(t == null ? "" : t);
            while (m.find()) {
                String n = m.group(1) != null ? m.group(1) : m.group(2);
                if (n.length() < 9) {
                    int s = Integer.parseInt(n);
                    max = Optional.of(max.map(x -> Math.max(x, s)).orElse(s));
                }
            }
        }
        return max;
    }
}
