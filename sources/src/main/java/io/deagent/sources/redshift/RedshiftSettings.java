package io.deagent.sources.redshift;

import java.net.URI;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where the Redshift Data API runs statements: a provisioned cluster (with a database user for temporary
 * credentials, or a Secrets Manager secret) or a serverless workgroup (IAM identity, or a secret).
 *
 * @param target {@code REDSHIFT_CLUSTER_ID} or {@code REDSHIFT_WORKGROUP}
 * @param database {@code REDSHIFT_DATABASE}
 * @param dbUser {@code REDSHIFT_DB_USER} (provisioned clusters only)
 * @param secretArn {@code REDSHIFT_SECRET_ARN}
 * @param region {@code AWS_REGION}
 * @param endpoint {@code AWS_ENDPOINT_URL}
 */
public record RedshiftSettings(
        Target target,
        String database,
        Optional<String> dbUser,
        Optional<String> secretArn,
        String region,
        Optional<URI> endpoint) {

    /** What the statements run on. */
    public sealed interface Target {
        /** A provisioned cluster, {@code ClusterIdentifier}. */
        record Cluster(String identifier) implements Target {}

        /** A serverless workgroup, {@code WorkgroupName}. */
        record Workgroup(String name) implements Target {}
    }

    private static final Pattern CLUSTER_ID = Pattern.compile("[a-zA-Z][a-zA-Z0-9-]{0,62}");
    private static final Pattern WORKGROUP = Pattern.compile("[a-zA-Z0-9-]{3,64}");
    private static final Pattern DATABASE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,126}");
    private static final Pattern SECRET_ARN =
            Pattern.compile("arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:.+");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");

    public RedshiftSettings {
        if (target instanceof Target.Workgroup && dbUser.isPresent()) {
            throw new IllegalArgumentException("REDSHIFT_DB_USER applies to provisioned clusters only; a serverless"
                    + " workgroup runs as the caller's IAM identity or with REDSHIFT_SECRET_ARN");
        }
        if (target instanceof Target.Cluster && dbUser.isEmpty() && secretArn.isEmpty()) {
            throw new IllegalArgumentException("REDSHIFT_CLUSTER_ID needs REDSHIFT_DB_USER (temporary credentials)"
                    + " or REDSHIFT_SECRET_ARN (a Secrets Manager secret with username and password)");
        }
        if (dbUser.isPresent() && secretArn.isPresent()) {
            throw new IllegalArgumentException(
                    "set either REDSHIFT_DB_USER or REDSHIFT_SECRET_ARN, not both: the Data API takes one");
        }
    }

    /**
     * Reads the CONTRACT.md variables; empty when neither {@code REDSHIFT_CLUSTER_ID} nor {@code
     * REDSHIFT_WORKGROUP} is set.
     *
     * @throws IllegalArgumentException naming the variable when a value is missing, malformed or contradictory
     */
    public static Optional<RedshiftSettings> from(Function<String, Optional<String>> config) {
        Optional<String> cluster = value(config, "REDSHIFT_CLUSTER_ID");
        Optional<String> workgroup = value(config, "REDSHIFT_WORKGROUP");
        if (cluster.isEmpty() && workgroup.isEmpty()) {
            return Optional.empty();
        }
        if (cluster.isPresent() && workgroup.isPresent()) {
            throw new IllegalArgumentException(
                    "set either REDSHIFT_CLUSTER_ID (provisioned) or REDSHIFT_WORKGROUP" + " (serverless), not both");
        }
        // AWS stores both names in lower case and matches them without regard to case
        Target target = cluster.<Target>map(c -> new Target.Cluster(lower(matching(
                        c,
                        CLUSTER_ID,
                        "REDSHIFT_CLUSTER_ID",
                        "a cluster identifier (letters, digits and hyphens, starting with a letter)"))))
                .orElseGet(() -> new Target.Workgroup(lower(matching(
                        workgroup.get(),
                        WORKGROUP,
                        "REDSHIFT_WORKGROUP",
                        "a workgroup name (3-64 letters, digits and hyphens)"))));
        String database = value(config, "REDSHIFT_DATABASE")
                .map(d -> matching(d, DATABASE, "REDSHIFT_DATABASE", "a database name such as dev"))
                .orElseThrow(() -> new IllegalArgumentException(
                        "REDSHIFT_DATABASE is required with REDSHIFT_CLUSTER_ID or REDSHIFT_WORKGROUP, e.g. dev"));
        Optional<String> secret = value(config, "REDSHIFT_SECRET_ARN")
                .map(s -> matching(s, SECRET_ARN, "REDSHIFT_SECRET_ARN", "a Secrets Manager secret ARN"));
        String region = value(config, "AWS_REGION")
                .map(r -> matching(r, REGION, "AWS_REGION", "a region name such as us-east-1"))
                .orElseThrow(() -> new IllegalArgumentException(
                        "AWS_REGION is required for the Redshift Data API, e.g. us-east-1"));
        return Optional.of(new RedshiftSettings(
                target,
                database,
                value(config, "REDSHIFT_DB_USER"),
                secret,
                region,
                endpoint(value(config, "AWS_ENDPOINT_URL"))));
    }

    /** For messages and {@code query}: {@code cluster analytics database dev}; never credentials. */
    public String describe() {
        String where =
                switch (target) {
                    case Target.Cluster c -> "cluster " + c.identifier();
                    case Target.Workgroup w -> "workgroup " + w.name();
                };
        return where + " database " + database;
    }

    private static String lower(String name) {
        return name.toLowerCase(java.util.Locale.ROOT);
    }

    private static String matching(String value, Pattern pattern, String name, String expected) {
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must be " + expected + ", got: " + value);
        }
        return value;
    }

    private static Optional<URI> endpoint(Optional<String> url) {
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
