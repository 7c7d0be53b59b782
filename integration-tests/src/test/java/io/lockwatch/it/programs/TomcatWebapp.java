package io.lockwatch.it.programs;

import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * A web application deployed as Tomcat deploys one: its classes in WEB-INF/classes, loaded by the application's own
 * class loader (Tomcat's ParallelWebappClassLoader, which looks in the application before its parent for all
 * but the JDK's and the servlet API's classes), then undeployed.
 *
 * <p>Copies {@link WebappInversion}'s class file into a new application directory, deploys it, sends it one
 * "?op=transfer" and one "?op=audit" and prints each answer (the class loader that loaded the servlet). Then it
 * removes the application, as an undeploy or a redeploy does, and prints whether the application's class loader was
 * collected ("webapp class loader collected: true"): anything that still refers to it keeps every class of the
 * application in memory, and a server that redeploys runs out of metaspace.
 */
public final class TomcatWebapp {
    public static void main(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        // Tomcat's checks for what an undeployed application leaves behind (threads, thread-locals) warn at WARNING.
        java.util.logging.Logger.getLogger("org.apache.catalina.loader").setLevel(java.util.logging.Level.WARNING);
        Path base = Files.createTempDirectory("tomcat");
        Path docBase = base.resolve("app");
        String servlet = WebappInversion.class.getName().replace('.', '/') + ".class";
        Path classFile = docBase.resolve("WEB-INF/classes").resolve(servlet);
        Files.createDirectories(classFile.getParent());
        // Read as a resource: the servlet class is not loaded here, only in the application.
        try (InputStream in = TomcatWebapp.class.getClassLoader().getResourceAsStream(servlet)) {
            Files.copy(in, classFile);
        }

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.setPort(0);
        tomcat.getConnector();
        Context context = tomcat.addContext("", docBase.toString()); // its loader made at start: a web application's
        Tomcat.addServlet(context, "bank", WebappInversion.class.getName());
        context.addServletMappingDecoded("/*", "bank");
        tomcat.start();

        URI app = URI.create("http://localhost:" + tomcat.getConnector().getLocalPort() + "/");
        HttpClient client = HttpClient.newHttpClient();
        // The transfer answers once the audit has run (see WebappInversion).
        CompletableFuture<HttpResponse<String>> transfer = client.sendAsync(request(app, "transfer"), BodyHandlers.ofString());
        HttpResponse<String> audit = client.send(request(app, "audit"), BodyHandlers.ofString());
        print("transfer", transfer.get());
        print("audit", audit);

        WeakReference<ClassLoader> loader = new WeakReference<>(context.getLoader().getClassLoader());
        tomcat.getHost().removeChild(context); // stops and destroys it, as an undeploy does
        context = null;
        for (int i = 0; i < 20 && loader.get() != null; i++) {
            System.gc();
            Thread.sleep(50);
        }
        System.out.println("webapp class loader collected: " + (loader.get() == null));
        tomcat.stop();
        tomcat.destroy();
    }

    private static HttpRequest request(URI app, String op) {
        return HttpRequest.newBuilder(app.resolve("?op=" + op)).build();
    }

    private static void print(String op, HttpResponse<String> response) {
        System.out.print(op + ": " + response.statusCode() + " " + response.body());
    }
}
