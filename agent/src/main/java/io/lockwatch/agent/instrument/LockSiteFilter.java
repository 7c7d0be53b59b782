package io.lockwatch.agent.instrument;

import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.LockTracker;
import io.lockwatch.runtime.util.InternalErrors;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodTooLargeException;

/**
 * The class file transformer lockwatch registers. A class is rewritten only if it takes a lock; every
 * other class is returned untouched (null). The whole transformation counts as lockwatch's own work, so
 * JDK code it runs on the loading thread never feeds the lock-order graph. A failure leaves the class as
 * it was, and is counted and named ({@link UninstrumentedClasses}).
 */
final class LockSiteFilter implements ClassFileTransformer {
    private final List<String> userExcludes;

    LockSiteFilter(List<String> userExcludes) {
        this.userExcludes = userExcludes;
    }

    /**
     * Runs one transformation before the filter is registered, so that every class the transformer needs
     * is loaded already. Otherwise the first classes it loads would arrive back in the transformer while it
     * is running, fail with a class circularity error, and the JVM would silently ignore the transformer
     * from then on. ASM's classes are not among them: they load on the first class left to ASM (rare, and
     * never at start-up), and as lockwatch's own classes they pass straight through the transformer
     * ({@link IgnoreRules}) while they do ({@code LockOrderInversionTest.twoMonitorsInCodeWithTypeAnnotations}).
     */
    void warmUp(byte[] warmUpClass) throws Exception {
        byte[] classFile = warmUpClass;
        if (classFile == null) {
            String resource = WarmUp.class.getName().replace('.', '/') + ".class";
            try (InputStream in = ClassLoader.getSystemResourceAsStream(resource)) {
                classFile = in.readAllBytes();
            }
        }
        if (instrument(WarmUp.class.getName(), classFile, true) == null) throw new IllegalStateException("warm-up class was not instrumented");
        IgnoreRules.ignores("java.lang.Object", userExcludes);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        // The JVM swallows whatever a transformer throws: nothing may escape unseen.
        try {
            if (internalName == null) return null; // hidden classes and lambdas have no name to find
            // Once tracking has stopped (failures inside lockwatch recurred), new classes keep their own code.
            if (InternalErrors.isTrackingStopped()) return null;
            String className = internalName.replace('/', '.');
            if (IgnoreRules.ignores(className, userExcludes)) return null;
            LockTracker.enterAgentCode();
            try {
                // A class being retransformed was chosen for its locks (Instrumenter): the skim would only say "maybe".
                byte[] transformed = instrument(className, classFile, classBeingRedefined == null);
                if (transformed != null && classBeingRedefined != null) AgentStats.classesRetransformed.incrementAndGet();
                return transformed;
            } catch (Throwable e) {
                UninstrumentedClasses.count("could not instrument", className, e, "it runs unchanged, its locks untracked");
                return null;
            } finally {
                LockTracker.exitAgentCode();
            }
        } catch (Throwable e) {
            InternalErrors.record("class transformer", e);
            return null;
        }
    }

    /**
     * A method whose lock sites would take it past the class file format's 64 KiB of code is left as it is
     * (counted and named), and the class's other methods are instrumented, unless that method calls the
     * {@code Lock} API ({@link LockSiteScanner#leaveOut}): then the whole class fails and is left.
     *
     * @param skimFirst whether to skim the class file first ({@link ClassFileSkim}), which rules most classes out
     *                  more cheaply than the scan; the scan decides either way
     * @return the instrumented class file, or null when the class takes no lock
     * @throws MethodTooLargeException when the class cannot be instrumented at all (the caller counts it)
     */
    private static byte[] instrument(String className, byte[] classFile, boolean skimFirst) {
        if (skimFirst && !ClassFileSkim.mayHaveSites(classFile)) return null;
        LockSiteScanner.Result scan = LockSiteScanner.scan(classFile);
        if (!scan.hasSites) return null;
        byte[] transformed = null;
        List<MethodTooLargeException> leftOut = List.of();
        while (transformed == null) {
            try {
                transformed = rewrite(classFile, scan);
            } catch (MethodTooLargeException e) {
                if (!LockSiteScanner.leaveOut(classFile, scan, e.getMethodName() + e.getDescriptor())) throw e;
                if (!scan.hasSites) throw e; // no other method takes a lock: the class is left, and named, as a whole
                if (leftOut.isEmpty()) leftOut = new ArrayList<>();
                leftOut.add(e);
            }
        }
        for (MethodTooLargeException e : leftOut) UninstrumentedClasses.countMethod(className, e.getMethodName(), e.getDescriptor(), e);
        AgentStats.classesInstrumented.incrementAndGet();
        return transformed;
    }

    /**
     * The raw rewriter: the same code as ASM's visitors, much cheaper; ASM for the shapes it leaves, and
     * should it ever fail on a class (counted and logged once as an internal error), ASM all the same.
     */
    private static byte[] rewrite(byte[] classFile, LockSiteScanner.Result scan) {
        byte[] transformed;
        try {
            transformed = ClassFileRewriter.rewrite(classFile, scan);
        } catch (RuntimeException e) {
            InternalErrors.record("raw class file rewrite", e);
            transformed = null;
        }
        return transformed != null ? transformed : rewriteWithAsm(classFile, scan);
    }

    /** The rewrite through ASM's visitors: the reference, and the way for every shape the raw rewriter leaves. */
    static byte[] rewriteWithAsm(byte[] classFile, LockSiteScanner.Result scan) {
        ClassReader reader = new ClassReader(classFile);
        // Passing the reader lets ASM copy every method we do not touch as it is.
        ClassWriter writer = new ClassWriter(reader, 0);
        // Expanded frames: the visitor appends its state local to each (the writer compresses them again).
        reader.accept(new LockSiteVisitor(WaitSiteVisitor.around(reader.getClassName(), writer, scan), scan),
                ClassReader.EXPAND_FRAMES);
        return writer.toByteArray();
    }

    /** A class with every kind of lock site, transformed once by {@link #warmUp(byte[])}; never loaded. */
    static final class WarmUp {
        private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

        synchronized int method(int x) {
            if (x > 0) throw new IllegalArgumentException();
            return x;
        }

        static synchronized void staticMethod() {}

        void block(Object o) throws InterruptedException {
            synchronized (o) {
                lock.lock();
                lock.unlock();
                if (lock.tryLock(1, java.util.concurrent.TimeUnit.MILLISECONDS)) lock.unlock();
                new java.util.concurrent.CountDownLatch(0).await();
            }
        }
    }
}
