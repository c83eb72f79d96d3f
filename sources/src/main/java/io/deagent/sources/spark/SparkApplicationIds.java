package io.deagent.sources.spark;

import io.deagent.core.FailureEvent;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the Spark application an event is about, from the ids Spark prints: {@code application_<cluster
 * ts>_<n>} (YARN), {@code app-<yyyyMMddHHmmss>-<nnnn>} (standalone), {@code spark-<32 hex>} (Kubernetes) and
 * {@code local-<epoch ms>} (local mode).
 *
 * <p>A task log can hold several ids (an earlier try, a lookup job, the application that failed). The last one
 * wins: the failing run is what a log ends with. The task log is searched first, then the exception text, then
 * every string in the raw payload; each text is scanned once, by one precompiled pattern.
 */
public final class SparkApplicationIds {

    /**
     * {@code local-} takes at least 10 digits (an epoch in ms has 13), so words like {@code local-1} are not taken
     * for ids; the look-arounds keep ids that are part of a longer token out, while allowing {@code _} and
     * {@code /} around them ({@code eventlog_v2_local-…}, {@code /history/application_…/1}).
     */
    static final Pattern APP_ID = Pattern.compile("(?<![A-Za-z0-9])"
            + "(application_[0-9]+_[0-9]+|app-[0-9]{14}-[0-9]{4}|local-[0-9]{10,}|spark-[0-9a-f]{32})"
            + "(?![A-Za-z0-9])");

    private SparkApplicationIds() {}

    /** The application id of the failing run, if the event names one. */
    public static Optional<String> of(FailureEvent event) {
        return event.log()
                .flatMap(SparkApplicationIds::last)
                .or(() -> event.exception().flatMap(SparkApplicationIds::last))
                .or(() -> inValues(event.raw().values()));
    }

    /** The last application id in the text. */
    public static Optional<String> last(CharSequence text) {
        Matcher m = APP_ID.matcher(text);
        String found = null;
        while (m.find()) {
            found = m.group(1);
        }
        return Optional.ofNullable(found);
    }

    private static Optional<String> inValues(Collection<?> values) {
        Optional<String> found = Optional.empty();
        for (Object v : values) {
            Optional<String> here =
                    switch (v) {
                        case CharSequence s -> last(s);
                        case Map<?, ?> m -> inValues(m.values());
                        case Collection<?> c -> inValues(c);
                        case null, default -> Optional.empty();
                    };
            if (here.isPresent()) {
                found = here;
            }
        }
        return found;
    }
}
