package dev.gantry.controller.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Test;

/**
 * One upstream conformance test: the method name is its ShortName. It runs only when every feature is supported
 * (see {@link ConformanceSuite#SUPPORTED}); its manifests are applied before and deleted after it. A test the
 * upstream suite marks {@code Parallel: true} is also annotated {@code @Execution(CONCURRENT)}: it may overlap
 * other parallel tests; every other test runs alone.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Test
@interface ConformanceTest {

    /** Features besides {@code Gateway}, which every test needs. */
    String[] features() default {};

    /** The test runs only when none of these features is supported. */
    String[] unlessSupported() default {};

    /** Manifests under {@code src/test/resources/conformance/tests/}. */
    String[] manifests() default {};

    /** Whether the upstream test is {@code Provisional}. */
    boolean provisional() default false;
}
