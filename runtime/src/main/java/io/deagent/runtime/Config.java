package io.deagent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings from the environment, AWS Secrets Manager ({@code DE_AGENT_SECRETS=aws:de-agent/}, see
 * {@link AwsSecrets}) and an optional YAML file ({@code --config}, default {@code ./de-agent.yaml}), in that
 * order: the environment wins, then the secrets, then the file. The file uses the same names as the
 * environment, in either case:
 *
 * <pre>
 * DE_AGENT_DB_URL: jdbc:postgresql://db:5432/deagent
 * de_agent_workers: 8
 * </pre>
 */
public final class Config {

    public static final Path DEFAULT_FILE = Path.of("de-agent.yaml");

    private static final Pattern SECRET_NAME = Pattern.compile("TOKEN|SECRET|PASSWORD|API_KEY|ACCESS_KEY");

    private final Map<String, String> env;
    private final Map<String, String> secrets;
    private final Map<String, String> file;

    Config(Map<String, String> env, Map<String, String> secrets, Map<String, String> file) {
        this.env = Map.copyOf(env);
        this.secrets = Map.copyOf(secrets);
        this.file = Map.copyOf(file);
    }

    /** The process environment, the secrets it names and the file, when there is one. */
    public static Config load(Optional<Path> explicit) {
        Path path = explicit.orElse(DEFAULT_FILE);
        Map<String, String> fromFile = Map.of();
        if (explicit.isPresent() || Files.isRegularFile(path)) {
            fromFile = readFile(path);
        }
        Config config = from(System.getenv(), fromFile);
        // a token or password read from a secret is masked wherever it shows up (a log line, an error that an
        // API echoes); names, regions and URLs in the same secrets are not
        List<String> literal = config.secrets.entrySet().stream()
                .filter(e -> SECRET_NAME.matcher(e.getKey()).find())
                .map(e -> e.getValue().strip())
                .filter(v -> v.length() >= 8)
                .map(Pattern::quote)
                .toList();
        if (!literal.isEmpty()) {
            io.deagent.core.Redactor.addPatterns(literal);
        }
        config.get("DE_AGENT_REDACT_PATTERNS").ifPresent(p -> {
            try {
                io.deagent.core.Redactor.addPatterns(java.util.Arrays.stream(p.split("\\R|;;"))
                        .map(String::trim)
                        .filter(x -> !x.isEmpty())
                        .toList());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("DE_AGENT_REDACT_PATTERNS: " + e.getMessage());
            }
        });
        return config;
    }

    /**
     * {@code env} and {@code file} with the secrets that {@code DE_AGENT_SECRETS} (in either) names, read from
     * Secrets Manager once per process.
     *
     * @throws ConfigException when a secret cannot be read or used
     */
    public static Config from(Map<String, String> env, Map<String, String> file) {
        Config plain = new Config(env, Map.of(), file);
        if (plain.get("DE_AGENT_SECRETS").isEmpty()) {
            return plain;
        }
        return new Config(env, AwsSecrets.load(plain), file);
    }

    /** Exactly these values: no environment, secrets or file (tests, embedding). */
    public static Config of(Map<String, String> values) {
        return new Config(values, Map.of(), Map.of());
    }

    private static Map<String, String> readFile(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("no such config file: " + path + " (check --config)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(path.toFile());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + path + ": " + firstLine(e.getMessage()));
        }
        Map<String, String> out = new HashMap<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return out;
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + path + " must be a mapping of NAME: value");
        }
        var fields = root.properties().iterator();
        while (fields.hasNext()) {
            var f = fields.next();
            if (f.getValue().isContainerNode()) {
                throw new ConfigException("config file " + path + ": " + f.getKey()
                        + " must be a plain value (the settings are the environment variable names)");
            }
            out.put(f.getKey().toUpperCase(Locale.ROOT), f.getValue().asText());
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl > 0 ? s.substring(0, nl) : s;
    }

    public Optional<String> get(String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            v = secrets.get(name);
        }
        if (v == null || v.isBlank()) {
            v = file.get(name);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String get(String name, String fallback) {
        return get(name).orElse(fallback);
    }

    public int integer(String name, int fallback, int min, int max) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n < min || n > max) {
                throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got '" + v.get() + "'");
        }
    }

    public Duration seconds(String name, int fallback, int min, int max) {
        return Duration.ofSeconds(integer(name, fallback, min, max));
    }
}
