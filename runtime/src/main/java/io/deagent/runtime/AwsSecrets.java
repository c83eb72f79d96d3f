package io.deagent.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * Settings kept in AWS Secrets Manager: {@code DE_AGENT_SECRETS=aws:de-agent/} reads one secret per integration,
 * {@code de-agent/slack}, {@code de-agent/gemini}, {@code de-agent/redshift} and {@code de-agent/mwaa} (or the
 * names in {@code DE_AGENT_SECRET_NAMES}), each a JSON object of setting names to values, such as
 * {@code {"SLACK_BOT_TOKEN":"xoxb-…","SLACK_SIGNING_SECRET":"…"}}.
 *
 * <p>They are read once and kept for the life of the process (a Lambda container, a {@code serve} replica): a
 * rotated secret is picked up by new containers. A secret that is missing, denied or malformed stops the start
 * with one line that names it; its content never appears in a message.
 */
public final class AwsSecrets {

    /** The integrations of the seed deployment, one secret each. */
    public static final List<String> DEFAULT_NAMES = List.of("slack", "gemini", "redshift", "mwaa");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "SECRETS_MANAGER";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");
    private static final Pattern SETTING = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Per process: one read per container, whatever the number of invocations. */
    private static final Map<String, Map<String, String>> CACHE = new ConcurrentHashMap<>();

    private AwsSecrets() {}

    /**
     * The settings of every named secret, merged in order. {@code config} supplies {@code DE_AGENT_SECRETS},
     * {@code DE_AGENT_SECRET_NAMES}, {@code AWS_REGION} and {@code AWS_ENDPOINT_URL}.
     *
     * @throws ConfigException naming the secret and what to do, when one cannot be read or used
     */
    public static Map<String, String> load(Config config) {
        String spec = config.get("DE_AGENT_SECRETS").orElseThrow();
        String prefix = prefix(spec);
        List<String> names = names(config.get("DE_AGENT_SECRET_NAMES", String.join(",", DEFAULT_NAMES)));
        String region = AwsClients.region(config, "DE_AGENT_SECRETS (Secrets Manager)");
        String key = prefix + "|" + names + "|" + region + "|"
                + AwsClients.endpoint(config, SERVICE).map(Object::toString).orElse("");
        Map<String, String> cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        Map<String, String> values = new LinkedHashMap<>();
        try (SecretsManagerClient client = AwsClients.configure(
                        SecretsManagerClient.builder(), config, "DE_AGENT_SECRETS (Secrets Manager)", SERVICE)
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(10)))
                .build()) {
            for (String name : names) {
                values.putAll(read(client, prefix + name, region));
            }
        }
        Map<String, String> loaded = Map.copyOf(values);
        CACHE.put(key, loaded);
        return loaded;
    }

    /** Forgets what was read (tests; a process that wants a rotated secret). */
    public static void forget() {
        CACHE.clear();
    }

    static String prefix(String spec) {
        if (!spec.startsWith("aws:") || spec.length() == 4) {
            throw new ConfigException(
                    "DE_AGENT_SECRETS must be aws:<prefix of the secret names>, e.g. aws:de-agent/, got: " + spec);
        }
        String prefix = spec.substring(4);
        if (!NAME.matcher(prefix).matches()) {
            throw new ConfigException("DE_AGENT_SECRETS: " + prefix + " is not a Secrets Manager name prefix"
                    + " (letters, digits and /_+=.@-)");
        }
        return prefix;
    }

    static List<String> names(String list) {
        List<String> names = new ArrayList<>();
        for (String n : list.split(",")) {
            String name = n.strip();
            if (name.isEmpty()) {
                continue;
            }
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException("DE_AGENT_SECRET_NAMES holds " + name
                        + ", which is not a secret name (a comma-separated list such as slack,gemini)");
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new ConfigException("DE_AGENT_SECRET_NAMES is empty; list the secrets to read, e.g. slack,mwaa");
        }
        return names;
    }

    private static Map<String, String> read(SecretsManagerClient client, String id, String region) {
        GetSecretValueResponse r;
        try {
            r = client.getSecretValue(b -> b.secretId(id));
        } catch (AwsServiceException e) {
            throw new ConfigException(explain(e, id, region));
        } catch (SdkException e) {
            throw new ConfigException("cannot read secret " + id + " from Secrets Manager in " + region + ": "
                    + firstLine(e.getMessage()) + " (check the network and the AWS credentials)");
        }
        if (r.secretString() == null) {
            throw new ConfigException("secret " + id + " holds binary data; store a JSON object of setting names"
                    + " to values, e.g. {\"SLACK_BOT_TOKEN\": \"xoxb-…\"}");
        }
        return settings(id, r.secretString());
    }

    static Map<String, String> settings(String id, String secretString) {
        String shape = "secret " + id + " must be a JSON object of setting names to values, e.g."
                + " {\"SLACK_BOT_TOKEN\": \"xoxb-…\"}";
        JsonNode node;
        try {
            node = JSON.readTree(secretString);
        } catch (IOException e) {
            // the parser's message quotes the content: never repeat it
            throw new ConfigException(shape + "; it is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new ConfigException(shape);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var f : node.properties()) {
            String name = f.getKey().toUpperCase(Locale.ROOT);
            if (!SETTING.matcher(name).matches()) {
                throw new ConfigException(shape + "; \"" + f.getKey() + "\" is not a setting name");
            }
            JsonNode v = f.getValue();
            if (v.isContainerNode()) {
                throw new ConfigException(shape + "; " + f.getKey() + " must be a plain value");
            }
            if (!v.isNull()) {
                out.put(name, v.asText());
            }
        }
        return out;
    }

    private static String explain(AwsServiceException e, String id, String region) {
        String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
        return switch (code == null ? "" : code) {
            case "ResourceNotFoundException" ->
                "secret " + id + " does not exist in " + region + "; create it (docs/aws-deployment.md) or leave it"
                        + " out of DE_AGENT_SECRET_NAMES";
            case "AccessDeniedException" ->
                "not allowed to read secret " + id + "; grant secretsmanager:GetSecretValue on it to this role";
            case "DecryptionFailure" ->
                "cannot decrypt secret " + id + "; grant kms:Decrypt on its KMS key to this role";
            case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException" ->
                "cannot read secret " + id + ": the AWS credentials were refused (" + code + ")";
            default ->
                "cannot read secret " + id + " from Secrets Manager in " + region + ": "
                        + (code == null || code.isEmpty() ? "HTTP " + e.statusCode() : code);
        };
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl > 0 ? s.substring(0, nl) : s;
    }
}
