package io.deagent.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * deploy/template.yaml, read as CloudFormation reads it (the short tags {@code !Ref}, {@code !GetAtt}, {@code
 * !Sub}, {@code !If}… become their {@code Fn::} forms): every resource issue 8 lists is there with its settings,
 * every reference resolves, and IAM grants named actions only, on named resources except where AWS has no
 * resource-level permission for the action.
 */
class TemplateTest {

    /** Actions AWS authorises on "*" only (no resource-level permissions), and why they are needed. */
    static final Set<String> STAR_ONLY_ACTIONS = Set.of(
            "xray:PutTraceSegments", // active tracing
            "xray:PutTelemetryRecords",
            "logs:GetQueryResults", // Logs Insights results of the pipeline Lambda errors source
            "logs:StopQuery",
            "redshift-data:DescribeStatement", // the Data API's statement ids; limited to our own by a condition
            "redshift-data:GetStatementResult",
            "redshift-data:CancelStatement");

    private static final Set<String> PSEUDO = Set.of(
            "AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::URLSuffix", "AWS::StackName", "AWS::NoValue");

    private final Path root = Path.of(System.getProperty("deagent.root", ".."));
    private final Map<String, Object> template = load(root.resolve("deploy/template.yaml"));

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    private Map<String, Object> resources() {
        return map(template.get("Resources"));
    }

    private Map<String, Object> resource(String name) {
        return map(resources().get(name));
    }

    private Map<String, Object> props(String name) {
        return map(resource(name).get("Properties"));
    }

    private List<String> ofType(String type) {
        return resources().entrySet().stream()
                .filter(e -> type.equals(map(e.getValue()).get("Type")))
                .map(Map.Entry::getKey)
                .toList();
    }

    private Map<String, Object> functionGlobals() {
        return map(map(template.get("Globals")).get("Function"));
    }

    @Test
    void theHttpApiHasBothRoutesThrottledAt100RequestsASecond() {
        assertThat(template.get("Transform")).isEqualTo("AWS::Serverless-2016-10-31");
        assertThat(ofType("AWS::Serverless::HttpApi")).containsExactly("HttpApi");
        Map<String, Object> throttle = map(props("HttpApi").get("DefaultRouteSettings"));
        assertThat(throttle.get("ThrottlingRateLimit")).isEqualTo(100);

        Map<String, Object> events = map(props("AckFunction").get("Events"));
        List<String> routes = events.values().stream()
                .map(TemplateTest::map)
                .filter(e -> "HttpApi".equals(e.get("Type")))
                .map(e -> map(e.get("Properties")))
                .peek(p -> assertThat(p.get("ApiId")).isEqualTo(Map.of("Ref", "HttpApi")))
                .map(p -> p.get("Method") + " " + p.get("Path"))
                .toList();
        assertThat(routes).containsExactlyInAnyOrder("POST /slack/events", "POST /webhooks/airflow");
    }

    @Test
    void theTwoFunctionsAreJava21With1024MbSnapStartTracingAndReservedConcurrency100() throws Exception {
        Map<String, Object> g = functionGlobals();
        assertThat(g.get("Runtime")).isEqualTo("java21");
        assertThat(g.get("MemorySize")).isEqualTo(1024);
        assertThat(g.get("Tracing")).isEqualTo("Active");
        assertThat(map(g.get("SnapStart")).get("ApplyOn")).isEqualTo("PublishedVersions");
        assertThat(g.get("AutoPublishAlias")).isNotNull(); // SnapStart applies to published versions
        assertThat(g.get("CodeUri")).isEqualTo("../lambda/target/de-agent-lambda.jar");
        assertThat(ofType("AWS::Serverless::Function")).containsExactlyInAnyOrder("AckFunction", "WorkerFunction");
        Map<String, Object> concurrency = map(map(template.get("Parameters")).get("ReservedConcurrency"));
        assertThat(concurrency.get("Default")).isEqualTo(100);
        for (String f : List.of("AckFunction", "WorkerFunction")) {
            Map<String, Object> p = props(f);
            assertThat(p.get("ReservedConcurrentExecutions")).isEqualTo(Map.of("Ref", "ReservedConcurrency"));
            // a handler named in the template is a class of the artifact, of the right kind
            String handler = (String) p.get("Handler");
            Class<?> type = Class.forName(handler.substring(0, handler.indexOf("::")));
            assertThat(RequestHandler.class).isAssignableFrom(type);
            assertThat(handler).endsWith("::handleRequest");
        }
        assertThat(props("WorkerFunction").get("Timeout")).isEqualTo(300);
        assertThat((Integer) props("AckFunction").get("Timeout")).isLessThanOrEqualTo(30);
    }

