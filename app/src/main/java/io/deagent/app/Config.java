package io.deagent.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Settings from the environment and an optional YAML file ({@code --config}, default {@code ./de-agent.yaml}),
 * the environment winning. The file uses the same names as the environment, in either case:
 *
 * <pre>
 * DE_AGENT_DB_URL: jdbc:postgresql://db:5432/deagent
 * de_agent_workers: 8
 * </pre>
 */
public final class Config {

    public static final Path DEFAULT_FILE = Path.of("de-agent.yaml");

    private final Map<String, String> env;
    private final Map<String, String> file;

    Config(Map<String, String> env, Map<String, String> file) {
        this.env = Map.copyOf(env);
        this.file = Map.copyOf(file);
    }

    /** The process environment and the file, when there is one. */
    public static Config load(Optional<Path> explicit) {
        Path path = explicit.orElse(DEFAULT_FILE);
        Map<String, String> fromFile = Map.of();
        if (explicit.isPresent() || Files.isRegularFile(path)) {
            fromFile = readFile(path);
        }
        Config config = new Config(System.getenv(), fromFile);
        config.get("DE_AGENT_REDACT_PATTERNS").ifPresent(p -> {
            try {
                io.deagent.core.Redactor.addPatterns(java.util.Arrays.stream(p.split("\\R|;;"))
                        .map(String::trim)
                        .filter(x -> !x.isEmpty())
                        .toList());
            } catch (IllegalArgumentException e) {
                throw new UsageException("DE_AGENT_REDACT_PATTERNS: " + e.getMessage());
            }
        });
        return config;
    }

    public static Config of(Map<String, String> values) {
        return new Config(values, Map.of());
    }

    private static Map<String, String> readFile(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new UsageException("no such config file: " + path + " (check --config)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(path.toFile());
        } catch (IOException e) {
            throw new UsageException("cannot read config file " + path + ": " + firstLine(e.getMessage()));
        }
        Map<String, String> out = new HashMap<>();
        if (root == null || root.isNull() || root.isMissingNode()) {
            return out;
        }
        if (!root.isObject()) {
            throw new UsageException("config file " + path + " must be a mapping of NAME: value");
        }
        var fields = root.properties().iterator();
        while (fields.hasNext()) {
            var f = fields.next();
            if (f.getValue().isContainerNode()) {
                throw new UsageException("config file " + path + ": " + f.getKey()
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
                throw new UsageException(name + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number, got '" + v.get() + "'");
        }
    }

    public Duration seconds(String name, int fallback, int min, int max) {
        return Duration.ofSeconds(integer(name, fallback, min, max));
    }
}
