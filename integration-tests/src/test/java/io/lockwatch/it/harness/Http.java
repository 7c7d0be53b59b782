package io.lockwatch.it.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Small blocking HTTP GETs with timeouts, for the servers the live tests talk to. */
public final class Http {
    private Http() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The body of a 200 answer; anything else is an IOException naming the status and body. */
    public static String get(String url) throws IOException {
        return get(url, null).body();
    }

    /** A 200 answer's content type and body. */
    public record Answer(String contentType, String body) {}

    /** A 200 answer to a GET with this {@code Accept} header (null: none); anything else is an IOException. */
    public static Answer get(String url, String accept) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(10_000);
        if (accept != null) c.setRequestProperty("Accept", accept);
        try {
            int code = c.getResponseCode();
            InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (code != 200) throw new IOException("GET " + url + " -> " + code + ": " + body);
            return new Answer(c.getContentType(), body);
        } finally {
            c.disconnect();
        }
    }

    public static JsonNode getJson(String url) throws IOException {
        return JSON.readTree(get(url));
    }

    public static JsonNode parse(String json) throws IOException {
        return JSON.readTree(json);
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
