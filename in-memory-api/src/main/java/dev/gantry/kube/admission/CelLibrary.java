package dev.gantry.kube.admission;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelStandardFunctions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The CEL environment of CRD validation rules: cel-java's standard library with the string and list extensions,
 * plus the Kubernetes library functions that the Gateway API CRDs' rules call ({@code isIP} and the named formats
 * {@code format.dns1123Label()} and kin, whose {@code validate} answers null when the value is valid).
 * {@code self} and {@code oldSelf} are dynamically typed: the rules were type-checked against their schemas when
 * the CRDs were written, and objects reach them as maps and lists.
 */
final class CelLibrary {

    private static final OpaqueType FORMAT = OpaqueType.create("kubernetes.NamedFormat");
    /** The named formats of Kubernetes' format library; each a name and a check returning its errors. */
    private static final Map<String, Function<String, List<String>>> FORMATS = Map.of(
            "dns1123Label", s -> Formats.dns1123Label(s),
            "dns1123Subdomain", s -> Formats.dns1123Subdomain(s),
            "dns1035Label", s -> Formats.dns1035Label(s),
            "labelValue", s -> Formats.labelValue(s),
            "qualifiedName", s -> Formats.qualifiedName(s),
            "uuid", s -> Formats.uuid(s));

    private static final Cel CEL = build();
    /** Compiled programs by expression: the CRD bundles repeat the same rule on many kinds and versions. */
    private static final Map<String, Compiled> PROGRAMS = new ConcurrentHashMap<>();

    /** A compiled expression, or why it did not compile. */
    record Compiled(CelRuntime.Program program, String error) {}

    private CelLibrary() {}

    private static Cel build() {
        List<CelFunctionDecl> formats = new ArrayList<>();
        List<CelFunctionBinding> bindings = new ArrayList<>();
        FORMATS.forEach((name, check) -> {
            String id = "format_" + name;
            formats.add(CelFunctionDecl.newFunctionDeclaration(
                    "format." + name, CelOverloadDecl.newGlobalOverload(id, FORMAT)));
            bindings.add(CelFunctionBinding.from(id, List.of(), args -> new NamedFormat(name)));
        });
        formats.add(CelFunctionDecl.newFunctionDeclaration(
                "format.named", CelOverloadDecl.newGlobalOverload("format_named", SimpleType.DYN, SimpleType.STRING)));
        bindings.add(CelFunctionBinding.from(
                "format_named",
                String.class,
                name -> FORMATS.containsKey(name) ? new NamedFormat(name) : NullValue.NULL_VALUE));
        formats.add(CelFunctionDecl.newFunctionDeclaration(
                "validate",
                CelOverloadDecl.newMemberOverload("format_validate", SimpleType.DYN, FORMAT, SimpleType.STRING)));
        bindings.add(CelFunctionBinding.from("format_validate", NamedFormat.class, String.class, (format, value) -> {
            List<String> errors = FORMATS.get(format.name()).apply(value);
            return errors.isEmpty() ? NullValue.NULL_VALUE : errors;
        }));
        // The standard matches() compiles its pattern on every call; the CRDs' patterns are few and fixed.
        bindings.add(CelFunctionBinding.from("matches", String.class, String.class, CelLibrary::matches));
        bindings.add(CelFunctionBinding.from("matches_string", String.class, String.class, CelLibrary::matches));
        formats.add(CelFunctionDecl.newFunctionDeclaration(
                "isIP", CelOverloadDecl.newGlobalOverload("is_ip", SimpleType.BOOL, SimpleType.STRING)));
        bindings.add(CelFunctionBinding.from("is_ip", String.class, s -> Formats.isIpv4(s) || Formats.isIpv6(s)));
        formats.add(CelFunctionDecl.newFunctionDeclaration(
                "isCIDR", CelOverloadDecl.newGlobalOverload("is_cidr", SimpleType.BOOL, SimpleType.STRING)));
        bindings.add(CelFunctionBinding.from("is_cidr", String.class, Formats::isCidr));
        formats.add(CelFunctionDecl.newFunctionDeclaration(
                "isURL", CelOverloadDecl.newGlobalOverload("is_url", SimpleType.BOOL, SimpleType.STRING)));
        bindings.add(CelFunctionBinding.from("is_url", String.class, Formats::isUrl));
        return CelFactory.plannerCelBuilder()
                .setOptions(CelOptions.current()
                        .enableHeterogeneousNumericComparisons(true)
                        .build())
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addCompilerLibraries(CelExtensions.strings(), CelExtensions.lists())
                .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.lists())
                .setStandardFunctions(CelStandardFunctions.newBuilder()
                        .excludeFunctions(CelStandardFunctions.StandardFunction.MATCHES)
                        .build())
                .addVar("self", SimpleType.DYN)
                .addVar("oldSelf", SimpleType.DYN)
                .addFunctionDeclarations(formats)
                .addFunctionBindings(bindings)
                .build();
    }

    private static final Map<String, com.google.re2j.Pattern> PATTERNS = new ConcurrentHashMap<>();

    /** CEL's {@code matches}: RE2, true when the pattern matches anywhere in the string. */
    private static boolean matches(String text, String regex) {
        return PATTERNS.computeIfAbsent(regex, com.google.re2j.Pattern::compile)
                .matcher(text)
                .find();
    }

    /** The compiled program of an expression, compiled once per process. */
    static Compiled compile(String expression) {
        return PROGRAMS.computeIfAbsent(expression, CelLibrary::doCompile);
    }

    private static Compiled doCompile(String expression) {
        try {
            return new Compiled(CEL.createProgram(CEL.compile(expression).getAst()), null);
        } catch (CelValidationException | CelEvaluationException | RuntimeException e) {
            return new Compiled(null, e.getMessage());
        }
    }

    private static final Pattern NO_SUCH_KEY =
            Pattern.compile(".*key '([^']*)' is not present in map\\.?.*", Pattern.DOTALL);

    /** An evaluation error in the words cel-go (and so the API server) uses for the common cases. */
    static String describe(CelEvaluationException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        var noSuchKey = NO_SUCH_KEY.matcher(message);
        if (noSuchKey.matches()) {
            return "no such key: " + noSuchKey.group(1);
        }
        return message.replaceFirst("^evaluation error at <input>:\\d+: ", "");
    }

    /** The value of {@code format.<name>()}. */
    record NamedFormat(String name) {}
}
