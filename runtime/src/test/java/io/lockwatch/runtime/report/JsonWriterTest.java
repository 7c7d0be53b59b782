package io.lockwatch.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    @Test
    void writesNestedStructuresAndEscapes() {
        JsonWriter json = new JsonWriter();
        json.beginObject().field("a", "x\"y\\z\n\u0001").field("n", 3).field("b", true)
                .stringArray("list", List.of("p", "q")).name("empty").beginArray().endArray()
                .name("o").beginObject().field("k", (String) null).endObject().endObject();
        String compact = json.toString().replaceAll("\\s+", "");
        assertEquals("{\"a\":\"x\\\"y\\\\z\\n\\u0001\",\"n\":3,\"b\":true,\"list\":[\"p\",\"q\"],\"empty\":[],\"o\":{\"k\":null}}",
                compact);
    }
}
