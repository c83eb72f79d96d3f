package io.deagent.llm.prompt;

import io.deagent.core.Taxonomy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The prompt templates of one version, loaded from the classpath ({@code prompts/<version>.system.txt},
 * {@code .user.txt}, {@code .repair.txt}). Templates use {@code {{name}}} placeholders, filled in one pass:
 * a value that itself contains {@code {{...}}} (log text) is never expanded. A placeholder without a value
 * fails fast.
 *
 * <p>The version is part of the explanation cache key: change the text, bump the version.
 */
public final class PromptTemplates {

    /** The current prompt version. */
    public static final String VERSION = "explain-v1";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

    private final String version;
    private final String system;
    private final String user;
    private final String repair;

    private PromptTemplates(String version, String system, String user, String repair) {
        this.version = version;
        this.system = system;
        this.user = user;
        this.repair = repair;
    }

    /** The templates of {@link #VERSION}. */
    public static PromptTemplates load() {
        return Holder.CURRENT;
    }

    /** The templates of one version; fails when a file is missing. */
    public static PromptTemplates load(String version) {
        String systemTemplate = resource(version, "system");
        String rendered = render(
                systemTemplate,
                Map.of("categories", labels(Taxonomy.CATEGORIES), "fix_classes", labels(Taxonomy.FIX_CLASSES)));
        return new PromptTemplates(version, rendered, resource(version, "user"), resource(version, "repair"));
    }

    private static final class Holder {
        static final PromptTemplates CURRENT = load(VERSION);
    }

    public String version() {
        return version;
    }

    /** The system prompt, with the taxonomy labels filled in: the same for every request of this version. */
    public String system() {
        return system;
    }

    /** The user message template, placeholders not filled. */
    public String userTemplate() {
        return user;
    }

    /** The repair message template, placeholders not filled. */
    public String repairTemplate() {
        return repair;
    }

    /** Fills every {@code {{name}}} of the template in one pass. */
    public static String render(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 256);
        Set<String> missing = new HashSet<>();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                missing.add(m.group(1));
                continue;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no value for the template placeholders " + missing);
        }
        m.appendTail(out);
        return out.toString();
    }

    /** "- `label`: meaning" lines, in the taxonomy's order. */
    static String labels(Map<String, String> taxonomy) {
        return taxonomy.entrySet().stream()
                .map(e -> "- " + e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n"));
    }

    private static String resource(String version, String part) {
        if (!version.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("not a prompt version: " + version);
        }
        String name = "/prompts/" + version + "." + part + ".txt";
        try (InputStream in = PromptTemplates.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("prompt template " + name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompt template " + name, e);
        }
    }
}
