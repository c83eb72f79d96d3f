package io.deagent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import io.deagent.testkit.FakeAwsJsonApi.Call;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local DynamoDB at the wire (JSON 1.0: {@code POST /} with {@code X-Amz-Target: DynamoDB_20120810.PutItem},
 * {@code application/x-amz-json-1.0}, typed attribute values such as {@code {"S":"…"}} and {@code {"N":"3"}}),
 * with the operations a single-table store uses: {@code PutItem}, {@code GetItem}, {@code UpdateItem} and
 * {@code DeleteItem}, each with condition expressions, expression attribute names and values, and
 * {@code ReturnValues}.
 *
 * <p>Expressions are parsed, not pattern-matched: comparisons, {@code AND}/{@code OR}/{@code NOT}, parentheses,
 * {@code attribute_exists}, {@code attribute_not_exists}, {@code begins_with}; {@code SET} (with {@code +},
 * {@code -} and {@code if_not_exists}), {@code ADD} (numbers and string sets) and {@code REMOVE}. What DynamoDB
 * refuses is refused the same way, with its error shapes: a failed condition is HTTP 400
 * {@code {"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",…}}, an unknown table
 * {@code ResourceNotFoundException}, and an expression DynamoDB would reject (a syntax error, a reserved word used
 * as a name, an unused or undefined {@code :value} or {@code #name}, a key missing from an item, ADD to a
 * non-number) a {@code ValidationException}. TTL attributes are kept as data: DynamoDB deletes expired items
 * lazily, up to days later, so a reader must not rely on them being gone.
 *
 * <p>Each operation on one table is atomic (as in DynamoDB, one item's read-check-write is). Every request is
 * recorded by the underlying {@link FakeAwsJsonApi} ({@link #api()}), which also queues trouble for tests.
 */
public final class FakeDynamoDb implements AutoCloseable {

    public static final String TARGET_PREFIX = "DynamoDB_20120810.";
    private static final String ERROR_NAMESPACE = "com.amazonaws.dynamodb.v20120810#";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A few of DynamoDB's 573 reserved words, those a state table is likely to name. */
    private static final Set<String> RESERVED = Set.of(
            "STATUS",
            "NAME",
            "COUNT",
            "DATA",
            "KEY",
            "TTL",
            "TIMESTAMP",
            "DATE",
            "VALUE",
            "VALUES",
            "TYPE",
            "SIZE",
            "FIRST",
            "LAST",
            "USER",
            "TIME",
            "ATTEMPTS",
            "SOURCE",
            "STATE",
            "COMMENT",
            "CONNECTION",
            "HASH",
            "RANGE");

    private final FakeAwsJsonApi api;
    private final Map<String, Table> tables = new ConcurrentHashMap<>();

    private record Table(String name, String hashKey, Map<String, ObjectNode> items) {}

    private FakeDynamoDb(FakeAwsJsonApi api) {
        this.api = api;
        api.on(TARGET_PREFIX + "PutItem", this::putItem);
        api.on(TARGET_PREFIX + "GetItem", this::getItem);
        api.on(TARGET_PREFIX + "UpdateItem", this::updateItem);
        api.on(TARGET_PREFIX + "DeleteItem", this::deleteItem);
    }

    public static FakeDynamoDb start() {
        return new FakeDynamoDb(FakeAwsJsonApi.start(Clock.systemUTC(), FakeAwsJsonApi.Protocol.JSON_1_0));
    }

    /** Where a client's {@code endpointOverride} (or {@code AWS_ENDPOINT_URL}) points. */
    public URI endpoint() {
        return api.endpoint();
    }

    /** The wire underneath: recorded calls, queued trouble. */
    public FakeAwsJsonApi api() {
        return api;
    }

    /** A table keyed by one string attribute (on-demand: no capacity to manage). */
    public FakeDynamoDb createTable(String name, String hashKey) {
        tables.put(name, new Table(name, hashKey, new LinkedHashMap<>()));
        return this;
    }

    /** The item with this string key, as DynamoDB JSON ({@code {"pk":{"S":"…"},…}}). */
    public Optional<JsonNode> item(String table, String key) {
        Table t = table(table);
        synchronized (t) {
            return Optional.ofNullable(t.items().get(key)).map(ObjectNode::deepCopy);
        }
    }

    /** Every item of a table, in insertion order. */
    public List<JsonNode> items(String table) {
        Table t = table(table);
        synchronized (t) {
            return t.items().values().stream().map(i -> (JsonNode) i.deepCopy()).toList();
        }
    }

    @Override
    public void close() {
        api.close();
    }

    // ---------------------------------------------------------------- operations

    private Object putItem(Call call) {
        Table t = table(call);
        JsonNode item = call.body().path("Item");
        if (!item.isObject()) {
            throw validation("One or more parameter values were invalid: Item is missing");
        }
        String key = keyOf(t, item, "item");
        Expressions ex = new Expressions(call.body());
        Optional<Node> condition = ex.condition();
        ex.checkAllUsed();
        synchronized (t) {
            ObjectNode old = t.items().get(key);
            check(condition, old);
            t.items().put(key, (ObjectNode) item.deepCopy());
            return returnValues(call, old, null, Set.of("NONE", "ALL_OLD"));
        }
    }

    private Object getItem(Call call) {
        Table t = table(call);
        String key = keyOf(t, call.body().path("Key"), "key");
        synchronized (t) {
            ObjectNode item = t.items().get(key);
            ObjectNode out = JSON.createObjectNode();
            if (item != null) {
                out.set("Item", item.deepCopy());
            }
            return out;
        }
    }

    private Object deleteItem(Call call) {
        Table t = table(call);
        String key = keyOf(t, call.body().path("Key"), "key");
        Expressions ex = new Expressions(call.body());
        Optional<Node> condition = ex.condition();
        ex.checkAllUsed();
        synchronized (t) {
            ObjectNode old = t.items().get(key);
            check(condition, old);
            t.items().remove(key);
            return returnValues(call, old, null, Set.of("NONE", "ALL_OLD"));
        }
    }

    private Object updateItem(Call call) {
        Table t = table(call);
        JsonNode keyNode = call.body().path("Key");
        String key = keyOf(t, keyNode, "key");
        Expressions ex = new Expressions(call.body());
        String updateText = call.body().path("UpdateExpression").asText("");
        if (updateText.isBlank()) {
            throw validation("Invalid UpdateExpression: The expression can not be empty;");
        }
        List<Action> actions = ex.update(updateText);
        Optional<Node> condition = ex.condition();
        ex.checkAllUsed();
        for (Action a : actions) {
            if (a.path().equals(t.hashKey())) {
                throw validation("One or more parameter values were invalid: Cannot update attribute " + t.hashKey()
                        + ". This attribute is part of the key");
            }
        }
        synchronized (t) {
            ObjectNode old = t.items().get(key);
            check(condition, old);
            ObjectNode item = old == null ? (ObjectNode) keyNode.deepCopy() : old.deepCopy();
            for (Action a : actions) {
                a.apply(item);
            }
            t.items().put(key, item);
            return returnValues(call, old, item, Set.of("NONE", "ALL_OLD", "ALL_NEW", "UPDATED_NEW", "UPDATED_OLD"));
        }
    }

    private static Object returnValues(Call call, ObjectNode old, ObjectNode now, Set<String> allowed) {
        String rv = call.body().path("ReturnValues").asText("NONE");
        if (!allowed.contains(rv)) {
            throw validation("ReturnValues can only be " + String.join(" or ", new TreeSet<>(allowed)) + " here");
        }
        ObjectNode out = JSON.createObjectNode();
        switch (rv) {
            case "ALL_OLD", "UPDATED_OLD" -> {
                if (old != null) {
                    out.set("Attributes", old.deepCopy());
                }
            }
            case "ALL_NEW", "UPDATED_NEW" -> out.set("Attributes", now.deepCopy());
            default -> {}
        }
        return out;
    }

    private static void check(Optional<Node> condition, ObjectNode item) {
        if (condition.isPresent() && !truthy(condition.get().eval(item))) {
            throw new AwsError(
                    400, ERROR_NAMESPACE + "ConditionalCheckFailedException", "The conditional request failed");
        }
    }

    private Table table(Call call) {
        return table(call.body().path("TableName").asText(""));
    }

    private Table table(String name) {
        if (name.isEmpty()) {
            throw validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint:"
                    + " Member must not be null");
        }
        Table t = tables.get(name);
        if (t == null) {
            throw new AwsError(
                    400,
                    ERROR_NAMESPACE + "ResourceNotFoundException",
                    "Requested resource not found: Table: " + name + " not found");
        }
        return t;
    }

    private static String keyOf(Table t, JsonNode item, String what) {
        JsonNode k = item.path(t.hashKey());
        if (!k.isObject() || !k.has("S")) {
            throw validation(
                    "One or more parameter values were invalid: Missing the key " + t.hashKey() + " in the " + what);
        }
        String v = k.get("S").asText();
        if (v.isEmpty()) {
            throw validation("One or more parameter values are not valid. The AttributeValue for a key attribute"
                    + " cannot contain an empty string value. Key: " + t.hashKey());
        }
        return v;
    }

    static AwsError validation(String message) {
        return new AwsError(400, ERROR_NAMESPACE + "ValidationException", message);
    }

    // ---------------------------------------------------------------- expressions

    /** An expression's value: an attribute value (DynamoDB JSON), or null when a path names nothing. */
    private interface Node {
        JsonNode eval(ObjectNode item);
    }

    private record Action(String kind, String path, Node value) {
        void apply(ObjectNode item) {
            switch (kind) {
                case "SET" -> {
                    JsonNode v = value.eval(item);
                    if (v == null) {
                        throw validation(
                                "The provided expression refers to an attribute that does not exist in the" + " item");
                    }
                    item.set(path, v.deepCopy());
                }
                case "REMOVE" -> item.remove(path);
                case "ADD" -> {
                    JsonNode add = value.eval(item);
                    JsonNode cur = item.get(path);
                    if (add.has("N")) {
                        if (cur != null && !cur.has("N")) {
                            throw validation("An operand in the update expression has an incorrect data type");
                        }
                        BigDecimal sum = new BigDecimal(add.get("N").asText())
                                .add(
                                        cur == null
                                                ? BigDecimal.ZERO
                                                : new BigDecimal(cur.get("N").asText()));
                        item.set(path, JSON.createObjectNode().put("N", sum.toPlainString()));
                    } else if (add.has("SS")) {
                        if (cur != null && !cur.has("SS")) {
                            throw validation("An operand in the update expression has an incorrect data type");
                        }
                        Set<String> all = new TreeSet<>();
                        if (cur != null) {
                            cur.get("SS").forEach(x -> all.add(x.asText()));
                        }
                        add.get("SS").forEach(x -> all.add(x.asText()));
                        ArrayNode ss = JSON.createArrayNode();
                        all.forEach(ss::add);
                        item.set(path, JSON.createObjectNode().set("SS", ss));
                    } else {
                        throw validation("Invalid UpdateExpression: Incorrect operand type for operator or function;"
                                + " operator: ADD, operand type: " + type(add));
                    }
                }
                default -> throw new IllegalStateException(kind);
            }
        }
    }

    /** Parses the expressions of one request against its attribute names and values, tracking which are used. */
    private static final class Expressions {
        private final JsonNode names;
        private final JsonNode values;
        private final Set<String> usedNames = new HashSet<>();
        private final Set<String> usedValues = new HashSet<>();
        private final JsonNode request;
        private List<String> tokens;
        private int at;
        private String label;

        Expressions(JsonNode request) {
            this.request = request;
            this.names = request.path("ExpressionAttributeNames");
            this.values = request.path("ExpressionAttributeValues");
        }

        Optional<Node> condition() {
            String text = request.path("ConditionExpression").asText("");
            if (text.isBlank()) {
                return Optional.empty();
            }
            start(text, "ConditionExpression");
            Node n = or();
            end();
            return Optional.of(n);
        }

        List<Action> update(String text) {
            start(text, "UpdateExpression");
            List<Action> actions = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            while (at < tokens.size()) {
                String clause = next().toUpperCase(Locale.ROOT);
                if (!seen.add(clause)) {
                    throw syntax("The \"" + clause + "\" section can only be used once in an update expression");
                }
                do {
                    switch (clause) {
                        case "SET" -> {
                            String path = path();
                            expect("=");
                            actions.add(new Action("SET", path, setValue()));
                        }
                        case "REMOVE" -> actions.add(new Action("REMOVE", path(), null));
                        case "ADD" -> {
                            String path = path();
                            String v = next();
                            if (!v.startsWith(":")) {
                                throw syntax("ADD takes a path and a :value, got " + v);
                            }
                            Node value = valueRef(v);
                            actions.add(new Action("ADD", path, value));
                        }
                        default -> throw syntax("Syntax error; token: \"" + clause + "\"");
                    }
                } while (accept(","));
            }
            Set<String> paths = new HashSet<>();
            for (Action a : actions) {
                if (!paths.add(a.path())) {
                    throw validation("Invalid UpdateExpression: Two document paths overlap with each other;"
                            + " must remove or rewrite one of these paths; path one: [" + a.path() + "], path two: ["
                            + a.path() + "]");
                }
            }
            return actions;
        }

        void checkAllUsed() {
            Set<String> unusedValues = new TreeSet<>();
            values.fieldNames().forEachRemaining(v -> {
                if (!usedValues.contains(v)) {
                    unusedValues.add(v);
                }
            });
            if (!unusedValues.isEmpty()) {
                throw validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {"
                        + String.join(", ", unusedValues) + "}");
            }
            Set<String> unusedNames = new TreeSet<>();
            names.fieldNames().forEachRemaining(n -> {
                if (!usedNames.contains(n)) {
                    unusedNames.add(n);
                }
            });
            if (!unusedNames.isEmpty()) {
                throw validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {"
                        + String.join(", ", unusedNames) + "}");
            }
        }

        private Node setValue() {
            Node left = setOperand();
            if (accept("+")) {
                Node right = setOperand();
                return item -> arithmetic(left.eval(item), right.eval(item), true);
            }
            if (accept("-")) {
                Node right = setOperand();
                return item -> arithmetic(left.eval(item), right.eval(item), false);
            }
            return left;
        }

        private Node setOperand() {
            String t = peek();
            if (t.equalsIgnoreCase("if_not_exists")) {
                next();
                expect("(");
                String path = path();
                expect(",");
                Node fallback = operand();
                expect(")");
                return item -> item.has(path) ? item.get(path) : fallback.eval(item);
            }
            return operand();
        }

        private static JsonNode arithmetic(JsonNode a, JsonNode b, boolean plus) {
            if (a == null || b == null) {
                throw validation("The provided expression refers to an attribute that does not exist in the item");
            }
            if (!a.has("N") || !b.has("N")) {
                throw validation("An operand in the update expression has an incorrect data type");
            }
            BigDecimal x = new BigDecimal(a.get("N").asText());
            BigDecimal y = new BigDecimal(b.get("N").asText());
            return JSON.createObjectNode().put("N", (plus ? x.add(y) : x.subtract(y)).toPlainString());
        }

        private Node or() {
            Node left = and();
            while (acceptWord("OR")) {
                Node l = left;
                Node r = and();
                left = item -> bool(truthy(l.eval(item)) || truthy(r.eval(item)));
            }
            return left;
        }

        private Node and() {
            Node left = unary();
            while (acceptWord("AND")) {
                Node l = left;
                Node r = unary();
                left = item -> bool(truthy(l.eval(item)) && truthy(r.eval(item)));
            }
            return left;
        }

        private Node unary() {
            if (acceptWord("NOT")) {
                Node n = unary();
                return item -> bool(!truthy(n.eval(item)));
            }
            if (accept("(")) {
                Node n = or();
                expect(")");
                return n;
            }
            String t = peek().toLowerCase(Locale.ROOT);
            switch (t) {
                case "attribute_exists", "attribute_not_exists" -> {
                    next();
                    expect("(");
                    String path = path();
                    expect(")");
                    boolean exists = t.equals("attribute_exists");
                    return item -> bool(item != null && item.has(path) == exists || item == null && !exists);
                }
                case "begins_with" -> {
                    next();
                    expect("(");
                    Node a = operand();
                    expect(",");
                    Node b = operand();
                    expect(")");
                    return item -> {
                        JsonNode x = a.eval(item);
                        JsonNode y = b.eval(item);
                        return bool(x != null
                                && y != null
                                && x.has("S")
                                && y.has("S")
                                && x.get("S").asText().startsWith(y.get("S").asText()));
                    };
                }
                default -> {}
            }
            Node left = operand();
            String op = next();
            if (!Set.of("=", "<>", "<", "<=", ">", ">=").contains(op)) {
                throw syntax("Syntax error; token: \"" + op + "\"");
            }
            Node right = operand();
            return item -> bool(compare(left.eval(item), right.eval(item), op));
        }

        private Node operand() {
            String t = peek();
            if (t.startsWith(":")) {
                return valueRef(next());
            }
            String path = path();
            return item -> item == null ? null : item.get(path);
        }

        private Node valueRef(String ref) {
            JsonNode v = values.get(ref);
            if (v == null) {
                throw validation("Invalid " + label + ": An expression attribute value used in expression is not"
                        + " defined; attribute value: " + ref);
            }
            usedValues.add(ref);
            return item -> v;
        }

        private String path() {
            String t = next();
            if (t.startsWith("#")) {
                JsonNode n = names.get(t);
                if (n == null) {
                    throw validation("Invalid " + label + ": An expression attribute name used in the document path is"
                            + " not defined; attribute name: " + t);
                }
                usedNames.add(t);
                return n.asText();
            }
            if (!t.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw syntax("Syntax error; token: \"" + t + "\"");
            }
            if (RESERVED.contains(t.toUpperCase(Locale.ROOT))) {
                throw validation("Invalid " + label + ": Attribute name is a reserved keyword; reserved keyword: "
                        + t.toLowerCase(Locale.ROOT));
            }
            return t;
        }

        private void start(String text, String label) {
            this.label = label;
            this.tokens = tokenize(text);
            this.at = 0;
        }

        private void end() {
            if (at < tokens.size()) {
                throw syntax("Syntax error; token: \"" + tokens.get(at) + "\"");
            }
        }

        private String peek() {
            if (at >= tokens.size()) {
                throw syntax("Syntax error; token: <EOF>");
            }
            return tokens.get(at);
        }

        private String next() {
            String t = peek();
            at++;
            return t;
        }

        private boolean accept(String t) {
            if (at < tokens.size() && tokens.get(at).equals(t)) {
                at++;
                return true;
            }
            return false;
        }

        private boolean acceptWord(String word) {
            if (at < tokens.size() && tokens.get(at).equalsIgnoreCase(word)) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(String t) {
            if (!accept(t)) {
                throw syntax("Syntax error; expected \"" + t + "\", token: \""
                        + (at < tokens.size() ? tokens.get(at) : "<EOF>") + "\"");
            }
        }

        private AwsError syntax(String detail) {
            return validation("Invalid " + label + ": " + detail);
        }

        private List<String> tokenize(String s) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if ("(),=+-".indexOf(c) >= 0) {
                    out.add(String.valueOf(c));
                    i++;
                } else if (c == '<' || c == '>') {
                    if (i + 1 < s.length() && (s.charAt(i + 1) == '=' || (c == '<' && s.charAt(i + 1) == '>'))) {
                        out.add(s.substring(i, i + 2));
                        i += 2;
                    } else {
                        out.add(String.valueOf(c));
                        i++;
                    }
                } else if (c == ':' || c == '#' || Character.isLetterOrDigit(c) || c == '_') {
                    int j = i + 1;
                    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                        j++;
                    }
                    out.add(s.substring(i, j));
                    i = j;
                } else {
                    throw syntax("Invalid character encountered; character: \"" + c + "\"");
                }
            }
            return out;
        }
    }

    private static boolean compare(JsonNode a, JsonNode b, String op) {
        if (a == null || b == null) {
            return false; // a comparison with a missing attribute is false, as in DynamoDB
        }
        int c;
        if (a.has("N") && b.has("N")) {
            c = new BigDecimal(a.get("N").asText())
                    .compareTo(new BigDecimal(b.get("N").asText()));
        } else if (a.has("S") && b.has("S")) {
            c = a.get("S").asText().compareTo(b.get("S").asText());
        } else if (op.equals("=") || op.equals("<>")) {
            c = a.equals(b) ? 0 : 1;
        } else {
            return false;
        }
        return switch (op) {
            case "=" -> c == 0;
            case "<>" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    private static JsonNode bool(boolean b) {
        return JSON.createObjectNode().put("BOOL", b);
    }

    private static boolean truthy(JsonNode n) {
        return n != null && n.path("BOOL").asBoolean(false);
    }

    private static String type(JsonNode v) {
        Iterator<String> names = v.fieldNames();
        return names.hasNext() ? names.next() : "?";
    }
}
