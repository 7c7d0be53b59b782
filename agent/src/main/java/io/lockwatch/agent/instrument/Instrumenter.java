package io.lockwatch.agent.instrument;

import static net.bytebuddy.matcher.ElementMatchers.any;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isBootstrapClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isExtensionClassLoader;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.isSynchronized;
import static net.bytebuddy.matcher.ElementMatchers.not;

import io.lockwatch.runtime.config.Options;
import io.lockwatch.runtime.stats.AgentStats;
import io.lockwatch.runtime.track.CallSites;
import io.lockwatch.runtime.util.Log;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.bytecode.constant.IntegerConstant;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Installs the Byte Buddy transformation that makes every lock site call the runtime: the
 * {@link LockSiteVisitor} for {@code synchronized} blocks and {@code Lock} calls, and
 * {@link SynchronizedMethodAdvice} for {@code synchronized} methods.
 */
public final class Instrumenter {
    private static final String NEXUS_DISABLED = "net.bytebuddy.nexus.disabled"; // relocated by the shade plugin

    private Instrumenter() {}

    public static void install(Instrumentation inst, Options options) {
        // Byte Buddy's "nexus" injects initializers into class loaders; we never need it (our advice is
        // inlined), and creating it touches sun.misc.Unsafe, which JDK 24+ warns about on stderr. The property
        // name is our relocated copy's, so the application's own Byte Buddy is unaffected.
        System.setProperty(NEXUS_DISABLED, "true");
        ClassFileLocator ownClasses = ClassFileLocator.ForClassLoader.of(ClassLoader.getSystemClassLoader());
        Advice.WithCustomMapping sites = Advice.withCustomMapping().bind(SiteId.class,
                (instrumentedType, instrumentedMethod, assigner, argumentHandler, sort) ->
                        new Advice.OffsetMapping.Target.ForStackManipulation(
                                IntegerConstant.forValue(siteOf(instrumentedType, instrumentedMethod))));
        AsmVisitorWrapper instanceMethods = sites.to(SynchronizedMethodAdvice.class, ownClasses)
                .on(synchronizedWithCode().and(not(isStatic())));
        AsmVisitorWrapper staticMethods = sites.to(SynchronizedMethodAdvice.Static.class, ownClasses)
                .on(synchronizedWithCode().and(isStatic()));
        LockSiteVisitor lockSites = new LockSiteVisitor();
        ThreadSiteVisitor threadSites = new ThreadSiteVisitor();

        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(new Listener())
                .ignore(IgnoreRules.matcher(options.excludes()))
                .ignore(any(), isBootstrapClassLoader().or(isExtensionClassLoader()))
                .type(any())
                .transform((builder, type, loader, module, domain) ->
                        builder.visit(lockSites).visit(threadSites).visit(instanceMethods).visit(staticMethods))
                .installOn(inst);
    }

    private static ElementMatcher.Junction<MethodDescription> synchronizedWithCode() {
        return isSynchronized().and(not(isAbstract())).and(not(isNative()));
    }

    /** A synchronized method's site is the method itself; the class file's line is not known here. */
    private static int siteOf(TypeDescription type, MethodDescription method) {
        String outer = type.getName();
        int dollar = outer.indexOf('$');
        if (dollar > 0) outer = outer.substring(0, dollar);
        String file = outer.substring(outer.lastIndexOf('.') + 1) + ".java";
        return CallSites.register(type.getName(), method.getInternalName(), file, -1);
    }

    /** Counts what was instrumented and reports each failure once, naming the class. */
    private static final class Listener extends AgentBuilder.Listener.Adapter {
        @Override
        public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                     DynamicType dynamicType) {
            AgentStats.classesInstrumented.incrementAndGet();
            if (loaded) AgentStats.classesRetransformed.incrementAndGet();
        }

        @Override
        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
            AgentStats.instrumentationErrors.incrementAndGet();
            Log.warn("could not instrument " + typeName + " (" + error + "); it runs unchanged, its locks untracked");
        }
    }
}