    @Test
    void theWorkerReadsTheQueueWithPartialBatchFailuresAndTheQueueHasADeadLetterQueue() {
        Map<String, Object> events = map(props("WorkerFunction").get("Events"));
        Map<String, Object> sqs = events.values().stream()
                .map(TemplateTest::map)
                .filter(e -> "SQS".equals(e.get("Type")))
                .map(e -> map(e.get("Properties")))
                .findFirst()
                .orElseThrow();
        assertThat(sqs.get("Queue")).isEqualTo(Map.of("Fn::GetAtt", List.of("WorkQueue", "Arn")));
        assertThat(sqs.get("FunctionResponseTypes")).isEqualTo(List.of("ReportBatchItemFailures"));

        assertThat(ofType("AWS::SQS::Queue")).containsExactlyInAnyOrder("WorkQueue", "DeadLetterQueue");
        Map<String, Object> redrive = map(props("WorkQueue").get("RedrivePolicy"));
        assertThat(redrive.get("deadLetterTargetArn"))
                .isEqualTo(Map.of("Fn::GetAtt", List.of("DeadLetterQueue", "Arn")));
        // the worker gives up on its own reply at the same count as SQS does on the message
        assertThat(String.valueOf(redrive.get("maxReceiveCount")))
                .isEqualTo(map(map(functionGlobals().get("Environment")).get("Variables"))
                        .get("DE_AGENT_MAX_ATTEMPTS"));
        assertThat((Integer) props("WorkQueue").get("VisibilityTimeout"))
                .isGreaterThanOrEqualTo(6 * (Integer) props("WorkerFunction").get("Timeout"));
    }

    @Test
    void stateIsAnOnDemandDynamoDbTableWithTimeToLive() {
        assertThat(ofType("AWS::DynamoDB::Table")).containsExactly("StateTable");
        Map<String, Object> p = props("StateTable");
        assertThat(p.get("BillingMode")).isEqualTo("PAY_PER_REQUEST");
        assertThat(map(p.get("TimeToLiveSpecification")))
                .containsEntry("AttributeName", StateTable.TTL)
                .containsEntry("Enabled", true);
        assertThat(p.get("KeySchema")).isEqualTo(List.of(Map.of("AttributeName", StateTable.KEY, "KeyType", "HASH")));
    }

    @Test
    void theFourSecretsOfTheSeedExistAndEachFunctionMayReadOnlyThoseItLoads() {
        Map<String, String> names = new LinkedHashMap<>();
        for (String s : ofType("AWS::SecretsManager::Secret")) {
            names.put(s, String.valueOf(map(props(s).get("Name")).get("Fn::Sub")));
        }
        assertThat(names.values())
                .containsExactlyInAnyOrder(
                        "${SecretsPrefix}slack",
                        "${SecretsPrefix}gemini",
                        "${SecretsPrefix}redshift",
                        "${SecretsPrefix}mwaa");
        assertThat(map(map(template.get("Parameters")).get("SecretsPrefix")).get("Default"))
                .isEqualTo("de-agent/");

        for (String[] fn : new String[][] {{"AckFunction", "AckRole"}, {"WorkerFunction", "WorkerRole"}}) {
            String loads = (String)
                    map(map(props(fn[0]).get("Environment")).get("Variables")).get("DE_AGENT_SECRET_NAMES");
            Set<String> readable = new HashSet<>();
            for (Map<String, Object> st : statements(fn[1])) {
                if (actions(st).contains("secretsmanager:GetSecretValue")) {
                    for (Object r : asList(st.get("Resource"))) {
                        String secret = (String) map(r).get("Ref");
                        readable.add(names.get(secret).replace("${SecretsPrefix}", ""));
                    }
                }
            }
            assertThat(readable).as(fn[1]).containsExactlyInAnyOrder(loads.split(","));
        }
    }

