package io.deagent.sources.warehouse;

import io.deagent.core.FailureEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dbt models and tests a failure event names, read from its exception, its log text and its payload: the
 * words to look up in the audit tables and artifacts. Reading names is not judging: nothing here says why the
 * task failed.
 *
 * <p>What counts as a dbt event (see {@link #looksLikeDbt}): the operator or task id says dbt ({@code
 * DbtRunOperator}, cosmos {@code DbtRunLocalOperator}, {@code dbt_build_orders}); or the text carries dbt's own
 * words ({@code dbt} as a word, {@code Database Error in model}, {@code Failure in test}, a {@code
 * model.project.name} unique id); or the payload names a model ({@code model}, {@code dbt_model}, {@code
 * dbt_test}). A BashOperator that ran {@code dbt build} is caught by its log ("Running with dbt=1.8.7").
 */
public record DbtMentions(List<String> models, List<String> tests, List<String> uniqueIds) {

    static final int MAX_NAMES = 10;
    private static final int MAX_NAME_LENGTH = 256;

    /** {@code Database Error in model stg_orders (models/staging/stg_orders.sql)}, also Compilation/Runtime. */
    private static final Pattern ERROR_IN =
            Pattern.compile("\\b(?:Database|Compilation|Runtime|Dependency)? ?Error in (model|test|snapshot|seed)"
                    + " ([A-Za-z0-9_]+)");
    /** {@code Failure in test not_null_orders_customer_id (models/…)}, {@code Warning in test …}. */
    private static final Pattern FAILURE_IN_TEST = Pattern.compile("\\b(?:Failure|Warning) in test ([A-Za-z0-9_]+)");
    /** {@code 13 of 14 FAIL 37 unique_fct_orders_order_id ....} and {@code 2 of 5 ERROR not_null_x ....}. */
    private static final Pattern PROGRESS_TEST =
            Pattern.compile("\\b\\d+ of \\d+ (?:FAIL \\d+|WARN \\d+|ERROR) ([A-Za-z0-9_]+) \\.");
    /** {@code 1 of 3 ERROR creating sql incremental model analytics.stg_orders ....}. */
    private static final Pattern PROGRESS_MODEL = Pattern.compile(
            "\\b\\d+ of \\d+ ERROR creating (?:[a-z]+ )*(?:model|snapshot|seed) (?:[A-Za-z0-9_\"]+\\.)*\"?([A-Za-z0-9_]+)");
    /**
     * {@code model.shop.stg_orders}, {@code test.shop.not_null_orders_customer_id.5a1c2b3d4e}. A test id needs its
     * ten-hex hash, so Python module paths such as {@code test.utils.helpers} in a traceback are not taken for one.
     */
    private static final Pattern UNIQUE_ID = Pattern.compile("\\b(?:(?:model|snapshot|seed)\\.[A-Za-z0-9_]+\\."
            + "(?<name>[A-Za-z0-9_]+)|test\\.[A-Za-z0-9_]+\\.(?<test>[A-Za-z0-9_]+)\\.[0-9a-f]{10})\\b");
    /** {@code dbt build --select +fct_orders stg_orders} (plain model names only; tags, paths and globs skipped). */
    private static final Pattern SELECT = Pattern.compile("(?:--select|--models|\\s-s|\\s-m)\\s+([^'\"\\]\\n]*)");

    private static final Pattern SELECTOR_NAME = Pattern.compile("\\d*\\+?@?([A-Za-z0-9_]+)\\+?\\d*");
    private static final Pattern DBT_WORD = Pattern.compile("(?i)(?<![a-z0-9])dbt(?![a-z0-9])");

    public DbtMentions {
        models = List.copyOf(models);
        tests = List.copyOf(tests);
        uniqueIds = List.copyOf(uniqueIds);
    }

    public boolean isEmpty() {
        return models.isEmpty() && tests.isEmpty() && uniqueIds.isEmpty();
    }

    /** Models then tests, each once. */
    public List<String> names() {
        Set<String> all = new LinkedHashSet<>(models);
        all.addAll(tests);
        return List.copyOf(all);
    }

    public static boolean looksLikeDbt(FailureEvent event) {
        if (event.operator()
                        .map(o -> o.toLowerCase(Locale.ROOT).contains("dbt"))
                        .orElse(false)
                || event.taskId().toLowerCase(Locale.ROOT).contains("dbt")) {
            return true;
        }
        if (payloadName(event, "model").isPresent()
                || payloadName(event, "dbt_model").isPresent()
                || payloadName(event, "dbt_test").isPresent()) {
            return true;
        }
        return texts(event)
                .anyMatch(t -> DBT_WORD.matcher(t).find()
                        || t.contains("Error in model")
                        || t.contains("Failure in test")
                        || UNIQUE_ID.matcher(t).find());
    }

    public static DbtMentions in(FailureEvent event) {
        Set<String> models = new LinkedHashSet<>();
        Set<String> tests = new LinkedHashSet<>();
        Set<String> ids = new LinkedHashSet<>();
        payloadName(event, "model").ifPresent(models::add);
        payloadName(event, "dbt_model").ifPresent(models::add);
        payloadName(event, "dbt_test").ifPresent(tests::add);
        List<String> texts = texts(event).toList();
        for (String text : texts) {
            errorsAndFailures(text, models, tests);
        }
        for (String text : texts) {
            Matcher m = UNIQUE_ID.matcher(text);
            while (m.find()) {
                ids.add(m.group());
                if (m.group("test") != null) {
                    tests.add(m.group("test"));
                } else {
                    models.add(m.group("name"));
                }
            }
        }
        for (String text : texts) {
            selectedModels(text, models);
        }
        return new DbtMentions(first(models), first(tests), first(ids));
    }

    private static void errorsAndFailures(String text, Set<String> models, Set<String> tests) {
        Matcher error = ERROR_IN.matcher(text);
        while (error.find()) {
            (error.group(1).equals("test") ? tests : models).add(error.group(2));
        }
        Matcher failure = FAILURE_IN_TEST.matcher(text);
        while (failure.find()) {
            tests.add(failure.group(1));
        }
        Matcher progressTest = PROGRESS_TEST.matcher(text);
        while (progressTest.find()) {
            tests.add(progressTest.group(1));
        }
        Matcher progressModel = PROGRESS_MODEL.matcher(text);
        while (progressModel.find()) {
            models.add(progressModel.group(1));
        }
    }

    private static void selectedModels(String text, Set<String> models) {
        Matcher select = SELECT.matcher(text);
        while (select.find()) {
            for (String token : select.group(1).trim().split("\\s+")) {
                if (token.startsWith("-")) {
                    break; // the next flag: --target prod
                }
                Matcher name = SELECTOR_NAME.matcher(token);
                if (name.matches()) {
                    models.add(name.group(1));
                }
            }
        }
    }

    private static Stream<String> texts(FailureEvent event) {
        return Stream.of(event.exception(), event.log()).flatMap(Optional::stream);
    }

    /**
     * A name from the payload, taken as given (trimmed, bounded): it is only ever bound as a parameter, so an
     * odd value finds nothing rather than doing harm.
     */
    private static Optional<String> payloadName(FailureEvent event, String key) {
        Object value = event.raw().get(key);
        if (!(value instanceof String s) || s.isBlank()) {
            return Optional.empty();
        }
        String name = s.strip();
        return Optional.of(name.length() > MAX_NAME_LENGTH ? name.substring(0, MAX_NAME_LENGTH) : name);
    }

    private static List<String> first(Set<String> names) {
        return new ArrayList<>(names).subList(0, Math.min(names.size(), MAX_NAMES));
    }
}
