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
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(10_000);
        try {
            int code = c.getResponseCode();
            InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (code != 200) throw new IOException("GET " + url + " -> " + code + ": " + body);
            return body;
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
