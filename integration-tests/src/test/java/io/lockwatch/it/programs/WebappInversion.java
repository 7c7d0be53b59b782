package io.lockwatch.it.programs;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The servlet of {@link TomcatWebapp}'s web application, loaded by Tomcat's web application class loader from
 * WEB-INF/classes. "?op=transfer" takes the accounts' monitor, then the audit log's; "?op=audit" the audit log's,
 * then the accounts': an inversion between two requests, never a deadlock: the audit waits until the transfer has
 * left its sections, and the transfer then waits for the audit holding nothing, so that the two run on two of
 * Tomcat's threads. Each request also runs a static synchronized method, whose lock is this class itself, and
 * answers with the name of the class loader that loaded it.
 */
public final class WebappInversion extends HttpServlet {
    static final Object ACCOUNTS = new Object();
    static final Object AUDIT_LOG = new Object();
    static final CountDownLatch TRANSFERRED = new CountDownLatch(1);
    static final CountDownLatch AUDITED = new CountDownLatch(1);
    private static int requests;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if ("transfer".equals(request.getParameter("op"))) {
            synchronized (ACCOUNTS) {
                synchronized (AUDIT_LOG) {
                    count();
                }
            }
            TRANSFERRED.countDown();
            // Holding nothing, it waits for the audit: the two requests run on two of Tomcat's threads, as under load.
            await(AUDITED);
        } else {
            await(TRANSFERRED); // one after the other: an inversion, never a deadlock
            synchronized (AUDIT_LOG) {
                synchronized (ACCOUNTS) {
                    count();
                }
            }
            AUDITED.countDown();
        }
        response.getWriter().println("loader=" + WebappInversion.class.getClassLoader().getClass().getName());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("the other request did not come");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized void count() {
        requests++;
    }
}
