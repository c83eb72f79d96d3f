package io.deagent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.testkit.FakeAwsJsonApi;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DE_AGENT_SECRETS against a Secrets Manager faked at the wire (JSON 1.1, secretsmanager.GetSecretValue). */
class AwsSecretsTest {

    private final FakeAwsJsonApi aws = FakeAwsJsonApi.start();
    private final Map<String, String> secrets = new HashMap<>();

    @BeforeEach
    void serve() {
        AwsSecrets.forget();
        secrets.put(
                "de-agent/slack", "{\"SLACK_BOT_TOKEN\":\"xoxb-from-secrets\",\"slack_signing_secret\":\"s1gn1ng\"}");
        secrets.put("de-agent/gemini", "{\"GEMINI_API_KEY\":\"AIza-from-secrets\"}");
        secrets.put("de-agent/redshift", "{\"REDSHIFT_DATABASE\":\"analytics\"}");
        secrets.put("de-agent/mwaa", "{\"DE_AGENT_WEBHOOK_SECRET\":\"hook\",\"MWAA_ENVIRONMENT\":\"prod-airflow\"}");
        aws.on("secretsmanager.GetSecretValue", call -> {
            String id = call.text("SecretId").orElse("");
            String value = secrets.get(id);
            if (value == null) {
                throw AwsError.resourceNotFound("Secrets Manager can't find the specified secret.");
            }
            return Map.of(
                    "ARN",
                    "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + id + "-AbCdEf",
                    "Name",
                    id,
                    "SecretString",
                    value,
                    "VersionId",
                    "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1",
                    "VersionStages",
                    java.util.List.of("AWSCURRENT"),
                    "CreatedDate",
                    1.763700000E9);
        });
    }

    @AfterEach
    void stop() {
        aws.close();
        AwsSecrets.forget();
    }

    private Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("DE_AGENT_SECRETS", "aws:de-agent/");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", aws.endpoint().toString());
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void theFourSecretsAreReadOnceAndTheEnvironmentWinsOverThemAndTheyOverTheFile() {
        Config c = Config.from(
                env("SLACK_BOT_TOKEN", "xoxb-from-env"),
                Map.of("REDSHIFT_DATABASE", "from-file", "DE_AGENT_WORKERS", "6"));

        assertThat(c.get("SLACK_BOT_TOKEN")).contains("xoxb-from-env");
        assertThat(c.get("SLACK_SIGNING_SECRET")).contains("s1gn1ng"); // names are upper-cased
        assertThat(c.get("GEMINI_API_KEY")).contains("AIza-from-secrets");
        assertThat(c.get("REDSHIFT_DATABASE")).contains("analytics");
        assertThat(c.get("DE_AGENT_WEBHOOK_SECRET")).contains("hook");
        assertThat(c.get("DE_AGENT_WORKERS")).contains("6");
        assertThat(aws.calls("secretsmanager.GetSecretValue"))
                .extracting(call -> call.text("SecretId").orElse(""))
                .containsExactly("de-agent/slack", "de-agent/gemini", "de-agent/redshift", "de-agent/mwaa");

        // a second load in the same process (the next Lambda invocation, doctor after serve) asks nothing
        Config again = Config.from(env(), Map.of());
        assertThat(again.get("SLACK_BOT_TOKEN")).contains("xoxb-from-secrets");
        assertThat(aws.calls("secretsmanager.GetSecretValue")).hasSize(4);
    }

    @Test
    void theNamesCanBeNarrowedToWhatAFunctionNeeds() {
        Config c = Config.from(env("DE_AGENT_SECRET_NAMES", "slack, mwaa"), Map.of());

        assertThat(c.get("SLACK_BOT_TOKEN")).isPresent();
        assertThat(c.get("GEMINI_API_KEY")).isEmpty();
        assertThat(aws.calls("secretsmanager.GetSecretValue")).hasSize(2);
    }

    @Test
    void aMissingSecretIsOneLineThatNamesIt() {
        secrets.remove("de-agent/gemini");

        assertThatThrownBy(() -> Config.from(env(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("secret de-agent/gemini does not exist in us-east-1; create it (docs/aws-deployment.md)"
                        + " or leave it out of DE_AGENT_SECRET_NAMES");
    }

    @Test
    void deniedAccessSaysWhichPermissionIsMissing() {
        aws.failNext(
                "secretsmanager.GetSecretValue",
                1,
                AwsError.accessDenied("User: arn:aws:sts::123456789012:assumed-role/de-agent-ack is not authorized"));

        assertThatThrownBy(() -> Config.from(env(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("not allowed to read secret de-agent/slack; grant secretsmanager:GetSecretValue on it to"
                        + " this role");
    }

    @Test
    void aSecretThatIsNotAJsonObjectIsRefusedWithoutRepeatingItsContent() {
        secrets.put("de-agent/slack", "xoxb-a-bare-token-pasted-as-is");

        assertThatThrownBy(() -> Config.from(env(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("secret de-agent/slack must be a JSON object of setting names to values")
                .hasMessageNotContaining("xoxb-a-bare");
    }

    @Test
    void badSettingsAreOneLineEach() {
        assertThatThrownBy(() -> Config.from(env("DE_AGENT_SECRETS", "vault:de-agent/"), Map.of()))
                .hasMessage("DE_AGENT_SECRETS must be aws:<prefix of the secret names>, e.g. aws:de-agent/, got:"
                        + " vault:de-agent/");
        Map<String, String> noRegion = env();
        noRegion.remove("AWS_REGION");
        assertThatThrownBy(() -> Config.from(noRegion, Map.of()))
                .hasMessage("DE_AGENT_SECRETS (Secrets Manager) needs AWS_REGION, e.g. us-east-1");
    }
}
