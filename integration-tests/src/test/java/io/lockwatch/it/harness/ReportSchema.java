package io.lockwatch.it.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;

/** Every report a test reads is validated against the JSON Schema shipped in the repo. */
public final class ReportSchema {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonSchema SCHEMA = load();

    private ReportSchema() {}

    private static JsonSchema load() {
        try {
            String text = Files.readString(Paths.get(System.getProperty("lockwatch.reportSchema")));
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the schema finds wrong with this JSON (empty when it is a valid report). */
    public static Set<ValidationMessage> problems(JsonNode json) {
        return SCHEMA.validate(json);
    }

    static JsonNode readAndValidate(Path report) {
        try {
            JsonNode json = MAPPER.readTree(report.toFile());
            Set<ValidationMessage> errors = SCHEMA.validate(json);
            assertTrue(errors.isEmpty(), "report " + report + " does not match the schema: " + errors);
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException("report " + report + " is not valid JSON", e);
        }
    }
}
