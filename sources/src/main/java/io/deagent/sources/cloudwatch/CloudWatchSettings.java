package io.deagent.sources.cloudwatch;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the CloudWatch sources read: the MWAA task log group and the Lambda functions whose errors to look for.
 *
 * @param taskLogGroup {@code DE_AGENT_TASK_LOG_GROUP}, else {@code airflow-<MWAA_ENVIRONMENT>-Task}; empty when
 *     neither is set (then only the Lambda source runs)
 * @param lambdaFunctions {@code DE_AGENT_LAMBDA_FUNCTIONS}, function names (an ARN is reduced to its name)
 * @param lambdaLookback {@code DE_AGENT_LAMBDA_LOOKBACK_MINUTES}, default 60
 * @param region {@code AWS_REGION}
 * @param endpoint {@code AWS_ENDPOINT_URL}, for LocalStack-style endpoints and tests
 */
public record CloudWatchSettings(
        Optional<String> taskLogGroup,
        List<String> lambdaFunctions,
        Duration lambdaLookback,
        String region,
        Optional<URI> endpoint) {

    public static final Duration DEFAULT_LAMBDA_LOOKBACK = Duration.ofMinutes(60);

    /** Lambda log retention aside, a week is as far back as an on-call question reaches. */
    static final long MAX_LOOKBACK_MINUTES = 7 * 24 * 60;

    // AWS's own constraints, so a typo fails at start-up with a message instead of at 3 a.m. with a 400
    private static final Pattern MWAA_ENVIRONMENT = Pattern.compile("[a-zA-Z][0-9a-zA-Z_-]{0,79}");
    private static final Pattern LOG_GROUP = Pattern.compile("[.\\-_/#A-Za-z0-9]{1,512}");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Pattern FUNCTION_ARN =
            Pattern.compile("arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\\d{12}:function:([a-zA-Z0-9_-]{1,64})(:[^:]+)?");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");

    public CloudWatchSettings {
        lambdaFunctions = List.copyOf(lambdaFunctions);
    }

    /**
     * Reads the CONTRACT.md variables; empty when neither a task log group nor Lambda functions are configured.
     *
     * @throws IllegalArgumentException naming the variable when a value is malformed or AWS_REGION is missing
     */
    public static Optional<CloudWatchSettings> from(Function<String, Optional<String>> config) {
        Optional<String> group = taskLogGroup(config);
        List<String> functions = lambdaFunctions(value(config, "DE_AGENT_LAMBDA_FUNCTIONS"));
        if (group.isEmpty() && functions.isEmpty()) {
            return Optional.empty();
        }
        String region = value(config, "AWS_REGION")
                .orElseThrow(() -> new IllegalArgumentException(
                        "AWS_REGION is required to read CloudWatch Logs (set because MWAA_ENVIRONMENT,"
                                + " DE_AGENT_TASK_LOG_GROUP or DE_AGENT_LAMBDA_FUNCTIONS is set), e.g. us-east-1"));
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("AWS_REGION must be a region name such as us-east-1, got: " + region);
        }
        return Optional.of(new CloudWatchSettings(
                group,
                functions,
                lookback(value(config, "DE_AGENT_LAMBDA_LOOKBACK_MINUTES")),
                region,
                endpoint(value(config, "AWS_ENDPOINT_URL"))));
    }

    /** The Logs Insights log group of a function. */
    public static String lambdaLogGroup(String function) {
        return "/aws/lambda/" + function;
    }

    private static Optional<String> taskLogGroup(Function<String, Optional<String>> config) {
        Optional<String> explicit = value(config, "DE_AGENT_TASK_LOG_GROUP");
        if (explicit.isPresent()) {
            if (!LOG_GROUP.matcher(explicit.get()).matches()) {
                throw new IllegalArgumentException("DE_AGENT_TASK_LOG_GROUP is not a CloudWatch log group name"
                        + " (letters, digits and . - _ / #, at most 512): " + explicit.get());
            }
            return explicit;
        }
        return value(config, "MWAA_ENVIRONMENT").map(env -> {
            if (!MWAA_ENVIRONMENT.matcher(env).matches()) {
                throw new IllegalArgumentException("MWAA_ENVIRONMENT is not an MWAA environment name (a letter,"
                        + " then letters, digits, - or _, at most 80): " + env);
            }
            return "airflow-" + env + "-Task";
        });
    }

    private static List<String> lambdaFunctions(Optional<String> list) {
        if (list.isEmpty()) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        for (String item : list.get().split(",")) {
            String name = item.strip();
            if (name.isEmpty()) {
                continue;
            }
            Matcher arn = FUNCTION_ARN.matcher(name);
            if (arn.matches()) {
                name = arn.group(1); // the log group is named after the function, whatever the version or alias
            } else if (!FUNCTION_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("DE_AGENT_LAMBDA_FUNCTIONS holds a name that is not a Lambda"
                        + " function name or ARN: " + name + " (a comma-separated list such as ingest-orders,load-s3)");
            }
            names.add(name);
        }
        return new ArrayList<>(names);
    }

    private static Duration lookback(Optional<String> minutes) {
        if (minutes.isEmpty()) {
            return DEFAULT_LAMBDA_LOOKBACK;
        }
        long m;
        try {
            m = Long.parseLong(minutes.get());
        } catch (NumberFormatException e) {
            m = -1;
        }
        if (m < 1 || m > MAX_LOOKBACK_MINUTES) {
            throw new IllegalArgumentException("DE_AGENT_LAMBDA_LOOKBACK_MINUTES must be a whole number of minutes"
                    + " from 1 to " + MAX_LOOKBACK_MINUTES + ", got: " + minutes.get());
        }
        return Duration.ofMinutes(m);
    }

    static Optional<URI> endpoint(Optional<String> url) {
        return url.map(u -> {
            URI uri;
            try {
                uri = URI.create(u);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null
                    || uri.getHost() == null
                    || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new IllegalArgumentException(
                        "AWS_ENDPOINT_URL must be an http(s) URL such as http://localhost:4566, got: " + u);
            }
            return uri;
        });
    }

    private static Optional<String> value(Function<String, Optional<String>> config, String name) {
        return config.apply(name).map(String::strip).filter(v -> !v.isEmpty());
    }
}
