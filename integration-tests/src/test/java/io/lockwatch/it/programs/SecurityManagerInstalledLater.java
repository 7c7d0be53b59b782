package io.lockwatch.it.programs;

import java.security.CodeSource;
import java.security.Permission;
import java.security.Policy;
import java.security.ProtectionDomain;

/**
 * Installs a security manager of its own once it runs, as Elasticsearch 7 does, with a policy that grants its own
 * code everything and any other jar nothing (lockwatch's included), then runs {@link MonitorInversion} (an
 * inversion lockwatch reports) and, with {@code -Dawait.go=true}, waits for the test's "go". JDK 17 to 23 only:
 * later JDKs have no security manager.
 */
@SuppressWarnings("removal")
public final class SecurityManagerInstalledLater {
    public static void main(String[] args) throws Exception {
        CodeSource own = SecurityManagerInstalledLater.class.getProtectionDomain().getCodeSource();
        Policy.setPolicy(new Policy() {
            @Override
            public boolean implies(ProtectionDomain domain, Permission permission) {
                CodeSource source = domain.getCodeSource();
                return source != null && own.getLocation().equals(source.getLocation());
            }
        });
        System.setSecurityManager(new SecurityManager());
        MonitorInversion.main(args);
        if (Boolean.getBoolean("await.go")) GoFile.await();
    }
}