    @Test
    void theAlarmsOfTheIssueAndADashboardExist() {
        List<Map<String, Object>> alarms =
                ofType("AWS::CloudWatch::Alarm").stream().map(this::props).toList();
        assertThat(alarms).as("errors over 1%").anySatisfy(a -> {
            assertThat(a.get("Threshold")).isEqualTo(1);
            assertThat(String.valueOf(a.get("Metrics"))).contains("Errors", "Invocations");
        });
        assertThat(alarms).as("duration over 30 s").anySatisfy(a -> {
            assertThat(a.get("MetricName")).isEqualTo("Duration");
            assertThat(a.get("Threshold")).isEqualTo(30000);
        });
        assertThat(alarms).as("concurrency over 80% of the limit").anySatisfy(a -> {
            assertThat(a.get("Threshold")).isEqualTo(80);
            assertThat(String.valueOf(a.get("Metrics"))).contains("ConcurrentExecutions", "${ReservedConcurrency}");
        });
        assertThat(alarms).as("dead-letter queue not empty").anySatisfy(a -> {
            assertThat(a.get("MetricName")).isEqualTo("ApproximateNumberOfMessagesVisible");
            assertThat(a.get("Threshold")).isEqualTo(0);
            assertThat(String.valueOf(a.get("Dimensions"))).contains("DeadLetterQueue");
        });
        for (Map<String, Object> a : alarms) {
            assertThat(a.get("AlarmActions")).isEqualTo(List.of(Map.of("Ref", "AlarmTopic")));
        }
        assertThat(ofType("AWS::CloudWatch::Dashboard")).hasSize(1);
        String body =
                String.valueOf(map(props("Dashboard").get("DashboardBody")).get("Fn::Sub"));
        assertThat(body).contains("DiagnosticTime", "ErrorRate", "LLMTokenUsage", "ServiceCallFailures");
    }

    @Test
    void iamGrantsNamedActionsOnlyAndStarResourcesOnlyWhereAwsRequiresThem() {
        List<String> roles = ofType("AWS::IAM::Role");
        assertThat(roles).containsExactlyInAnyOrder("AckRole", "WorkerRole");
        int checked = 0;
        for (String role : roles) {
            assertThat(props(role)).doesNotContainKey("ManagedPolicyArns");
            for (Map<String, Object> st : statements(role)) {
                assertThat(st.get("Effect")).isEqualTo("Allow");
                assertThat(st).doesNotContainKeys("NotAction", "NotResource");
                List<String> actions = actions(st);
                for (String a : actions) {
                    assertThat(a)
                            .as(role + " " + st.get("Sid"))
                            .matches("[a-z0-9-]+:[A-Za-z]+")
                            .doesNotContain("*");
                }
                if (asList(st.get("Resource")).contains("*")) {
                    assertThat(STAR_ONLY_ACTIONS).as(role + " " + st.get("Sid")).containsAll(actions);
                }
                checked++;
            }
        }
        // the functions use these roles, so SAM attaches none of its managed policies (which use "*")
        for (String fn : ofType("AWS::Serverless::Function")) {
            assertThat(props(fn)).containsKey("Role").doesNotContainKey("Policies");
        }
        assertThat(checked).isGreaterThanOrEqualTo(10);
    }

    @Test
    void everyReferenceNamesAResourceAParameterOrAPseudoParameter() {
        Set<String> known = new HashSet<>(resources().keySet());
        known.addAll(map(template.get("Parameters")).keySet());
        known.addAll(PSEUDO);
        Set<String> conditions = map(template.get("Conditions")).keySet();
        List<String> problems = new ArrayList<>();
        walk(template, known, conditions, problems, Set.of());
        assertThat(problems).isEmpty();
    }

    @Test
    void samconfigHasATestAndAProdEnvironment() throws IOException {
        String config = Files.readString(root.resolve("deploy/samconfig.toml"));
        for (String env : List.of("test", "prod")) {
            assertThat(config).contains("[" + env + ".deploy.parameters]");
            assertThat(config).contains("stack_name = \"de-agent-" + env + "\"");
            assertThat(config).containsPattern("(?s)\\[" + env + "\\.deploy\\.parameters].*Stage=\\\\\"" + env);
        }
    }

    // ------------------------------------------------------------------ helpers

    private List<Map<String, Object>> statements(String role) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object policy : asList(props(role).get("Policies"))) {
            for (Object st : asList(map(map(policy).get("PolicyDocument")).get("Statement"))) {
                Map<String, Object> s = map(st);
                if (s.containsKey("Fn::If")) {
                    // !If [condition, statement, !Ref AWS::NoValue]: the statement as deployed when it applies
                    List<?> branches = (List<?>) s.get("Fn::If");
                    for (Object b : branches.subList(1, 3)) {
                        if (!Map.of("Ref", "AWS::NoValue").equals(b)) {
                            out.add(map(b));
                        }
                    }
                } else {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static List<String> actions(Map<String, Object> st) {
        return asList(st.get("Action")).stream().map(String::valueOf).toList();
    }

    private static List<Object> asList(Object o) {
        return o instanceof List<?> l ? new ArrayList<>(l) : o == null ? List.of() : List.of(o);
    }

    private static final Pattern SUB_VAR = Pattern.compile("\\$\\{([^}!]+)}");

    private static void walk(
            Object node, Set<String> known, Set<String> conditions, List<String> problems, Set<String> local) {
        if (node instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                Object v = e.getValue();
                switch (key) {
                    case "Ref" -> {
                        if (!known.contains(String.valueOf(v))) {
                            problems.add("!Ref " + v);
                        }
                    }
                    case "Fn::GetAtt" -> {
                        String target = String.valueOf(((List<?>) v).get(0));
                        if (!known.contains(target)) {
                            problems.add("!GetAtt " + target);
                        }
                    }
                    case "Fn::Sub" -> {
                        String text;
                        Set<String> vars = new HashSet<>(local);
                        if (v instanceof List<?> l) {
                            text = String.valueOf(l.get(0));
                            vars.addAll(map(l.get(1)).keySet());
                            walk(l.get(1), known, conditions, problems, local);
                        } else {
                            text = String.valueOf(v);
                        }
                        Matcher mm = SUB_VAR.matcher(text);
                        while (mm.find()) {
                            String name = mm.group(1);
                            String base = name.contains(".") && !name.startsWith("AWS::")
                                    ? name.substring(0, name.indexOf('.'))
                                    : name;
                            if (!known.contains(base) && !vars.contains(base)) {
                                problems.add("!Sub ${" + name + "}");
                            }
                        }
                        continue;
                    }
                    case "Condition" -> {
                        if (v instanceof String c && !conditions.contains(c)) {
                            problems.add("Condition " + c);
                        }
                    }
                    case "Fn::If" -> {
                        String c = String.valueOf(((List<?>) v).get(0));
                        if (!conditions.contains(c)) {
                            problems.add("!If " + c);
                        }
                    }
                    default -> {}
                }
                if (!key.equals("Condition") || !(v instanceof String)) {
                    walk(v, known, conditions, problems, local);
                }
            }
        } else if (node instanceof List<?> l) {
            for (Object o : l) {
                walk(o, known, conditions, problems, local);
            }
        }
    }

    /** SnakeYAML with CloudFormation's short tags, mapped to their long forms as CloudFormation does. */
    static Map<String, Object> load(Path file) {
        try {
            Yaml yaml = new Yaml(new CloudFormationConstructor());
            return map(yaml.load(Files.readString(file)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor() {
            super(new LoaderOptions());
            for (String fn : List.of(
                    "And",
                    "Base64",
                    "Cidr",
                    "Equals",
                    "FindInMap",
                    "GetAtt",
                    "GetAZs",
                    "If",
                    "ImportValue",
                    "Join",
                    "Not",
                    "Or",
                    "Select",
                    "Split",
                    "Sub",
                    "Transform",
                    "Length",
                    "ToJsonString")) {
                yamlConstructors.put(new Tag("!" + fn), new Intrinsic("Fn::" + fn));
            }
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String name;

            Intrinsic(String name) {
                this.name = name;
            }

            @Override
            public Object construct(Node node) {
                Object value =
                        switch (node) {
                            case ScalarNode s -> constructScalar(s);
                            case SequenceNode q -> constructSequence(q);
                            case MappingNode m -> constructMapping(m);
                            default -> throw new IllegalArgumentException("unexpected node " + node);
                        };
                if (name.equals("Fn::GetAtt") && value instanceof String s) {
                    int dot = s.indexOf('.');
                    value = List.of(s.substring(0, dot), s.substring(dot + 1));
                }
                return Map.of(name, value);
            }
        }
    }
}
